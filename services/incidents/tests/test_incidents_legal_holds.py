"""Legal holds: the rules (placed once, lifted once, only on a live record) and the API endpoints
``POST /v1/pupils/{ref}/legal-holds`` and ``.../legal-holds/{hold_id}/lift`` on real PostgreSQL, plus
the same command over Kafka."""

from __future__ import annotations

from uuid import UUID, uuid4

import pytest

from ap_contracts.envelope import OrgKind
from ap_contracts.events.privacy import LegalHoldLifted, LegalHoldPlaced, PupilDataErased
from ap_incidents.application.catalogue import COMMANDS
from ap_incidents.domain.decide import decide
from ap_incidents.domain.errors import PupilNotRegistered, PupilRecordErased
from ap_incidents.domain.evolve import fold
from ap_incidents.domain.themes.privacy import (
    ErasePupil,
    ErasureUnderLegalHold,
    LegalHoldIdInUse,
    LegalHoldNotInForce,
    LiftLegalHold,
    PlaceLegalHold,
    holds_in_force,
)

from .conftest import HOME_SCHOOL, ApiStory, KafkaIngestion, ServiceUnderTest, Story, caller, problem_of

REFERENCE = "Inquiry ref. PI-2025-014"
DPO = caller(HOME_SCHOOL, OrgKind.HOME_SCHOOL, "dpo")  # the rules of holds and erasure read no caller


def place(story: Story, hold_id: UUID, reference: str = REFERENCE) -> PlaceLegalHold:
    return PlaceLegalHold(command_id=uuid4(), pupil_ref=story.pupil_ref, hold_id=hold_id,
                          authority_reference=reference)


def lift(story: Story, hold_id: UUID) -> LiftLegalHold:
    return LiftLegalHold(command_id=uuid4(), pupil_ref=story.pupil_ref, hold_id=hold_id,
                         authority_reference=REFERENCE)


def run(story: Story, command: PlaceLegalHold | LiftLegalHold) -> list[LegalHoldPlaced | LegalHoldLifted]:
    events: list[LegalHoldPlaced | LegalHoldLifted] = [*decide(command, fold(story.events), story.context(DPO))]
    story.given(events)
    return events


# -- the rules ------------------------------------------------------------------------------------------


def test_a_hold_is_placed_then_lifted_and_is_in_force_in_between(story: Story) -> None:
    story.registered()
    hold = uuid4()
    [placed] = run(story, place(story, hold))
    assert isinstance(placed, LegalHoldPlaced) and placed.authority_reference == REFERENCE
    assert holds_in_force(story.events) == {hold}
    [lifted] = run(story, lift(story, hold))
    assert isinstance(lifted, LegalHoldLifted) and holds_in_force(story.events) == frozenset()


def test_placing_the_same_hold_again_records_nothing_but_reusing_its_id_is_refused(story: Story) -> None:
    story.registered()
    hold = uuid4()
    run(story, place(story, hold))
    assert run(story, place(story, hold)) == []
    with pytest.raises(LegalHoldIdInUse):
        run(story, place(story, hold, "Another inquiry"))
    run(story, lift(story, hold))
    with pytest.raises(LegalHoldIdInUse):
        run(story, place(story, hold))


def test_only_a_hold_in_force_is_lifted(story: Story) -> None:
    story.registered()
    with pytest.raises(LegalHoldNotInForce):
        run(story, lift(story, uuid4()))
    hold = uuid4()
    run(story, place(story, hold))
    run(story, lift(story, hold))
    with pytest.raises(LegalHoldNotInForce):
        run(story, lift(story, hold))


def test_several_holds_are_independent(story: Story) -> None:
    story.registered()
    first, second = uuid4(), uuid4()
    run(story, place(story, first))
    run(story, place(story, second, "Court order CO-77"))
    run(story, lift(story, first))
    assert holds_in_force(story.events) == {second}


def test_no_hold_on_an_unregistered_or_erased_pupil(story: Story) -> None:
    with pytest.raises(PupilNotRegistered):
        run(story, place(story, uuid4()))
    story.registered()
    story.given([PupilDataErased(pupil_ref=story.pupil_ref, reason="erasure_request_upheld",
                                 legal_basis="UK GDPR Art. 17", requested_by="data_subject")])
    with pytest.raises(PupilRecordErased):
        run(story, place(story, uuid4()))


# -- through the API ------------------------------------------------------------------------------------

integration = pytest.mark.integration


def hold_path(story: ApiStory) -> str:
    return f"/v1/pupils/{story.pupil_ref}/legal-holds"


def body(hold_id: UUID, reference: str = REFERENCE) -> dict[str, str]:
    return {"command_id": str(uuid4()), "hold_id": str(hold_id), "authority_reference": reference}


@integration
async def test_the_dpo_places_and_lifts_a_hold_stating_why(api_story: ApiStory, service: ServiceUnderTest) -> None:
    await api_story.placed()
    hold = uuid4()
    placing = body(hold)
    headers = service.headers("home_dpo", purpose="preservation notice from the inquiry")
    first = await service.client.post(hold_path(api_story), json=placing, headers=headers)
    assert first.status_code == 201, first.text
    retried = await service.client.post(hold_path(api_story), json=placing, headers=headers)
    assert retried.status_code == 200 and retried.json() == first.json()
    # A token carries one write command: the next commands (new command ids) each bring a fresh one.
    fresh = service.headers("home_dpo", purpose="preservation notice from the inquiry")
    again = await service.client.post(hold_path(api_story), json=body(hold), headers=fresh)
    assert again.status_code == 200 and again.json()["event_ids"] == []
    fresh = service.headers("home_dpo", purpose="preservation notice from the inquiry")
    reused = await service.client.post(hold_path(api_story), json=body(hold, "Another inquiry"), headers=fresh)
    assert reused.status_code == 409 and problem_of(reused)["rule"] == "privacy.legal_hold_id_unique"

    lifting = {"command_id": str(uuid4()), "authority_reference": REFERENCE}
    lifted = await service.client.post(f"{hold_path(api_story)}/{hold}/lift", json=lifting,
                                       headers=service.headers("home_dpo", purpose="inquiry closed"))
    assert lifted.status_code == 201, lifted.text
    twice = await service.client.post(f"{hold_path(api_story)}/{hold}/lift",
                                      json=lifting | {"command_id": str(uuid4())},
                                      headers=service.headers("home_dpo", purpose="inquiry closed"))
    assert twice.status_code == 409 and problem_of(twice)["rule"] == "privacy.legal_hold_in_force"
    stored = await service.deps.events_pool.fetch(
        "SELECT event_type, payload->>'hold_id' AS hold FROM events WHERE stream_id = $1"
        " AND event_type LIKE 'LegalHold%' ORDER BY stream_version", api_story.stream)
    assert [(r["event_type"], r["hold"]) for r in stored] == [("LegalHoldPlaced", str(hold)),
                                                             ("LegalHoldLifted", str(hold))]


@integration
async def test_only_a_data_controllers_dpo_stating_why_places_or_lifts(api_story: ApiStory,
                                                                       service: ServiceUnderTest) -> None:
    await api_story.placed()
    hold = uuid4()
    for who, purpose in (("other_dpo", "notice"), ("head", "notice"), ("provider_manager", "notice"),
                         ("la_officer", "notice"), ("home_dpo", None)):
        refused = await service.client.post(hold_path(api_story), json=body(hold),
                                            headers=service.headers(who, purpose=purpose))
        assert refused.status_code == 403, (who, refused.text)
        assert problem_of(refused)["type"] == "urn:ap:problem:access-denied"
    await service.client.post(hold_path(api_story), json=body(hold),
                              headers=service.headers("home_dpo", purpose="notice"))
    refused = await service.client.post(f"{hold_path(api_story)}/{hold}/lift", json=body(hold),
                                        headers=service.headers("other_dpo", purpose="closing"))
    assert refused.status_code == 403 and problem_of(refused)["rule"].startswith("DP-")


@integration
async def test_the_hold_in_the_path_is_checked_like_any_field(api_story: ApiStory, service: ServiceUnderTest) -> None:
    await api_story.registered()
    headers = service.headers("home_dpo", purpose="closing")
    bad = await service.client.post(f"{hold_path(api_story)}/not-a-uuid/lift", json=body(uuid4()), headers=headers)
    assert bad.status_code == 422 and [e["field"] for e in problem_of(bad)["errors"]] == ["hold_id"]
    clash = await service.client.post(f"{hold_path(api_story)}/{uuid4()}/lift", json=body(uuid4()), headers=headers)
    assert clash.status_code == 422
    assert problem_of(clash)["errors"] == [{"field": "hold_id",
                                            "problem": "does not match the one in the path or message"}]
    unknown = await service.client.post(f"{hold_path(api_story)}/{uuid4()}/lift",
                                        json={"command_id": str(uuid4()), "authority_reference": REFERENCE},
                                        headers=headers)
    assert unknown.status_code == 409 and problem_of(unknown)["rule"] == "privacy.legal_hold_in_force"


@integration
async def test_openapi_names_the_hold_in_the_path_and_not_in_the_body(service: ServiceUnderTest) -> None:
    document = (await service.client.get("/openapi.json")).json()
    operation = document["paths"]["/v1/pupils/{pupil_ref}/legal-holds/{hold_id}/lift"]["post"]
    assert {p["name"] for p in operation["parameters"] if p["in"] == "path"} == {"pupil_ref", "hold_id"}
    schema = document["components"]["schemas"]["LiftLegalHoldBody"]
    assert "hold_id" not in schema["properties"] and "hold_id" not in schema["required"]
    assert "hold_id" in document["components"]["schemas"]["PlaceLegalHoldBody"]["required"]


@integration
async def test_a_hold_placed_over_kafka_is_the_same_command(api_story: ApiStory, service: ServiceUnderTest,
                                                            kafka_ingestion: KafkaIngestion) -> None:
    await api_story.registered()
    command = PlaceLegalHold(command_id=uuid4(), pupil_ref=api_story.pupil_ref, hold_id=uuid4(),
                             authority_reference=REFERENCE)
    result = await kafka_ingestion.run(command, "home_dpo", service, purpose="preservation notice")
    assert result["status"] == "accepted", result
    denied = await kafka_ingestion.run(command.model_copy(update={"command_id": uuid4()}), "other_dpo", service,
                                       purpose="preservation notice")
    assert denied["status"] == "denied" and denied["rule"].startswith("DP-")


def test_clients_build_the_lift_url_from_the_command_itself() -> None:
    hold = uuid4()
    command = {"command_id": str(uuid4()), "hold_id": str(hold), "authority_reference": REFERENCE}
    assert COMMANDS["LiftLegalHold"].path_for(command) == f"legal-holds/{hold}/lift"
    assert COMMANDS["PlaceLegalHold"].path_for(command) == "legal-holds"


# -- erasure while a hold is in force -----------------------------------------------------------------


def erasure_body() -> dict[str, str]:
    return {"command_id": str(uuid4()), "reason": "erasure_request_upheld", "legal_basis": "UK GDPR Art. 17(1)(a)",
            "requested_by": "parent_or_carer"}


@integration
async def test_erasure_is_refused_while_a_hold_is_in_force_naming_the_hold(api_story: ApiStory,
                                                                          service: ServiceUnderTest) -> None:
    await api_story.placed()
    hold = uuid4()
    placed = await service.client.post(hold_path(api_story), json=body(hold),
                                       headers=service.headers("home_dpo", purpose="preservation notice"))
    assert placed.status_code == 201, placed.text
    erase_path = f"/v1/pupils/{api_story.pupil_ref}/erasure"

    def headers() -> dict[str, str]:  # a fresh token for each write command
        return service.headers("home_dpo", purpose="request upheld")

    refused = await service.client.post(erase_path, json=erasure_body(), headers=headers())
    assert refused.status_code == 409, refused.text
    problem = problem_of(refused)
    assert problem["rule"] == "privacy.erasure_under_legal_hold"
    assert str(hold) in problem["detail"] and REFERENCE in problem["detail"]
    assert await service.deps.keystore.get(str(api_story.pupil_ref)) is not None, "the key must survive a refusal"
    erased = await service.deps.events_pool.fetchval(
        "SELECT count(*) FROM events WHERE stream_id = $1 AND event_type = 'PupilDataErased'", api_story.stream)
    assert erased == 0

    lifted = await service.client.post(f"{hold_path(api_story)}/{hold}/lift",
                                       json={"command_id": str(uuid4()), "authority_reference": REFERENCE},
                                       headers=service.headers("home_dpo", purpose="inquiry closed"))
    assert lifted.status_code == 201, lifted.text
    accepted = await service.client.post(erase_path, json=erasure_body(), headers=headers())
    assert accepted.status_code == 201, accepted.text
    assert await service.deps.keystore.get(str(api_story.pupil_ref)) is None


def test_the_erasure_rule_refuses_while_any_hold_is_in_force(story: Story) -> None:
    story.registered()
    hold = uuid4()
    run(story, place(story, hold))
    command = ErasePupil(command_id=uuid4(), pupil_ref=story.pupil_ref, reason="erasure_request_upheld",
                         legal_basis="UK GDPR Art. 17(1)(a)", requested_by="parent_or_carer")
    with pytest.raises(ErasureUnderLegalHold, match=str(hold)):
        decide(command, fold(story.events), story.context(DPO))
    run(story, lift(story, hold))
    [erased] = decide(command, fold(story.events), story.context(DPO))
    assert isinstance(erased, PupilDataErased)
