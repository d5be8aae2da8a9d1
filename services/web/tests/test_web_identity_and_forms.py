"""Unit tests of the web service's pure rules: claims mapping (WEB-SIGNIN-1), CSRF (WEB-CSRF-1) and the
incident question page's checks (WEB-FORM-1)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from ap_contracts.envelope import OrgKind
from ap_runtime.access import Role
from ap_web.csrf import csrf_token, csrf_valid
from ap_web.identity import UnknownPlatformClaim, person_from_claims
from ap_web.journeys.incident_form import check_answers, command_body

STAFF = {"sub": "staff-north", "name": "Sam", "org": "provision-demo-north", "org_kind": "provision",
         "roles": ["provision_staff"]}


def test_claims_map_to_the_platforms_organisation_and_roles() -> None:
    person = person_from_claims(STAFF)
    assert (person.user_id, person.organisation_id, person.org_kind, person.roles) == (
        "staff-north", "provision-demo-north", OrgKind.PROVISION, (Role.PROVISION_STAFF,))
    assert person_from_claims(person.as_session()) == person


@pytest.mark.parametrize(("change", "words"), [
    ({"roles": ["superuser"]}, "unknown role 'superuser'"),
    ({"roles": []}, "no roles"),
    ({"org_kind": "bank"}, "unknown organisation kind 'bank'"),
    ({"org": ""}, "no organisation"),
    ({"sub": None}, "no subject"),
])
def test_claims_naming_nothing_the_platform_knows_refuse_the_sign_in(change: dict[str, Any], words: str) -> None:
    with pytest.raises(UnknownPlatformClaim, match=words) as refused:
        person_from_claims({**STAFF, **change})
    assert refused.value.rule == "WEB-SIGNIN-1"


def test_csrf_token_is_the_sessions_and_only_it_passes() -> None:
    session: dict[str, Any] = {}
    token = csrf_token(session)
    assert csrf_token(session) == token and len(token) >= 40
    assert csrf_valid(session, token)
    assert not csrf_valid(session, token[:-1] + ("A" if token[-1] != "A" else "B"))
    assert not csrf_valid(session, None)
    assert not csrf_valid({}, token)


def valid_answers() -> dict[str, Any]:
    return {"pupil_ref": str(uuid.uuid4()), "placement_id": str(uuid.uuid4()), "happened_on": "2026-03-02",
            "happened_time": "10:15", "category": "verbal_abuse_to_adult", "severity": "2",
            "location": "classroom", "triggers": ["peer_conflict"], "description": "Shouted at staff."}


def test_complete_answers_pass_and_become_the_record_incident_body() -> None:
    answers = valid_answers()
    assert check_answers(answers) == []
    body = command_body({**answers, "command_id": "c", "incident_id": "i"}, "staff-north")
    assert body["happened_at"] == "2026-03-02T10:15:00+00:00" and body["severity"] == 2
    assert body["staff_involved"] == ["staff-north"] and body["triggers"] == ["peer_conflict"]


def test_each_missing_answer_is_reported_against_its_field_in_page_order() -> None:
    errors = check_answers({"triggers": []})
    assert [error.field for error in errors] == ["pupil_ref", "placement_id", "happened_on", "category",
                                                 "severity", "location", "triggers", "description"]
    assert errors[-1].message == "Enter what happened"


def test_an_answer_outside_the_vocabulary_or_in_the_future_is_refused() -> None:
    errors = check_answers({**valid_answers(), "category": "made_up", "happened_on": "2999-01-01"})
    assert {(error.field, error.message) for error in errors} == {
        ("category", "Select what kind of incident it was"),
        ("happened_on", "The date the incident happened must be today or in the past")}


def test_the_time_staff_give_is_on_the_school_clock_so_summer_times_carry_bst() -> None:
    body = command_body({**valid_answers(), "happened_on": "2026-06-10", "command_id": "c", "incident_id": "i"},
                        "staff-north")
    assert body["happened_at"] == "2026-06-10T10:15:00+01:00"
