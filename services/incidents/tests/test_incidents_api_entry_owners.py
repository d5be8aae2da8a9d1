"""Who records on a placement is the access policy's alone (issue 10, one rule one owner), over HTTP.

The domain once repeated three policy rules under its own ids: ``placement.provider_records`` (the
day-to-day entries: DAY-1 to DAY-5, SG-RAISE-1), ``placement.parties_only`` (reviews, thresholds,
transition plans, the end of a place: REV, THR, TRN, PLC) and ``staff_register.provision_keeps``
(STAFF-1). The policy judges the same facts (the provision and commissioner of THE placement the
command names, the pupil's home school, the register's own provision), so the domain copies went: here
every hostile caller the old domain tests tried, and every other one, is still refused, now by the
policy, before anything is decided or stored.

Also the conflict the two owners had: SG-RAISE-2 and REF-1 granted the home school a safeguarding concern
and an external referral that the domain then refused. KCSIE: anyone with a concern about a child records
and shares it, and the home school stays responsible for its pupil in AP (BRIEF.md sections 2 and 5); at
the home school, staff pass concerns to their DSL, and that a concern exists is itself for DSLs. So the
home school's DSL records both for its own placed pupil, the provision's DSL sees the concern in the
behaviour log, and no other home-school role records or sees it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from uuid import uuid4

import httpx
import pytest
import pytest_asyncio

from ap_contracts.events.pupil_vocabulary import TrainingKind
from ap_incidents.domain import command_models as c
from ap_incidents.domain.identity import provision_stream_id
from ap_incidents.domain.staff_register import RecordStaffTraining
from ap_runtime.access.policy import NO_RULE, ROLE_ORG_RULE, default_policy_store

from .conftest import (
    OTHER_PROVISION,
    OTHER_SCHOOL,
    PEOPLE,
    PROVISION,
    ApiStory,
    RunningProjections,
    ServiceUnderTest,
    problem_of,
)

pytestmark = pytest.mark.integration

Build = Callable[[ApiStory], c.Command]

PROVIDER = frozenset({"provider_staff", "provider_manager"})
PROVIDER_ALL = PROVIDER | {"provider_dsl"}
DSLS = frozenset({"provider_dsl", "home_dsl"})

# Who may record each entry on the matrix pupil's placement (written from BRIEF.md, not from policy.yaml):
# the command, its action, and the callers NOT refused by the policy. Every other caller of PEOPLE is.
ENTRIES: dict[str, tuple[Build, str, frozenset[str]]] = {
    "attendance": (lambda s: s.cmd.record_attendance(session_date=date(2025, 2, 4)),
                   "incidents.record_attendance", PROVIDER),
    "incident": (lambda s: s.cmd.record_incident(), "incidents.record_incident", PROVIDER_ALL),
    "sanction": (lambda s: s.cmd.apply_sanction(), "incidents.apply_sanction", PROVIDER),
    "reward": (lambda s: s.cmd.grant_reward(), "incidents.grant_reward", PROVIDER),
    "redemption": (lambda s: s.cmd.redeem_reward(), "incidents.redeem_reward", PROVIDER),
    "keyworker": (lambda s: s.cmd.keyworker_session(), "incidents.record_keyworker_session", PROVIDER_ALL),
    "intervention": (lambda s: s.cmd.physical_intervention(uuid4()), "incidents.record_physical_intervention",
                     PROVIDER_ALL),
    "search": (lambda s: s.cmd.search(), "incidents.record_search", PROVIDER_ALL),
    "concern": (lambda s: s.cmd.safeguarding_concern(), "incidents.raise_safeguarding_concern",
                PROVIDER_ALL | {"home_dsl"}),
    "contract": (lambda s: s.cmd.behaviour_contract(), "incidents.agree_behaviour_contract", PROVIDER),
    "agency_referral": (lambda s: s.cmd.agency_referral(), "incidents.make_external_referral",
                        frozenset({"provider_manager", "provider_dsl", "home_dsl"})),
    # Once placement.parties_only: the parties of THE placement (its provision and commissioner) and the
    # pupil's home school, each for what its role does.
    "review": (lambda s: s.cmd.review(), "incidents.record_review",
               frozenset({"provider_manager", "commissioner", "home_staff", "head"})),
    "reduced_timetable_review": (lambda s: s.cmd.review_reduced_timetable(), "incidents.review_reduced_timetable",
                                 frozenset({"provider_manager", "commissioner", "head"})),
    "thresholds": (lambda s: s.cmd.agree_thresholds(), "incidents.agree_alert_thresholds",
                   frozenset({"provider_manager", "commissioner"})),
    "transition_plan": (lambda s: s.cmd.transition_plan(), "incidents.record_transition_plan",
                        frozenset({"provider_manager", "home_staff", "head"})),
    "reintegration": (lambda s: s.cmd.confirm_reintegration(), "incidents.confirm_reintegration",
                      frozenset({"home_staff", "head"})),
    "end": (lambda s: s.cmd.end_placement(end_date=date(2024, 12, 1)), "incidents.end_placement",
            frozenset({"provider_manager", "commissioner"})),
}


def _policy_rules(action: str) -> set[str]:
    policy = default_policy_store().current()
    return {rule.id for rule in policy.rules_for(action)} | {ROLE_ORG_RULE, NO_RULE}


def _denied_by_policy(response: httpx.Response) -> bool:
    return response.status_code == 403 and problem_of(response)["type"] == "urn:ap:problem:access-denied"


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def placed_pupil(service: ServiceUnderTest) -> ApiStory:
    story = ApiStory(service)
    await story.placed()
    return story


@pytest.mark.parametrize("entry", list(ENTRIES))
async def test_only_the_callers_the_policy_grants_record_on_a_placement(placed_pupil: ApiStory, entry: str) -> None:
    """Every caller outside the entry's grant is refused by the policy and stores nothing; the granted ones
    are not refused by the policy (the domain may still refuse what the facts do not allow)."""
    build, action, allowed = ENTRIES[entry]
    for who in PEOPLE:
        if who in allowed:
            response = await placed_pupil.send(build(placed_pupil), who)
            assert not _denied_by_policy(response), (entry, who, response.text)
            continue
        async with placed_pupil.service.nothing_recorded(placed_pupil.stream):
            response = await placed_pupil.send(build(placed_pupil), who)
        assert _denied_by_policy(response), (entry, who, response.status_code, response.text)
        assert problem_of(response)["rule"] in _policy_rules(action), (entry, who, problem_of(response))


async def test_only_the_provision_keeps_its_staff_register(service: ServiceUnderTest) -> None:
    """Once staff_register.provision_keeps: STAFF-1 grants a provision's manager its own register only."""
    training = RecordStaffTraining(command_id=uuid4(), provision_id=PROVISION, staff_id="staff-y",
                                   training=TrainingKind.PHYSICAL_INTERVENTION, completed_on=date(2024, 9, 1))
    stream = provision_stream_id(PROVISION)
    for who in PEOPLE:
        if who == "provider_manager":
            continue
        async with service.nothing_recorded(stream):
            response = await service.send(training, who)
        assert _denied_by_policy(response), (who, response.text)
        assert problem_of(response)["rule"] in _policy_rules("incidents.manage_staff_register")
    assert PEOPLE["other_provider_manager"][0] == OTHER_PROVISION  # the manager of another provision is refused
    response = await service.send(training, "provider_manager")
    assert response.status_code in (200, 201), response.text


async def test_after_a_move_of_school_the_new_home_school_reviews_and_takes_the_pupil_back(
        api_story: ApiStory) -> None:
    """The parties of a placement are the provision and commissioner named on it and the pupil's home school
    as the stored transfers leave it: the school the pupil moved to reviews the placement, the one it left
    no longer does (once refused the other way round by placement.parties_only, against the school named
    when the placement started)."""
    await api_story.placed()
    transfer = uuid4()
    await api_story.ok(c.RequestPupilTransfer(command_id=uuid4(), pupil_ref=api_story.pupil_ref, transfer_id=transfer,
                                              to_school_id=OTHER_SCHOOL, requested_on=date(2025, 3, 10)), "head")
    await api_story.ok(c.ConfirmPupilTransfer(command_id=uuid4(), pupil_ref=api_story.pupil_ref, transfer_id=transfer,
                                              effective_from=date(2025, 3, 10)), "la_officer")
    async with api_story.service.nothing_recorded(api_story.stream):
        former = await api_story.send(api_story.cmd.review(), "home_staff")
    assert _denied_by_policy(former) and problem_of(former)["rule"] in _policy_rules("incidents.record_review")
    await api_story.ok(api_story.cmd.review(), "other_home_staff")
    # The school that takes the pupil back from AP is the one it is now on roll at (once refused too, by
    # pupil.home_school_acts against the school named when the placement started; PLC-3 judges it).
    async with api_story.service.nothing_recorded(api_story.stream):
        former = await api_story.send(api_story.cmd.confirm_reintegration(), "home_staff")
    assert _denied_by_policy(former), former.text
    await api_story.ok(api_story.cmd.confirm_reintegration(), "other_home_staff")


# ----------------------------------------------------------------------------- the home school's DSL


async def _log(service: ServiceUnderTest, story: ApiStory, who: str, **params: str) -> httpx.Response:
    purpose = params.pop("purpose", None)
    return await service.client.get(f"/v1/pupils/{story.pupil_ref}/behaviour-log", params=params,
                                    headers=service.headers(who, purpose=purpose))


async def test_the_home_schools_dsl_raises_a_concern_both_dsls_see_it_and_nobody_else(
        api_story: ApiStory, service: ServiceUnderTest, projections: RunningProjections) -> None:
    await api_story.placed()
    await api_story.ok(api_story.cmd.safeguarding_concern(concern="Disclosed worry about home"), "home_dsl")
    await projections.caught_up()
    for dsl in DSLS:
        response = await _log(service, api_story, dsl, safeguarding="true", purpose="child protection review")
        assert response.status_code == 200, response.text
        [concern] = [e for e in response.json()["entries"] if e["event_type"] == "SafeguardingConcernRaised"]
        assert concern["details"]["concern"] == "Disclosed worry about home", dsl
    for who in set(PEOPLE) - DSLS:
        response = await _log(service, api_story, who)
        assert response.status_code in (200, 403), (who, response.text)
        assert "SafeguardingConcernRaised" not in response.text and "Disclosed worry" not in response.text, who


async def test_the_home_schools_dsl_records_an_external_referral_for_its_placed_pupil(
        api_story: ApiStory, service: ServiceUnderTest, projections: RunningProjections) -> None:
    await api_story.placed()
    await api_story.ok(api_story.cmd.agency_referral(reason="Referred to early help"), "home_dsl")
    await projections.caught_up()
    for dsl in DSLS:
        response = await _log(service, api_story, dsl)
        assert response.status_code == 200, response.text
        [referral] = [e for e in response.json()["entries"] if e["event_type"] == "ExternalAgencyReferralMade"]
        assert referral["details"]["reason"] == "Referred to early help", dsl


@pytest.mark.parametrize("who", ["home_staff", "head", "home_dpo"])
async def test_no_other_home_school_role_raises_a_concern_or_refers_to_an_agency(api_story: ApiStory, who: str) -> None:
    await api_story.placed()
    for command, action in ((api_story.cmd.safeguarding_concern(), "incidents.raise_safeguarding_concern"),
                            (api_story.cmd.agency_referral(), "incidents.make_external_referral")):
        async with api_story.service.nothing_recorded(api_story.stream):
            response = await api_story.send(command, who)
        assert _denied_by_policy(response), (who, response.text)
        assert problem_of(response)["rule"] in _policy_rules(action), problem_of(response)
