"""``GET /v1/audit``: the DPO reads the access audit by pupil, user and time, stating why; the read is
audited; other callers are refused; records carry identifiers and decisions, never a payload."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from .conftest import HOME_SCHOOL, ApiStory, ServiceUnderTest, problem_of

pytestmark = pytest.mark.integration

PURPOSE = "complaint from a parent about who saw the record"


async def audit(service: ServiceUnderTest, who: str = "home_dpo", purpose: str | None = PURPOSE,
                **params: Any) -> httpx.Response:
    return await service.client.get("/v1/audit", params={k: str(v) for k, v in params.items()},
                                    headers=service.headers(who, purpose=purpose))


async def test_the_dpo_sees_every_read_and_write_about_the_pupil_allowed_or_denied(
        api_story: ApiStory, service: ServiceUnderTest) -> None:
    await api_story.placed()
    await api_story.ok(api_story.cmd.record_incident(description="Kicked the door in anger"), "provider_staff")
    denied = await service.client.get(f"/v1/pupils/{api_story.pupil_ref}/behaviour-log",
                                      headers=service.headers("other_home_staff"))
    assert denied.status_code == 403

    response = await audit(service, pupil_ref=api_story.pupil_ref)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["scope"] == "pupil" and body["pupil_ref"] == str(api_story.pupil_ref)
    records = body["records"]
    assert {r["pupil_ref"] for r in records} == {str(api_story.pupil_ref)}
    assert [r["seq"] for r in records] == sorted(r["seq"] for r in records)
    actions = [(r["action"], r["decision"], r["user_id"]) for r in records]
    assert ("incidents.register_pupil", "allowed", "head-user") in actions
    assert ("incidents.record_incident", "allowed", "provider_staff-user") in actions
    assert ("incidents.read_behaviour_log", "denied", "other_home_staff-user") in actions
    # The DPO's own read is in the audit too, with the purpose stated.
    assert records[-1]["action"] == "privacy.read_audit" and records[-1]["purpose"] == PURPOSE
    assert "Kicked the door" not in response.text
    assert set(records[0]) >= {"at", "roles", "organisation_id", "record_class", "rule_id", "reason",
                               "correlation_id", "break_glass", "policy_version", "hash"}


async def test_filters_by_user_and_time_and_pages_by_seq(api_story: ApiStory, service: ServiceUnderTest) -> None:
    started = datetime.now(UTC)
    await api_story.placed()
    by_staff = (await audit(service, pupil_ref=api_story.pupil_ref, user_id="home_staff-user")).json()["records"]
    assert by_staff and {r["user_id"] for r in by_staff} == {"home_staff-user"}
    later = (await audit(service, pupil_ref=api_story.pupil_ref, since=datetime.now(UTC) + timedelta(hours=1)))
    assert later.json()["records"] == []
    before = await audit(service, pupil_ref=api_story.pupil_ref, until=started.replace(tzinfo=None).isoformat())
    assert before.json()["records"] == []
    everything = (await audit(service, pupil_ref=api_story.pupil_ref)).json()["records"]
    first = (await audit(service, pupil_ref=api_story.pupil_ref, limit=2)).json()
    assert [r["seq"] for r in first["records"]] == [r["seq"] for r in everything[:2]]
    assert first["next_after_seq"] == everything[1]["seq"]
    rest = (await audit(service, pupil_ref=api_story.pupil_ref, after_seq=first["next_after_seq"])).json()
    assert [r["seq"] for r in rest["records"]][:len(everything) - 2] == [r["seq"] for r in everything[2:]]


async def test_without_a_pupil_a_dpo_reads_its_own_organisations_users_only(
        api_story: ApiStory, service: ServiceUnderTest) -> None:
    since = datetime.now(UTC)
    await api_story.placed()
    response = await audit(service, since=since.isoformat())
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["scope"] == "organisation" and body["organisation_id"] == HOME_SCHOOL
    users = {r["user_id"] for r in body["records"]}
    assert "head-user" in users and "home_staff-user" in users
    assert {r["organisation_id"] for r in body["records"]} == {HOME_SCHOOL}
    assert "commissioner-user" not in users and "provider_manager-user" not in users


async def test_only_a_dpo_responsible_for_the_pupil_and_stating_why(api_story: ApiStory,
                                                                   service: ServiceUnderTest) -> None:
    await api_story.placed()
    missing = await audit(service, purpose=None, pupil_ref=api_story.pupil_ref)
    assert missing.status_code == 403 and "purpose" in problem_of(missing)["detail"]
    for who in ("other_dpo", "head", "home_dsl", "la_officer", "provider_manager"):
        refused = await audit(service, who=who, pupil_ref=api_story.pupil_ref)
        assert refused.status_code == 403, who
        assert problem_of(refused)["type"] == "urn:ap:problem:access-denied"
    staff = await audit(service, who="home_staff")
    assert staff.status_code == 403
    bad = await audit(service, pupil_ref="not-a-uuid")
    assert bad.status_code == 422 and problem_of(bad)["errors"][0]["field"] == "pupil_ref"
