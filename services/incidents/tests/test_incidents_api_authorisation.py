"""Authorisation through the API: every caller (role x organisation relative to the pupil) against every
kind of endpoint, each denial's status and policy rule checked; then the named attacks: object-level
(another school's or provision's pupil), field-level (safeguarding detail) and function-level (a
provider calling the commissioner's or the head's decision)."""

from __future__ import annotations

import itertools
from collections.abc import Awaitable, Callable
from datetime import date
from uuid import uuid4

import httpx
import pytest
import pytest_asyncio

from ap_contracts.events.pupil_vocabulary import TrainingKind
from ap_incidents.domain.staff_register import RecordStaffTraining
from ap_runtime.access import query
from ap_runtime.access.policy import NO_RULE, ROLE_ORG_RULE, default_policy_store

from .conftest import PEOPLE, PROVISION, ApiStory, RunningProjections, ServiceUnderTest, problem_of

pytestmark = pytest.mark.integration

PROVIDER = {"provider_staff", "provider_manager", "provider_dsl"}
HOME = {"home_staff", "head", "home_dsl"}

# Who may act on the matrix pupil (placed at PROVISION, on roll at HOME_SCHOOL, commissioned by
# COMMISSIONER in PARTNERSHIP). Everyone else in PEOPLE must be refused by the policy.
ALLOWED: dict[str, set[str]] = {
    "record_incident": PROVIDER,
    "record_attendance": {"provider_staff", "provider_manager"},
    "raise_safeguarding_concern": PROVIDER | {"home_dsl"},
    "record_review": {"provider_manager", "home_staff", "head", "commissioner"},
    "start_placement": {"provider_manager", "commissioner"},
    "end_placement": {"provider_manager", "commissioner"},
    "record_commissioner_decision": {"commissioner"},
    "issue_suspension": {"head"},
    "amend_record": {"provider_manager", "provider_dsl", "home_staff", "head", "commissioner"},
    "read_behaviour_log": PROVIDER | HOME | {"commissioner"},
    "read_safeguarding_detail": {"provider_dsl", "home_dsl"},
    "subject_access": {"home_dpo"},
    "placement_register": PROVIDER | HOME | {"commissioner", "la_officer", "partnership_lead"},
}

ACTIONS: dict[str, str | tuple[str, ...]] = {
    "record_incident": "incidents.record_incident", "record_attendance": "incidents.record_attendance",
    "raise_safeguarding_concern": "incidents.raise_safeguarding_concern", "record_review": "incidents.record_review",
    "start_placement": "incidents.start_placement", "end_placement": "incidents.end_placement",
    "record_commissioner_decision": "incidents.record_commissioner_decision",
    "issue_suspension": "incidents.issue_exclusion",
    "amend_record": "incidents.amend_record", "read_behaviour_log": "incidents.read_behaviour_log",
    # Reading safeguarding detail is reading the log first, then the detail: either may refuse.
    "read_safeguarding_detail": ("incidents.read_behaviour_log", "incidents.read_safeguarding_detail"),
    "subject_access": "privacy.export_subject_access", "placement_register": "incidents.read_placement_register",
}

Call = Callable[[ApiStory, str], Awaitable[httpx.Response]]


def _command(build: Callable[[ApiStory], object], purpose: str | None = None) -> Call:
    async def call(story: ApiStory, who: str) -> httpx.Response:
        return await story.send(build(story), who, purpose)  # type: ignore[arg-type]

    return call


def _get(path: str, purpose: str | None = None, **params: str) -> Call:
    async def call(story: ApiStory, who: str) -> httpx.Response:
        service = story.service
        query_params = {k: v.format(pupil=story.pupil_ref) for k, v in params.items()}
        return await service.client.get(path.format(pupil=story.pupil_ref), params=query_params,
                                        headers=service.headers(who, purpose=purpose))

    return call


# Commands chosen so that an allowed caller changes nothing that later cases depend on: where the act
# would be structural (end, exclude, decide, start) the command breaks a domain rule after authorisation.
CALLS: dict[str, Call] = {
    "record_incident": _command(lambda s: s.cmd.record_incident()),
    "record_attendance": _command(lambda s: s.cmd.record_attendance(session_date=date(2025, 2, 4))),
    "raise_safeguarding_concern": _command(lambda s: s.cmd.safeguarding_concern()),
    "record_review": _command(lambda s: s.cmd.review()),
    "start_placement": _command(lambda s: s.cmd.start_placement(placement_id=uuid4())),
    "end_placement": _command(lambda s: s.cmd.end_placement(end_date=date(2024, 12, 1))),
    "record_commissioner_decision": _command(lambda s: s.cmd.commissioner_decision(uuid4())),
    "issue_suspension": _command(lambda s: s.cmd.suspend(duration_half_days=200)),
    "amend_record": _command(lambda s: s.cmd.amend(uuid4(), {"location": "corridor"}), purpose="correcting"),
    "read_behaviour_log": _get("/v1/pupils/{pupil}/behaviour-log"),
    "read_safeguarding_detail": _get("/v1/pupils/{pupil}/behaviour-log", purpose="child protection review",
                                     safeguarding="true"),
    "subject_access": _get("/v1/pupils/{pupil}/subject-access", purpose="subject access request"),
    "placement_register": _get("/v1/placements", pupil_ref="{pupil}"),
}


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def matrix_pupil(service: ServiceUnderTest, projections: RunningProjections) -> ApiStory:
    story = ApiStory(service)
    await story.placed()
    await story.ok(story.cmd.safeguarding_concern(), "provider_staff")
    await projections.caught_up()
    return story


def _policy_rules(actions: str | tuple[str, ...]) -> set[str]:
    policy = default_policy_store().current()
    wanted = actions if isinstance(actions, tuple) else (actions,)
    return {rule.id for action in wanted for rule in policy.rules_for(action)} | {ROLE_ORG_RULE, NO_RULE}


@pytest.mark.parametrize(("endpoint", "who"), list(itertools.product(CALLS, PEOPLE)))
async def test_matrix(matrix_pupil: ApiStory, endpoint: str, who: str) -> None:
    response = await CALLS[endpoint](matrix_pupil, who)
    if who in ALLOWED[endpoint]:
        denied = response.status_code == 403 and problem_of(response)["type"] == "urn:ap:problem:access-denied"
        assert not denied, (endpoint, who, response.text)
        assert response.status_code in (200, 201, 403, 409, 422), response.text
        if endpoint == "placement_register":
            assert str(matrix_pupil.pupil_ref) in {p["pupil_ref"] for p in response.json()["placements"]}
        return
    if endpoint == "placement_register" and who not in ("home_dpo", "other_dpo"):
        # The register is a list: a caller with a register rule gets 200 without this pupil's row.
        assert response.status_code == 200, response.text
        assert str(matrix_pupil.pupil_ref) not in {p["pupil_ref"] for p in response.json()["placements"]}
        return
    assert response.status_code == 403, (endpoint, who, response.text)
    problem = problem_of(response)
    assert problem["type"] == "urn:ap:problem:access-denied"
    assert problem["rule"] in _policy_rules(ACTIONS[endpoint]), problem
    assert problem["detail"]


async def test_object_level_another_schools_or_provisions_pupil(matrix_pupil: ApiStory,
                                                                service: ServiceUnderTest) -> None:
    log = f"/v1/pupils/{matrix_pupil.pupil_ref}/behaviour-log"
    other_school = await service.client.get(log, headers=service.headers("other_home_staff"))
    assert other_school.status_code == 403 and problem_of(other_school)["rule"] == "LOG-2"
    other_provider = await matrix_pupil.send(matrix_pupil.cmd.record_incident(), "other_provider_staff")
    assert other_provider.status_code == 403 and problem_of(other_provider)["rule"] == "DAY-3"
    unknown = await service.client.get(f"/v1/pupils/{uuid4()}/behaviour-log", headers=service.headers("head"))
    assert unknown.status_code == 403
    # Each denial is in the access audit, with the rule and the pupil.
    audit = await query(service.deps.audit_pool, pupil=matrix_pupil.pupil_ref, user="other_home_staff-user")
    assert any(r.decision == "denied" and r.rule_id == "LOG-2" for r in audit)


async def test_field_level_safeguarding_detail_is_withheld_from_non_dsls(matrix_pupil: ApiStory,
                                                                         service: ServiceUnderTest) -> None:
    log = f"/v1/pupils/{matrix_pupil.pupil_ref}/behaviour-log"
    staff = await service.client.get(log, headers=service.headers("provider_staff"))
    assert staff.status_code == 200, staff.text
    assert "SafeguardingConcernRaised" not in staff.text and "Repeatedly arrives hungry" not in staff.text
    asked = await service.client.get(log, params={"safeguarding": "true"},
                                     headers=service.headers("home_staff", purpose="just looking"))
    assert asked.status_code == 403 and problem_of(asked)["rule"] == "SG-1"


async def test_function_level_a_provider_cannot_take_the_commissioners_or_the_heads_decision(
        matrix_pupil: ApiStory) -> None:
    decision = await matrix_pupil.send(matrix_pupil.cmd.commissioner_decision(uuid4()), "provider_manager")
    assert decision.status_code == 403 and problem_of(decision)["rule"] == "EXC-2"
    exclusion = await matrix_pupil.send(matrix_pupil.cmd.exclude_permanently(), "provider_manager")
    assert exclusion.status_code == 403 and problem_of(exclusion)["rule"] == "EXC-3"
    training = await matrix_pupil.send(
        RecordStaffTraining(command_id=uuid4(), provision_id=PROVISION, staff_id="staff-x",
                            training=TrainingKind.PHYSICAL_INTERVENTION, completed_on=date(2024, 9, 1)),
        "other_provider_manager")
    assert training.status_code == 403 and problem_of(training)["rule"] == "STAFF-1"


async def test_only_a_data_controllers_dpo_erases(service: ServiceUnderTest) -> None:
    story = ApiStory(service)
    await story.placed()
    body = {"command_id": str(uuid4()), "reason": "erasure_request_upheld", "legal_basis": "UK GDPR Art. 17",
            "requested_by": "data_subject"}
    for who in ("other_dpo", "head", "provider_manager", "commissioner", "la_officer"):
        response = await service.client.post(f"/v1/pupils/{story.pupil_ref}/erasure", json=body,
                                             headers=service.headers(who, purpose="erase"))
        assert response.status_code == 403, who
        assert problem_of(response)["rule"] in _policy_rules("privacy.erase_pupil")
    assert await service.deps.keystore.get(str(story.pupil_ref)) is not None
