"""Every pupil-path rule of the issue, through the HTTP API: the refusal names its rule, and nothing
is stored in the event store or published to Kafka (the relay is run to the head before and after)."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

import httpx
import pytest

from ap_contracts.events.pupil_vocabulary import (
    ItemDisposal,
    PlacementEndReason,
    Professional,
    ProhibitedItem,
    SenStatus,
    Session,
    Sex,
    TimetableKind,
    YearGroup,
)
from ap_incidents.domain.identity import record_id_for
from ap_incidents.domain.themes.searches import FoundItemInput
from ap_incidents.entrypoints.api import create_app

from .conftest import DAY, START, TRAINED, TRAINED_TOO, UNTRAINED, ApiStory, ServiceUnderTest, problem_of

pytestmark = pytest.mark.integration


async def refused(story: ApiStory, command, who: str, status: int, rule: str, purpose: str | None = None) -> None:
    """``command`` is refused with ``status`` naming ``rule``, and leaves no trace."""
    async with story.service.nothing_recorded(story.stream):
        response = await story.send(command, who, purpose)
    assert response.status_code == status, response.text
    body = problem_of(response)
    assert body["rule"] == rule, body
    assert body["status"] == status and body["detail"]


async def test_a_placement_needs_the_parent_consulted_first(api_story: ApiStory) -> None:
    await api_story.registered()
    await api_story.ok(api_story.cmd.receive_referral(), "home_staff")
    await api_story.ok(api_story.cmd.decide_eligibility(), "provider_manager")
    await refused(api_story, api_story.cmd.start_placement(), "commissioner", 409, "placement.parent_consulted")


async def test_an_ehcp_pupil_needs_exceptional_circumstances_recorded(api_story: ApiStory) -> None:
    await api_story.registered(sen_status=SenStatus.EHCP)
    await api_story.ok(api_story.cmd.receive_referral(), "home_staff")
    await api_story.ok(api_story.cmd.consult_parent(), "home_staff")
    await refused(api_story, api_story.cmd.decide_eligibility(), "provider_manager", 422,
                  "eligibility.ehcp_exceptional_circumstances")
    await api_story.ok(api_story.cmd.decide_eligibility(exceptional_circumstances="No specialist place"),
                       "provider_manager")


async def test_out_of_key_stage_needs_a_meeting_then_the_heads_decision(api_story: ApiStory) -> None:
    await api_story.ready_to_place(year_group=YearGroup.Y7)
    # The provision is registered for KS2 only: the Year 7 pupil's place is outside the key stage.
    place = api_story.cmd.start_placement()
    await refused(api_story, place, "commissioner", 409, "placement.out_of_key_stage_meeting")
    await api_story.ok(api_story.cmd.record_meeting(attendees=(Professional.SENCO, Professional.HOME_SCHOOL_HEAD)),
                       "head")
    await refused(api_story, api_story.cmd.start_placement(), "commissioner", 409,
                  "placement.out_of_key_stage_head_decision")
    # Only the head decides: home-school staff are refused by the policy.
    await refused(api_story, api_story.cmd.approve_out_of_key_stage(), "home_staff", 403, "OKS-1")
    await api_story.ok(api_story.cmd.approve_out_of_key_stage(), "head")
    await api_story.ok(api_story.cmd.start_placement(), "commissioner")


async def test_a_provider_cannot_withdraw_a_place_without_the_commissioners_decision(api_story: ApiStory) -> None:
    await api_story.placed()
    await refused(api_story, api_story.cmd.end_placement(reason=PlacementEndReason.PLACE_WITHDRAWN),
                  "provider_manager", 409, "placement.withdrawal_needs_commissioner")
    await refused(api_story, api_story.cmd.end_placement(reason=PlacementEndReason.PERMANENTLY_EXCLUDED),
                  "provider_manager", 409, "placement.end_by_exclusion_needs_exclusion")
    proposal = api_story.cmd.propose_exclusion()
    await api_story.ok(proposal, "provider_manager")
    # While the commissioner has not decided, the provider cannot end the place at all.
    await refused(api_story, api_story.cmd.end_placement(), "provider_manager", 409,
                  "placement.withdrawal_needs_commissioner")
    await api_story.ok(api_story.cmd.commissioner_decision(proposal.proposal_id), "commissioner")
    await api_story.ok(api_story.cmd.end_placement(reason=PlacementEndReason.PLACE_WITHDRAWN), "provider_manager")


async def test_only_the_home_school_head_excludes_from_school(api_story: ApiStory) -> None:
    await api_story.placed()
    await refused(api_story, api_story.cmd.suspend(), "provider_manager", 403, "EXC-3")
    await refused(api_story, api_story.cmd.exclude_permanently(), "other_head", 403, "EXC-3")
    await refused(api_story, api_story.cmd.exclude_permanently(), "home_staff", 403, "EXC-3")
    await api_story.ok(api_story.cmd.exclude_permanently(), "head")


async def test_suspensions_are_capped_per_academic_year(api_story: ApiStory) -> None:
    await api_story.placed()
    await api_story.ok(api_story.cmd.suspend(duration_half_days=88), "head")
    await refused(api_story, api_story.cmd.suspend(duration_half_days=4), "head", 409,
                  "suspension.cap_per_academic_year")
    await api_story.ok(api_story.cmd.suspend(duration_half_days=2), "head")


async def test_physical_intervention_only_by_staff_recorded_as_trained(api_story: ApiStory) -> None:
    await api_story.placed()
    await api_story.trained(TRAINED, TRAINED_TOO)
    incident = await api_story.incident()
    await refused(api_story, api_story.cmd.physical_intervention(incident, staff_involved=(TRAINED, UNTRAINED)),
                  "provider_staff", 409, "intervention.trained_staff_only")
    await api_story.ok(api_story.cmd.physical_intervention(incident), "provider_staff")


async def test_a_search_needs_the_same_sex_and_a_witness_unless_the_exception_is_recorded(
        api_story: ApiStory) -> None:
    await api_story.placed()
    await refused(api_story, api_story.cmd.search(searcher_sex=Sex.FEMALE), "provider_staff", 422,
                  "search.same_sex_with_witness")
    await refused(api_story, api_story.cmd.search(witness=None), "provider_staff", 422,
                  "search.same_sex_with_witness")
    await refused(api_story, api_story.cmd.search(witness=None, serious_harm_exception=True), "provider_staff",
                  422, "search.exception_reason")
    await api_story.ok(api_story.cmd.search(witness=None, serious_harm_exception=True,
                                            exception_reason="Blade seen; no second adult on site"),
                       "provider_staff")


async def test_prohibited_items_found_carry_a_lawful_disposal(api_story: ApiStory) -> None:
    await api_story.placed()
    knife = FoundItemInput(item=ProhibitedItem.KNIFE_OR_WEAPON)
    await refused(api_story, api_story.cmd.search(items_found=(knife,)), "provider_staff", 422,
                  "search.found_item_disposal")
    kept = FoundItemInput(item=ProhibitedItem.KNIFE_OR_WEAPON, disposal=ItemDisposal.RETAINED)
    await refused(api_story, api_story.cmd.search(items_found=(kept,)), "provider_staff", 422, "search.police_items")
    alcohol = FoundItemInput(item=ProhibitedItem.ALCOHOL, disposal=ItemDisposal.RETURNED)
    await refused(api_story, api_story.cmd.search(items_found=(alcohol,)), "provider_staff", 422,
                  "search.no_return_of_confiscated_substances")
    police = FoundItemInput(item=ProhibitedItem.KNIFE_OR_WEAPON, disposal=ItemDisposal.HANDED_TO_POLICE)
    await api_story.ok(api_story.cmd.search(items_found=(police,)), "provider_staff")


async def test_redemptions_stay_within_slips_earned_and_the_item_maximum(api_story: ApiStory) -> None:
    await api_story.placed()
    await api_story.ok(api_story.cmd.grant_reward(quantity=2), "provider_staff")
    await refused(api_story, api_story.cmd.redeem_reward(slips_spent=3), "provider_staff", 409,
                  "reward.slips_cover_redemption")
    await refused(api_story, api_story.cmd.redeem_reward(cost_pence=3001), "provider_staff", 422,
                  "reward.item_within_limit")
    await api_story.ok(api_story.cmd.redeem_reward(cost_pence=3000, slips_spent=2), "provider_staff")


async def test_a_reduced_timetable_has_a_review_date_and_a_reintegration_plan(api_story: ApiStory) -> None:
    await api_story.ready_to_place()
    review = START + timedelta(days=21)
    await refused(api_story, api_story.cmd.start_placement(timetable=TimetableKind.REDUCED), "commissioner", 422,
                  "timetable.reduced_has_review_date_and_plan")
    await refused(api_story, api_story.cmd.start_placement(timetable=TimetableKind.REDUCED,
                                                           reduced_timetable_review_date=review),
                  "commissioner", 422, "timetable.reduced_has_review_date_and_plan")
    await refused(api_story, api_story.cmd.start_placement(timetable=TimetableKind.REDUCED,
                                                           reduced_timetable_review_date=START + timedelta(days=90),
                                                           reintegration_plan="Add afternoons"),
                  "commissioner", 422, "timetable.reduced_is_time_limited")
    await api_story.ok(api_story.cmd.start_placement(timetable=TimetableKind.REDUCED,
                                                     reduced_timetable_review_date=review,
                                                     reintegration_plan="Add afternoons"), "commissioner")


async def test_nothing_is_recorded_on_an_ended_placement_not_even_corrections_by_its_provision(
        api_story: ApiStory) -> None:
    await api_story.placed()
    incident = api_story.cmd.record_incident()
    await api_story.ok(incident, "provider_staff")
    target = record_id_for(incident.command_id)
    await api_story.ok(api_story.cmd.amend(target, {"location": "corridor"}), "provider_manager",
                       purpose="correcting the record")
    await api_story.ok(api_story.cmd.confirm_reintegration(), "home_staff")
    await api_story.ok(api_story.cmd.end_placement(), "commissioner")
    await refused(api_story, api_story.cmd.record_attendance(), "provider_staff", 409, "placement.closed_after_end")
    await refused(api_story, api_story.cmd.record_incident(), "provider_staff", 409, "placement.closed_after_end")
    # Write access ends with the relationship (issue 9): the former provision corrects nothing either.
    for correction in (api_story.cmd.amend(target, {"location": "classroom"}), api_story.cmd.withdraw(target)):
        response = await api_story.send(correction, "provider_manager", "correcting the record")
        assert response.status_code == 403 and problem_of(response)["rule"] == "AMD-2", response.text


async def test_concurrent_writes_to_one_pupil_are_all_kept(api_story: ApiStory, service: ServiceUnderTest) -> None:
    """Two API instances (as two processes would) write one pupil's stream at once: conflicts on the
    stream version are detected and decided again, so every mark is kept, each at its own version."""
    await api_story.placed()
    other_instance = httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(service.deps)),
                                       base_url="http://incidents-2")
    before = await service.stream_length(api_story.stream)
    days = [DAY - timedelta(days=d) for d in range(12)]
    marks = [api_story.cmd.record_attendance(session_date=day, session=session)
             for day in days for session in (Session.AM, Session.PM)]

    async def post(index: int, mark) -> httpx.Response:
        if index % 2 == 0:
            return await api_story.send(mark, "provider_staff")
        body = mark.model_dump(mode="json", exclude={"pupil_ref"})
        return await other_instance.post(f"/v1/pupils/{api_story.pupil_ref}/attendance", json=body,
                                         headers=service.headers("provider_staff"))

    responses = await asyncio.gather(*(post(i, m) for i, m in enumerate(marks)))
    await other_instance.aclose()
    assert [r.status_code for r in responses] == [201] * len(marks), [r.text for r in responses if r.status_code != 201]
    versions = sorted(r.json()["first_version"] for r in responses)
    assert versions == list(range(before + 1, before + len(marks) + 1))
    assert await service.stream_length(api_story.stream) == before + len(marks)


async def test_concurrent_conflicting_writes_are_detected_never_both_recorded(
        api_story: ApiStory, service: ServiceUnderTest) -> None:
    await api_story.placed()
    before = await service.stream_length(api_story.stream)
    same_session = [api_story.cmd.record_attendance(session_date=date(2025, 2, 3)) for _ in range(6)]
    responses = await asyncio.gather(*(api_story.send(m, "provider_staff") for m in same_session))
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] + [409] * 5, [r.text for r in responses]
    assert {problem_of(r)["rule"] for r in responses if r.status_code == 409} == {"attendance.one_mark_per_session"}
    assert await service.stream_length(api_story.stream) == before + 1
