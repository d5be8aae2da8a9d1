"""Issue 9 through the HTTP API: access rests on stored facts, never on what a caller names in the body, and
the protective rules a hurried user slipped past are refused with a named rule and leave no trace.

Each refusal is checked by ``refused``: the status, the rule named in the problem body, and nothing stored
in the event store or published to Kafka.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID, uuid4

import pytest

from ap_contracts.envelope import OrgKind
from ap_contracts.events.pupil_vocabulary import KeyStage, PlacementEndReason, Professional, YearGroup
from ap_incidents.domain import command_models as c
from ap_incidents.domain.identity import organisation_stream_id, record_id_for

from .conftest import (
    COMMISSIONER,
    OTHER_COMMISSIONER,
    OTHER_PROVISION,
    OTHER_SCHOOL,
    PARTNERSHIP,
    TRAINED_TOO,
    ApiStory,
    KafkaIngestion,
    ServiceUnderTest,
    problem_of,
)

pytestmark = pytest.mark.integration


async def refused(story: ApiStory, command: c.Command, who: str, status: int, rule: str,
                  purpose: str | None = None) -> dict[str, Any]:
    """``command`` is refused with ``status`` naming ``rule``, and leaves no trace."""
    async with story.service.nothing_recorded(story.stream):
        response = await story.send(command, who, purpose)
    assert response.status_code == status, response.text
    body = problem_of(response)
    assert body["rule"] == rule, body
    return body


async def invalid_body(story: ApiStory, path: str, body: dict[str, Any], who: str, *fields: str) -> None:
    """A body naming fields the command does not take is refused as invalid, naming them, and stores nothing."""
    async with story.service.nothing_recorded(story.stream):
        response = await story.service.client.post(path, json=body, headers=story.service.headers(who))
    assert response.status_code == 422, response.text
    problem = problem_of(response)
    assert problem["type"] == "urn:ap:problem:invalid-request"
    assert {e["field"] for e in problem["errors"]} >= set(fields), problem


def _placement_body(story: ApiStory, **extra: Any) -> dict[str, Any]:
    return story.cmd.start_placement().model_dump(mode="json", exclude={"pupil_ref"}) | extra


def _transfer(story: ApiStory, transfer_id: UUID, to_school: str = OTHER_SCHOOL) -> c.RequestPupilTransfer:
    return c.RequestPupilTransfer(command_id=uuid4(), pupil_ref=story.pupil_ref, transfer_id=transfer_id,
                                  to_school_id=to_school, requested_on=date(2025, 3, 10))


def _confirm(story: ApiStory, transfer_id: UUID) -> c.ConfirmPupilTransfer:
    return c.ConfirmPupilTransfer(command_id=uuid4(), pupil_ref=story.pupil_ref, transfer_id=transfer_id,
                                  effective_from=date(2025, 3, 10))


# ----------------------------------------------------------------------------- item 1: no LA takes over a pupil


async def test_a_local_authority_of_another_area_cannot_take_over_a_pupil(api_story: ApiStory) -> None:
    await api_story.registered()
    contact = api_story.cmd.update_details(family_contact="Ring the other authority")
    await refused(api_story, contact, "other_la_officer", 403, "PUP-2")
    path = f"/v1/pupils/{api_story.pupil_ref}/details"
    await invalid_body(api_story, path, {"command_id": str(uuid4()), "effective_from": "2025-03-10",
                                         "home_school_id": "la-rogue"}, "other_la_officer", "home_school_id")
    await invalid_body(api_story, path, {"command_id": str(uuid4()), "effective_from": "2025-03-10",
                                         "home_school_id": OTHER_SCHOOL}, "head", "home_school_id")
    await refused(api_story, _transfer(api_story, uuid4(), "school-home-1"), "other_la_officer", 403, "PUP-5")
    # Its DPO gets nothing either, and the real home school keeps its pupil.
    export = await api_story.service.client.get(
        f"/v1/pupils/{api_story.pupil_ref}/subject-access",
        headers=api_story.service.headers("other_la_dpo", "subject access request"))
    assert export.status_code == 403, export.text
    await api_story.ok(api_story.cmd.update_details(fsm_eligible=False), "home_staff")


async def test_the_home_schools_local_authority_acts_for_the_pupil(api_story: ApiStory) -> None:
    await api_story.ok(api_story.cmd.register_pupil(), "la_officer")
    await api_story.ok(api_story.cmd.update_details(looked_after=True), "la_officer")


async def test_a_local_authority_registers_pupils_only_at_its_own_schools(api_story: ApiStory) -> None:
    await refused(api_story, api_story.cmd.register_pupil(), "other_la_officer", 403, "PUP-2")


async def test_a_move_of_school_is_requested_by_one_party_and_confirmed_by_the_other(api_story: ApiStory) -> None:
    await api_story.registered()
    await refused(api_story, _transfer(api_story, uuid4(), "school-nobody-registered"), "head", 409,
                  "organisation.registered")
    transfer = uuid4()
    # The receiving school cannot move the pupil onto its own roll: it is not yet responsible for the pupil.
    await refused(api_story, _transfer(api_story, transfer), "other_head", 403, "PUP-4")
    await api_story.ok(_transfer(api_story, transfer), "head")
    await refused(api_story, _confirm(api_story, transfer), "head", 403, "transfer.confirmed_by_other_party")
    await refused(api_story, _confirm(api_story, transfer), "other_head", 403, "PUP-4")
    await api_story.ok(_confirm(api_story, transfer), "la_officer")
    await api_story.ok(api_story.cmd.update_details(fsm_eligible=False), "other_home_staff")
    await refused(api_story, api_story.cmd.update_details(fsm_eligible=True), "home_staff", 403, "PUP-1")


# ----------------------------------------------------------------------------- item 2: no self-named parties


async def test_an_organisation_cannot_name_itself_commissioner_of_a_placement(api_story: ApiStory) -> None:
    await api_story.ready_to_place()
    path = f"/v1/pupils/{api_story.pupil_ref}/placements"
    await invalid_body(api_story, path, _placement_body(api_story, commissioner_id=OTHER_COMMISSIONER,
                                                        partnership_id="np-south"),
                       "other_commissioner", "commissioner_id", "partnership_id")
    # Without the body fields it is judged against the referral's commissioner, which it is not.
    await refused(api_story, api_story.cmd.start_placement(), "other_commissioner", 403, "PLC-2")
    await api_story.ok(api_story.cmd.start_placement(), "commissioner")
    # ... so it cannot end the place, decide proposals, amend records or read the log either.
    await refused(api_story, api_story.cmd.end_placement(reason=PlacementEndReason.MANAGED_MOVE),
                  "other_commissioner", 403, "PLC-2")
    log = await api_story.service.client.get(f"/v1/pupils/{api_story.pupil_ref}/behaviour-log",
                                             headers=api_story.service.headers("other_commissioner"))
    assert log.status_code == 403, log.text


async def test_a_referral_names_only_a_commissioner_responsible_for_the_pupil(api_story: ApiStory) -> None:
    await api_story.registered()
    await refused(api_story, api_story.cmd.receive_referral(commissioner_id=OTHER_COMMISSIONER), "home_staff", 409,
                  "referral.commissioner_responsible")
    await refused(api_story, api_story.cmd.receive_referral(provision_id="provision-self-registered"), "home_staff",
                  409, "organisation.registered")


@pytest.mark.parametrize("field_and_who", [
    ("provision_id", "other_provider_manager"),      # a provision naming itself the receiving provision
    ("commissioner_id", "other_commissioner"),       # a commissioner naming itself on the referral
])
async def test_a_referral_is_recorded_only_by_the_home_school_whatever_it_names(
        api_story: ApiStory, field_and_who: tuple[str, str]) -> None:
    field, who = field_and_who
    await api_story.registered()
    named = {"provision_id": OTHER_PROVISION, "commissioner_id": OTHER_COMMISSIONER}[field]
    await refused(api_story, api_story.cmd.receive_referral(**{field: named}), who, 403, "REF-1")


async def test_bodies_naming_an_organisation_grant_it_nothing(api_story: ApiStory) -> None:
    """Sweep: every other command field holding an organisation id (destination, receiving school) names
    where a pupil goes, never who may act; an organisation naming itself there is refused."""
    await api_story.placed()
    await refused(api_story, api_story.cmd.end_placement(reason=PlacementEndReason.MANAGED_MOVE,
                                                         destination_id=OTHER_PROVISION),
                  "other_provider_manager", 403, "PLC-1")
    await refused(api_story, api_story.cmd.transition_plan(receiving_school_id=OTHER_SCHOOL), "other_head", 403,
                  "TRN-1")
    await refused(api_story, api_story.cmd.register_pupil(home_school_id=OTHER_SCHOOL), "other_head", 403, "PUP-1")


async def test_only_the_platform_administrator_keeps_the_register_of_organisations(
        api_story: ApiStory, service: ServiceUnderTest) -> None:
    school = c.RegisterOrganisation(command_id=uuid4(), organisation_id="school-self-registered",
                                    kind=OrgKind.HOME_SCHOOL, local_authority_id="la-rogue")
    for who in ("other_la_officer", "head", "la_officer"):
        response = await service.send(school, who)
        assert response.status_code == 403 and problem_of(response)["rule"] == "ORG-1", response.text
    assert await service.stream_length(organisation_stream_id("school-self-registered")) == 0
    incomplete = c.RegisterOrganisation(command_id=uuid4(), organisation_id="provision-incomplete",
                                        kind=OrgKind.PROVISION, local_authority_id="la-inclusion")
    response = await service.send(incomplete, "platform_admin")
    assert response.status_code == 422 and problem_of(response)["rule"] == "organisation.registration_complete"


# ----------------------------------------------------------------------------- item 3: protective rules


async def test_a_placement_dated_before_the_parent_was_consulted_is_refused(api_story: ApiStory) -> None:
    await api_story.registered()
    await api_story.ok(api_story.cmd.receive_referral(), "home_staff")
    await api_story.ok(api_story.cmd.consult_parent(consulted_on=date(2025, 1, 20)), "home_staff")
    await api_story.ok(api_story.cmd.decide_eligibility(decided_on=date(2025, 1, 20)), "provider_manager")
    body = await refused(api_story, api_story.cmd.start_placement(), "commissioner", 409,
                         "placement.after_its_prerequisites")
    assert "2025-01-20" in body["detail"]
    await api_story.ok(api_story.cmd.start_placement(start_date=date(2025, 1, 20)), "commissioner")


async def test_a_placement_dated_before_the_meeting_and_the_heads_decision_is_refused(api_story: ApiStory) -> None:
    await api_story.ready_to_place(year_group=YearGroup.Y7)
    await api_story.ok(api_story.cmd.record_meeting(held_on=date(2025, 1, 27)), "head")
    await refused(api_story, api_story.cmd.approve_out_of_key_stage(approved_on=date(2025, 1, 13)), "head", 409,
                  "placement.after_its_prerequisites")
    await api_story.ok(api_story.cmd.approve_out_of_key_stage(approved_on=date(2025, 1, 27)), "head")
    await refused(api_story, api_story.cmd.start_placement(), "commissioner", 409,
                  "placement.after_its_prerequisites")
    await api_story.ok(api_story.cmd.start_placement(start_date=date(2025, 1, 27)), "commissioner")


async def test_a_provisions_key_stages_are_registered_facts_not_typed(api_story: ApiStory) -> None:
    await api_story.ready_to_place(year_group=YearGroup.Y2)
    path = f"/v1/pupils/{api_story.pupil_ref}/placements"
    await invalid_body(api_story, path, _placement_body(api_story, key_stage=KeyStage.KS1.value), "commissioner",
                       "key_stage")
    await refused(api_story, api_story.cmd.start_placement(), "commissioner", 409,
                  "placement.out_of_key_stage_meeting")
    await api_story.ok(api_story.cmd.record_meeting(), "head")
    await refused(api_story, api_story.cmd.approve_out_of_key_stage(provision_key_stage=KeyStage.KS3), "head", 409,
                  "placement.key_stage_served_by_provision")


@pytest.mark.parametrize("witness", ["none", "nobody", "staff-south-1"])
async def test_a_search_witness_is_staff_on_the_register(api_story: ApiStory, witness: str) -> None:
    await api_story.placed()
    await refused(api_story, api_story.cmd.search(witness=witness), "provider_staff", 422,
                  "search.witness_on_staff_register")
    await api_story.ok(api_story.cmd.search(witness=TRAINED_TOO), "provider_staff")


async def test_a_provider_gives_alone_only_the_end_reasons_the_rule_book_allows(api_story: ApiStory) -> None:
    await api_story.placed()
    for reason in (PlacementEndReason.MANAGED_MOVE, PlacementEndReason.SPECIALIST_PROVISION,
                   PlacementEndReason.LEFT_AREA):
        await refused(api_story, api_story.cmd.end_placement(reason=reason), "provider_manager", 403,
                      "placement.end_reason_needs_commissioner")
    reintegration = api_story.cmd.end_placement(reason=PlacementEndReason.REINTEGRATED_TO_HOME_SCHOOL)
    await refused(api_story, reintegration, "provider_manager", 409,
                  "placement.reintegration_confirmed_by_home_school")
    await refused(api_story, api_story.cmd.confirm_reintegration(), "provider_manager", 403, "PLC-3")
    await api_story.ok(api_story.cmd.confirm_reintegration(), "home_staff")
    await api_story.ok(reintegration, "provider_manager")


async def test_the_commissioner_ends_a_place_for_its_own_reasons(api_story: ApiStory) -> None:
    await api_story.placed()
    await api_story.ok(api_story.cmd.end_placement(reason=PlacementEndReason.MANAGED_MOVE), "commissioner")


@pytest.mark.parametrize("attendees", [(Professional.SENCO,), (Professional.SENCO, Professional.SENCO), ()])
async def test_a_one_person_multidisciplinary_meeting_is_refused_by_name(
        api_story: ApiStory, attendees: tuple[Professional, ...]) -> None:
    await api_story.registered()
    await api_story.ok(api_story.cmd.receive_referral(), "home_staff")
    await refused(api_story, api_story.cmd.record_meeting(attendees=attendees), "head", 422,
                  "meeting.multidisciplinary")


async def test_the_placement_records_the_registered_parties(api_story: ApiStory, service: ServiceUnderTest) -> None:
    await api_story.placed()
    events = await service.deps.events_pool.fetch(
        "SELECT payload FROM events WHERE stream_id = $1 AND event_type = 'PlacementStarted'", api_story.stream)
    assert len(events) == 1
    payload = events[0]["payload"]
    text = payload if isinstance(payload, str) else str(payload)
    assert COMMISSIONER in text and PARTNERSHIP in text


async def test_a_named_adult_with_a_role_may_witness_a_search(api_story: ApiStory) -> None:
    await api_story.placed()
    adult = {"name": "PC Amrit Dhillon", "role": "police_officer"}
    await api_story.ok(api_story.cmd.search(witness=None, witness_adult=adult), "provider_staff")
    path = f"/v1/pupils/{api_story.pupil_ref}/searches"
    body = api_story.cmd.search(witness=None).model_dump(mode="json", exclude={"pupil_ref"})
    await invalid_body(api_story, path, body | {"witness_adult": {"name": "none"}}, "provider_staff",
                       "witness_adult.role")


@pytest.mark.parametrize(("entry", "field", "value", "who"), [
    ("placement", "partnership_id", "np-south", "commissioner"),
    ("placement", "partnership_id", "np-south", "provider_manager"),
    ("referral", "commissioner_id", OTHER_COMMISSIONER, "home_staff"),
])
async def test_an_amendment_cannot_rename_the_organisations_stored_facts_put_there(
        api_story: ApiStory, entry: str, field: str, value: str, who: str) -> None:
    """Sweep: ``AmendRecord.corrected_values`` is a body naming organisations; the parties a placement
    rests on come from the referral and the register and are not amendable (correct the register)."""
    await api_story.registered()
    referral = api_story.cmd.receive_referral()
    await api_story.ok(referral, "home_staff")
    await api_story.ok(api_story.cmd.consult_parent(), "home_staff")
    await api_story.ok(api_story.cmd.decide_eligibility(), "provider_manager")
    start = api_story.cmd.start_placement()
    await api_story.ok(start, "commissioner")
    target = record_id_for((start if entry == "placement" else referral).command_id)
    await refused(api_story, api_story.cmd.amend(target, {field: value}), who, 422, "correction.amendable_fields",
                  purpose="correcting the record")


@pytest.mark.parametrize("values", [{"to_school_id": "school-other-2"}, {"from_school_id": "la-rogue"}])
async def test_a_transfer_is_not_rewritten_by_an_amendment(api_story: ApiStory, values: dict[str, str]) -> None:
    await api_story.registered()
    request = _transfer(api_story, uuid4(), "school-other-2")
    await api_story.ok(request, "head")
    await refused(api_story, api_story.cmd.amend(record_id_for(request.command_id), values), "head", 422,
                  "correction.amendable_fields", purpose="correcting the record")


async def test_the_register_of_organisations_and_transfers_work_over_kafka_too(
        api_story: ApiStory, kafka_ingestion: KafkaIngestion, service: ServiceUnderTest) -> None:
    """The Kafka command topic takes the same commands with the same authorisation as HTTP."""
    school = c.RegisterOrganisation(command_id=uuid4(), organisation_id="school-kafka-registered",
                                    kind=OrgKind.HOME_SCHOOL, local_authority_id="la-inclusion")
    assert (await kafka_ingestion.run(school, "other_la_officer", service))["rule"] == "ORG-1"
    registered = await kafka_ingestion.run(school, "platform_admin", service)
    assert (registered["status"], registered["http_status"]) == ("accepted", 201), registered
    await api_story.registered()
    request = _transfer(api_story, uuid4(), "school-kafka-registered")
    assert (await kafka_ingestion.run(request, "head", service))["status"] == "accepted"
    confirm = _confirm(api_story, request.transfer_id)
    refused_result = await kafka_ingestion.run(confirm, "head", service)
    assert refused_result["rule"] == "transfer.confirmed_by_other_party", refused_result
    assert (await kafka_ingestion.run(_confirm(api_story, request.transfer_id), "la_officer", service))[
        "status"] == "accepted"
