"""Query endpoints on real read models: the behaviour log in order with corrections shown, field-level
redaction, the placement register per relationship, subject access and erasure without a rebuild."""

from __future__ import annotations

from uuid import uuid4

import pytest

from ap_incidents.domain.identity import record_id_for

from .conftest import ApiStory, RunningProjections, ServiceUnderTest, problem_of

pytestmark = pytest.mark.integration


async def log_of(service: ServiceUnderTest, story: ApiStory, who: str, **params: object):
    headers = service.headers(who, purpose=params.pop("purpose", None))
    if params.pop("break_glass", False):
        headers["X-Break-Glass"] = "true"
    return await service.client.get(f"/v1/pupils/{story.pupil_ref}/behaviour-log", params=params, headers=headers)


async def test_the_log_shows_what_was_accepted_in_order_and_shows_corrections(
        api_story: ApiStory, service: ServiceUnderTest, projections: RunningProjections) -> None:
    await api_story.placed()
    incident = api_story.cmd.record_incident()
    await api_story.ok(incident, "provider_staff")
    sanction = api_story.cmd.apply_sanction(incident_id=incident.incident_id)
    await api_story.ok(sanction, "provider_staff")
    await api_story.ok(api_story.cmd.record_attendance(), "provider_staff")
    await api_story.ok(api_story.cmd.amend(record_id_for(incident.command_id), {"location": "corridor"}),
                       "provider_manager", purpose="wrong location")
    await api_story.ok(api_story.cmd.withdraw(record_id_for(sanction.command_id)), "provider_manager",
                       purpose="duplicate")
    await projections.caught_up()
    response = await log_of(service, api_story, "provider_staff")
    assert response.status_code == 200, response.text
    entries = response.json()["entries"]
    assert [e["event_type"] for e in entries] == [
        "PupilRegistered", "ReferralReceived", "ParentConsultationRecorded", "EligibilityDecided",
        "PlacementStarted", "IncidentRecorded", "SanctionApplied", "AttendanceRecorded", "RecordAmended",
        "RecordWithdrawnInError",
    ]
    assert [e["stream_version"] for e in entries] == list(range(1, 11))
    by_type = {e["event_type"]: e for e in entries}
    recorded = by_type["IncidentRecorded"]
    assert recorded["amended"] and not recorded["withdrawn"]
    assert recorded["details"]["location"] == "outdoor_area"  # history is not edited...
    assert recorded["corrections"][0]["kind"] == "amended"  # ...the correction is shown
    assert by_type["RecordAmended"]["details"]["corrected_values"] == {"location": "corridor"}
    assert by_type["SanctionApplied"]["withdrawn"]
    assert recorded["details"]["description"] == "Pushed another pupil"


async def test_safeguarding_detail_only_for_the_dsl_with_a_purpose_or_by_break_glass(
        api_story: ApiStory, service: ServiceUnderTest, projections: RunningProjections) -> None:
    await api_story.placed()
    await api_story.ok(api_story.cmd.safeguarding_concern(concern="Bruising on both arms"), "provider_staff")
    await api_story.ok(api_story.cmd.agency_referral(reason="Low mood at home"), "provider_manager")
    await projections.caught_up()

    def concern(response) -> dict:
        assert response.status_code == 200, response.text
        return next(e for e in response.json()["entries"] if e["event_type"] == "SafeguardingConcernRaised")

    staff_log = await log_of(service, api_story, "provider_staff")
    assert staff_log.status_code == 200, staff_log.text
    # Not a withheld row: no row at all (that a concern exists is safeguarding information).
    assert "SafeguardingConcernRaised" not in staff_log.text and "Bruising" not in staff_log.text
    placeholder = concern(await log_of(service, api_story, "provider_dsl"))
    assert placeholder["details"] == {} and "Bruising" not in str(placeholder)
    asked = await log_of(service, api_story, "provider_staff", safeguarding="true", purpose="curious")
    assert asked.status_code == 403 and problem_of(asked)["rule"] == "SG-1"
    no_purpose = await log_of(service, api_story, "provider_dsl", safeguarding="true")
    assert no_purpose.status_code == 403 and "purpose" in problem_of(no_purpose)["detail"]
    dsl_view = concern(await log_of(service, api_story, "provider_dsl", safeguarding="true", purpose="CP review"))
    assert dsl_view["details"]["concern"] == "Bruising on both arms"
    head_refused = await log_of(service, api_story, "head", safeguarding="true", purpose="emergency")
    assert head_refused.status_code == 403 and problem_of(head_refused)["rule"] == "SG-BG-1"
    head_view = concern(await log_of(service, api_story, "head", safeguarding="true", purpose="child missing",
                                     break_glass=True))
    assert head_view["details"]["concern"] == "Bruising on both arms"
    # The commissioner reads behaviour but not SEN/health detail such as an agency referral's reason.
    commissioner = await log_of(service, api_story, "commissioner")
    referral = next(e for e in commissioner.json()["entries"] if e["event_type"] == "ExternalAgencyReferralMade")
    assert "reason" not in referral["details"] and "reason" in referral["withheld_fields"]


async def test_the_placement_register_shows_each_party_its_own_placements(
        api_story: ApiStory, service: ServiceUnderTest, projections: RunningProjections) -> None:
    await api_story.ready_to_place(display_name="Quillan Register")
    await api_story.ok(api_story.cmd.start_placement(), "commissioner")
    await projections.caught_up()

    async def rows(who: str) -> list[dict]:
        response = await service.client.get("/v1/placements", params={"pupil_ref": str(api_story.pupil_ref)},
                                            headers=service.headers(who))
        assert response.status_code == 200, response.text
        return response.json()["placements"]

    for who in ("provider_staff", "provider_manager", "home_staff", "head", "commissioner", "la_officer"):
        found = await rows(who)
        assert [r["placement_id"] for r in found] == [str(api_story.placement_id)], who
        assert found[0]["display_name"] == "Quillan Register"
        assert found[0]["status"] == "active" and found[0]["timetable"] == "full_time"
    pseudonymous = await rows("partnership_lead")
    assert len(pseudonymous) == 1 and "display_name" not in pseudonymous[0]
    for who in ("other_provider_staff", "other_home_staff", "other_commissioner", "other_partnership_lead"):
        assert await rows(who) == [], who
    denied = await service.client.get("/v1/placements", headers=service.headers("home_dpo"))
    assert denied.status_code == 403 and problem_of(denied)["rule"]


async def test_subject_access_for_the_dpo_in_json_and_html(api_story: ApiStory, service: ServiceUnderTest) -> None:
    await api_story.placed(exit_criteria="Settled in class for a month")
    path = f"/v1/pupils/{api_story.pupil_ref}/subject-access"
    document = await service.client.get(path, headers=service.headers("home_dpo", purpose="SAR from parent"))
    assert document.status_code == 200, document.text
    body = document.json()
    assert body["pupil_ref"] == str(api_story.pupil_ref) and body["record_count"] == 5
    assert "Settled in class for a month" in document.text
    html = await service.client.get(path, headers={**service.headers("home_dpo", purpose="SAR"),
                                                   "Accept": "text/html"})
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    assert "Settled in class for a month" in html.text
    for who, purpose in (("home_dpo", None), ("other_dpo", "SAR"), ("head", "SAR")):
        refused = await service.client.get(path, headers=service.headers(who, purpose=purpose))
        assert refused.status_code == 403, who


async def test_erasure_closes_the_record_and_read_models_drop_personal_values_without_a_rebuild(
        api_story: ApiStory, service: ServiceUnderTest, projections: RunningProjections) -> None:
    await api_story.placed()
    await api_story.ok(api_story.cmd.record_incident(description="Threw a chair at the window"), "provider_staff")
    await projections.caught_up()
    before = (await log_of(service, api_story, "provider_staff")).json()["entries"]
    assert any(e["details"].get("description") == "Threw a chair at the window" for e in before)
    erase = {"command_id": str(uuid4()), "reason": "erasure_request_upheld", "legal_basis": "UK GDPR Art. 17(1)(a)",
             "requested_by": "parent_or_carer"}
    path = f"/v1/pupils/{api_story.pupil_ref}/erasure"
    refused = await service.client.post(path, json=erase, headers=service.headers("home_dpo"))
    assert refused.status_code == 403 and "purpose" in problem_of(refused)["detail"]
    first = await service.client.post(path, json=erase, headers=service.headers("home_dpo", purpose="request upheld"))
    assert first.status_code == 201, first.text
    again = await service.client.post(path, json=erase, headers=service.headers("home_dpo", purpose="retry"))
    assert again.status_code == 200 and again.json() == first.json()
    assert await service.deps.keystore.get(str(api_story.pupil_ref)) is None
    closed = await api_story.send(api_story.cmd.record_attendance(), "provider_staff")
    assert closed.status_code == 409 and problem_of(closed)["rule"] == "pupil.erased_record_closed"
    await projections.caught_up()
    after = (await log_of(service, api_story, "provider_staff")).json()["entries"]
    assert len(after) == len(before) + 1 and after[-1]["event_type"] == "PupilDataErased"
    assert all(e["personal_data_erased"] for e in after)
    assert "Threw a chair" not in str(after) and "Test Pupil" not in str(after)
    register = await service.client.get("/v1/placements", params={"pupil_ref": str(api_story.pupil_ref)},
                                        headers=service.headers("provider_staff"))
    assert register.json()["placements"][0]["display_name"] is None


async def test_the_same_command_id_twice_records_once(api_story: ApiStory, service: ServiceUnderTest) -> None:
    await api_story.placed()
    command = api_story.cmd.record_incident()
    first = await api_story.send(command, "provider_staff")
    length = await service.stream_length(api_story.stream)
    second = await api_story.send(command, "provider_staff")
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json() == second.json()
    assert await service.stream_length(api_story.stream) == length
    other = ApiStory(service)
    await other.placed()
    moved = await other.send(other.cmd.record_attendance(command_id=command.command_id), "provider_staff")
    assert moved.status_code == 409 and problem_of(moved)["rule"] == "command.id_unique"


async def test_invalid_bodies_are_422_naming_each_field(api_story: ApiStory, service: ServiceUnderTest) -> None:
    await api_story.placed()
    path = f"/v1/pupils/{api_story.pupil_ref}/incidents"
    headers = service.headers("provider_staff")
    body = api_story.cmd.record_incident().model_dump(mode="json", exclude={"pupil_ref"})
    missing = {k: v for k, v in body.items() if k != "description"} | {"severity": 9, "colour": "red"}
    response = await service.client.post(path, json=missing, headers=headers)
    assert response.status_code == 422
    problems = {e["field"]: e["problem"] for e in problem_of(response)["errors"]}
    assert set(problems) == {"description", "severity", "colour"}, problems
    wrong_pupil = await service.client.post(path, json=body | {"pupil_ref": str(uuid4())}, headers=headers)
    assert [e["field"] for e in problem_of(wrong_pupil)["errors"]] == ["pupil_ref"]
    not_json = await service.client.post(path, content=b"{not json", headers=headers)
    assert not_json.status_code == 422 and problem_of(not_json)["errors"][0]["field"] == "<root>"
    bad_path = await service.client.post("/v1/pupils/not-a-uuid/incidents", json=body, headers=headers)
    assert bad_path.status_code == 422 and problem_of(bad_path)["errors"][0]["field"] == "pupil_ref"
    assert await service.stream_length(api_story.stream) == 5


async def test_tokens_are_required_and_checked(api_story: ApiStory, service: ServiceUnderTest) -> None:
    await api_story.placed()
    path = f"/v1/pupils/{api_story.pupil_ref}/attendance"
    body = api_story.cmd.record_attendance().model_dump(mode="json", exclude={"pupil_ref"})
    missing = await service.client.post(path, json=body)
    assert missing.status_code == 401 and problem_of(missing)["type"] == "urn:ap:problem:unauthenticated"
    forged = await service.client.post(path, json=body, headers={"Authorization": "Bearer not.a.token"})
    assert forged.status_code == 401 and "WWW-Authenticate" in forged.headers


async def test_openapi_documents_every_command_with_its_model(service: ServiceUnderTest) -> None:
    from ap_incidents.application.catalogue import COMMANDS

    document = (await service.client.get("/openapi.json")).json()
    for spec in COMMANDS.values():
        operation = document["paths"][f"/v1{spec.scope_path}/{spec.path}"]["post"]
        ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        schema = document["components"]["schemas"][ref.rsplit("/", 1)[1]]
        assert "command_id" in schema["properties"] and "pupil_ref" not in schema["properties"]
    assert {"/v1/pupils/{pupil_ref}/behaviour-log", "/v1/placements", "/v1/pupils/{pupil_ref}/subject-access",
            "/healthz", "/readyz"} <= set(document["paths"])


async def test_health(service: ServiceUnderTest) -> None:
    assert (await service.client.get("/healthz")).json() == {"status": "ok"}
    assert (await service.client.get("/readyz")).json() == {"status": "ok"}
