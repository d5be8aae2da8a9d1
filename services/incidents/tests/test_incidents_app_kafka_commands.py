"""Kafka ingestion of commands: the same validation, authorisation and rules as HTTP, a result per
command on the results topic, and redelivered or repeated commands recorded once."""

from __future__ import annotations

import json
from uuid import uuid4

import pytest

from ap_contracts.events.pupil_vocabulary import Sex
from ap_incidents.entrypoints.commands import ingest_batch

from .conftest import ApiStory, KafkaIngestion, ServiceUnderTest, problem_of

pytestmark = pytest.mark.integration


async def test_a_pupils_commands_over_kafka_are_accepted_in_order(
        api_story: ApiStory, kafka_ingestion: KafkaIngestion, service: ServiceUnderTest) -> None:
    cmd, run = api_story.cmd, kafka_ingestion.run
    steps = [(cmd.register_pupil(), "head"), (cmd.receive_referral(), "home_staff"),
             (cmd.consult_parent(), "home_staff"), (cmd.decide_eligibility(), "provider_manager"),
             (cmd.start_placement(), "commissioner"), (cmd.record_incident(), "provider_staff")]
    for version, (command, who) in enumerate(steps, start=1):
        result = await run(command, who, service)
        assert result["status"] == "accepted", result
        assert (result["http_status"], result["first_version"], result["last_version"]) == (201, version, version)
        assert result["stream_id"] == api_story.stream and len(result["event_ids"]) == 1
    assert await service.stream_length(api_story.stream) == len(steps)


async def test_rejections_denials_and_invalid_commands_get_results_and_record_nothing(
        api_story: ApiStory, kafka_ingestion: KafkaIngestion, service: ServiceUnderTest) -> None:
    await api_story.placed()
    run = kafka_ingestion.run
    async with service.nothing_recorded(api_story.stream):
        rejected = await run(api_story.cmd.search(searcher_sex=Sex.FEMALE), "provider_staff", service)
        denied = await run(api_story.cmd.commissioner_decision(uuid4()), "provider_manager", service)
    assert (rejected["status"], rejected["http_status"], rejected["rule"]) == (
        "rejected", 422, "search.same_sex_with_witness")
    assert rejected["message"]
    assert (denied["status"], denied["http_status"], denied["rule"]) == ("denied", 403, "EXC-2")


async def test_validation_is_identical_to_http(api_story: ApiStory, kafka_ingestion: KafkaIngestion,
                                               service: ServiceUnderTest) -> None:
    await api_story.placed()
    body = api_story.cmd.record_incident().model_dump(mode="json", exclude={"pupil_ref", "description"})
    body["severity"] = 9
    body["colour"] = "red"
    over_http = await service.client.post(f"/v1/pupils/{api_story.pupil_ref}/incidents", json=body,
                                          headers=service.headers("provider_staff"))
    await kafka_ingestion.client.send("RecordIncident", body, service.token("provider_staff"),
                                      pupil_ref=api_story.pupil_ref)
    result = (await kafka_ingestion.client.wait_for([body["command_id"]]))[body["command_id"]]
    assert result["status"] == "invalid" and result["http_status"] == 422
    assert result["errors"] == problem_of(over_http)["errors"]
    await kafka_ingestion.client.send("StealIncident", {"command_id": (other := str(uuid4()))},
                                      service.token("provider_staff"), pupil_ref=api_story.pupil_ref)
    unknown = (await kafka_ingestion.client.wait_for([other]))[other]
    assert unknown["status"] == "invalid" and unknown["errors"][0]["field"] == "command_type"


async def test_missing_or_bad_tokens_are_denied(api_story: ApiStory, kafka_ingestion: KafkaIngestion,
                                                service: ServiceUnderTest) -> None:
    await api_story.placed()
    body = api_story.cmd.record_attendance().model_dump(mode="json", exclude={"pupil_ref"})
    await kafka_ingestion.client.send("RecordAttendance", body, "not-a-token", pupil_ref=api_story.pupil_ref)
    result = (await kafka_ingestion.client.wait_for([body["command_id"]]))[body["command_id"]]
    assert (result["status"], result["http_status"], result["rule"]) == ("denied", 401, "token.invalid")


async def test_the_same_command_id_twice_over_kafka_records_once(
        api_story: ApiStory, kafka_ingestion: KafkaIngestion, service: ServiceUnderTest) -> None:
    await api_story.placed()
    command = api_story.cmd.record_incident()
    body = command.model_dump(mode="json", exclude={"pupil_ref"})
    token = service.token("provider_staff")
    for _ in range(3):  # a provision system retrying after a timeout
        await kafka_ingestion.client.send("RecordIncident", body, token, pupil_ref=api_story.pupil_ref)
    seen = await kafka_ingestion.client.wait_for_count(str(command.command_id), 3)
    assert [(r["status"], r["duplicate"]) for r in seen][:1] == [("accepted", False)]
    assert all(r["status"] == "accepted" and r["event_ids"] == seen[0]["event_ids"] for r in seen)
    assert await service.stream_length(api_story.stream) == 6
    # ... and the same command over HTTP afterwards is a duplicate too.
    again = await api_story.send(command, "provider_staff")
    assert again.status_code == 200 and [str(e) for e in again.json()["event_ids"]] == seen[0]["event_ids"]
    assert await service.stream_length(api_story.stream) == 6


async def test_a_redelivered_batch_records_nothing_twice(
        api_story: ApiStory, kafka_ingestion: KafkaIngestion, service: ServiceUnderTest) -> None:
    """What a consumer crash before the offset commit amounts to: the same records handled again."""
    await api_story.placed()
    commands = [api_story.cmd.record_incident() for _ in range(5)]
    token = service.token("provider_staff")

    class Record:
        def __init__(self, offset: int, command) -> None:
            self.topic, self.partition, self.offset = "replay", 0, offset
            self.key = str(api_story.pupil_ref).encode()
            self.headers = [("authorization", f"Bearer {token}".encode())]
            self.value = json.dumps({"command_type": "RecordIncident", "pupil_ref": str(api_story.pupil_ref),
                                     "command": command.model_dump(mode="json", exclude={"pupil_ref"})}).encode()

    records = [Record(i, c) for i, c in enumerate(commands)]
    first = await ingest_batch(kafka_ingestion.consumer.app, service.deps.verifier, records)
    replay = await ingest_batch(kafka_ingestion.consumer.app, service.deps.verifier, records)
    assert [r.http_status for r in first] == [201] * 5
    assert [(r.http_status, r.duplicate) for r in replay] == [(200, True)] * 5
    assert [r.event_ids for r in first] == [r.event_ids for r in replay]
    assert await service.stream_length(api_story.stream) == 5 + 5
