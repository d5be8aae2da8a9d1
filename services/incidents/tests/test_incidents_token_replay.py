"""A write token carries one command, over HTTP and over the Kafka command topic (issue 9, tokens).

Rules served: a captured token cannot be replayed to record anything else (401, nothing recorded,
the refusal logged without the token); the same command retried with the same token, or with a
NEW token, gets the idempotent first answer (command-id idempotency is untouched).
"""

from __future__ import annotations

import pytest
import structlog

from ap_incidents.application.catalogue import SPEC_BY_MODEL

from .conftest import ApiStory, KafkaIngestion, ServiceUnderTest

pytestmark = pytest.mark.integration


async def test_a_token_replayed_for_another_command_is_401_and_records_nothing(
        api_story: ApiStory, service: ServiceUnderTest) -> None:
    await api_story.placed()
    first, second = api_story.cmd.record_incident(), api_story.cmd.record_incident()
    path = f"/v1/pupils/{api_story.pupil_ref}/{SPEC_BY_MODEL[type(first)].path}"
    body = first.model_dump(mode="json", exclude={"pupil_ref"})
    captured = service.headers("provider_staff")

    accepted = await service.client.post(path, json=body, headers=captured)
    assert accepted.status_code == 201, accepted.text
    async with service.nothing_recorded(api_story.stream):
        with structlog.testing.capture_logs() as logs:
            replayed = await service.client.post(path, json=second.model_dump(mode="json", exclude={"pupil_ref"}),
                                                 headers=captured)
    assert replayed.status_code == 401
    assert "token already used for another command" in replayed.text
    [line] = [entry for entry in logs if entry["event"] == "access.unauthenticated"]
    assert line["client"] and captured["Authorization"].split()[1] not in repr(logs)

    retried_same_token = await service.client.post(path, json=body, headers=captured)
    retried_new_token = await service.client.post(path, json=body, headers=service.headers("provider_staff"))
    for retried in (retried_same_token, retried_new_token):
        assert retried.status_code == 200 and retried.json() == accepted.json()


async def test_a_token_replayed_on_the_command_topic_is_denied_401(
        api_story: ApiStory, kafka_ingestion: KafkaIngestion, service: ServiceUnderTest) -> None:
    await api_story.placed()
    client = kafka_ingestion.client
    first, second = api_story.cmd.record_incident(), api_story.cmd.record_incident()
    token = service.token("provider_staff")
    results = {}
    for command in (first, second):
        body = command.model_dump(mode="json", exclude={"pupil_ref"})
        await client.send("RecordIncident", body, token, pupil_ref=api_story.pupil_ref)
        results[command.command_id] = (await client.wait_for([body["command_id"]]))[body["command_id"]]
    assert results[first.command_id]["status"] == "accepted"
    replay = results[second.command_id]
    assert (replay["status"], replay["http_status"], replay["rule"]) == ("denied", 401, "token.replayed")
    # The same command again with a new token: its first answer, nothing recorded twice.
    body = first.model_dump(mode="json", exclude={"pupil_ref"})
    await client.send("RecordIncident", body, service.token("provider_staff"), pupil_ref=api_story.pupil_ref)
    _, again = await client.wait_for_count(body["command_id"], 2)
    assert again["status"] == "accepted" and again["duplicate"] and again["event_ids"] == results[
        first.command_id]["event_ids"]
