"""An HTTP command's write-token claim rides on its first catch-up read (issue 11), as strict as before (issue 9).

Rules served: a token carries one write command; a replayed token is refused (401) before anything is decided,
audited or recorded, so it learns nothing of what the command would have met; an honest retry (same token or a new
one, same command id) gets the first answer. Issue 11: the claim and the stream's catch-up read are one statement
to the incidents database (``ap_runtime.eventstore.claiming_tails``), one round trip and one commit fewer a command,
over HTTP and on the command topic alike.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from uuid import UUID, uuid4

import asyncpg
import httpx
import pytest
import pytest_asyncio

from ap_incidents.application.catalogue import SPEC_BY_MODEL
from ap_incidents.application.service import IncidentsApplication
from ap_incidents.domain import command_models as c
from ap_incidents.entrypoints.api import create_app
from ap_incidents.entrypoints.bootstrap import IncidentsDeps
from ap_incidents.entrypoints.command_ingestion import CommandResult, ingest
from ap_runtime.access import query
from ap_runtime.access.token_replay import TABLE as TOKENS_TABLE

from .conftest import ApiStory, ServiceUnderTest, problem_of

pytestmark = pytest.mark.integration


def _post(story: ApiStory, command: c.RecordIncident) -> tuple[str, dict[str, object]]:
    path = f"/v1/pupils/{story.pupil_ref}/{SPEC_BY_MODEL[type(command)].path}"
    return path, command.model_dump(mode="json", exclude={"pupil_ref"})


def _commands_statements(sent: list[str]) -> list[str]:
    """What was sent but the reset of a released connection (a plain pool's; the service's pools send none)."""
    return [q for q in sent if "pg_advisory_unlock_all" not in q]


@dataclass
class CountedApi:
    """A second incidents app on the service's databases whose event-store pool logs every statement it sends."""

    client: httpx.AsyncClient
    deps: IncidentsDeps
    application: IncidentsApplication
    sent: list[str]


@pytest_asyncio.fixture(loop_scope="session")
async def counted_api(service: ServiceUnderTest) -> AsyncIterator[CountedApi]:
    sent: list[str] = []

    async def log_queries(conn: asyncpg.Connection) -> None:
        conn.add_query_logger(lambda logged: sent.append(logged.query))

    pool = await asyncpg.create_pool(service.dsns["events"], min_size=2, max_size=2, init=log_queries)
    deps = IncidentsDeps(pool, pool, service.deps.audit_pool, service.deps.keystore, service.deps.verifier)
    app = create_app(deps)
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://incidents")
    try:
        yield CountedApi(client, deps, app.state.incidents, sent)
    finally:
        await client.aclose()
        await pool.close()


async def _statements_of_claim_then_execute(counted: CountedApi, service: ServiceUnderTest,
                                            command: c.RecordIncident) -> list[str]:
    """The statements of the route before issue 11's change: the claim on its own, then the command."""
    counted.sent.clear()
    principal = service.deps.verifier.verify(service.token("provider_staff"))
    await counted.deps.write_tokens.claim(principal, command.command_id)
    await counted.application.execute(principal, command)
    return _commands_statements(counted.sent)


async def _statements_of_route(counted: CountedApi, service: ServiceUnderTest, story: ApiStory,
                               command: c.RecordIncident) -> list[str]:
    counted.sent.clear()
    path, body = _post(story, command)
    response = await counted.client.post(path, json=body, headers=service.headers("provider_staff"))
    assert response.status_code == 201, response.text
    return _commands_statements(counted.sent)


async def test_an_http_command_claims_its_token_in_its_catch_up_read(
        api_story: ApiStory, service: ServiceUnderTest, counted_api: CountedApi) -> None:
    await api_story.placed()
    for _ in range(2):  # both ways warmed up on both connections: the table made, statements prepared, the purge
        await _statements_of_claim_then_execute(counted_api, service, api_story.cmd.record_incident())
        await _statements_of_route(counted_api, service, api_story, api_story.cmd.record_incident())
    apart = await _statements_of_claim_then_execute(counted_api, service, api_story.cmd.record_incident())
    together = await _statements_of_route(counted_api, service, api_story, api_story.cmd.record_incident())

    assert len(together) == len(apart) - 1, (apart, together)
    [claim] = [q for q in together if "used_write_tokens" in q]
    assert "JOIN events" in claim, claim  # the claim's statement is the stream's catch-up read
    assert len([q for q in together if "JOIN events" in q]) == len([q for q in apart if "JOIN events" in q])


async def _ingest(counted: CountedApi, service: ServiceUnderTest, story: ApiStory, command: c.RecordIncident,
                  token: str, correlation: UUID | None = None) -> CommandResult:
    """One command record taken from the command topic (``command_ingestion.ingest``), as ``token``'s holder."""
    _, body = _post(story, command)
    value = json.dumps({"command_type": "RecordIncident", "pupil_ref": str(story.pupil_ref), "command": body})
    headers = [("authorization", f"Bearer {token}".encode()), ("correlation_id", str(correlation or uuid4()).encode())]
    return await ingest(counted.application, service.deps.verifier, value.encode(), headers, "test",
                        counted.deps.write_tokens)


async def _statements_of_ingest(counted: CountedApi, service: ServiceUnderTest, story: ApiStory,
                                command: c.RecordIncident) -> list[str]:
    counted.sent.clear()
    result = await _ingest(counted, service, story, command, service.token("provider_staff"))
    assert (result.status, result.http_status) == ("accepted", 201), result
    return _commands_statements(counted.sent)


async def _statements_unclaimed(counted: CountedApi, service: ServiceUnderTest, command: c.RecordIncident
                                ) -> list[str]:
    """The statements of the command alone, no token claimed."""
    counted.sent.clear()
    await counted.application.execute(service.deps.verifier.verify(service.token("provider_staff")), command)
    return _commands_statements(counted.sent)


async def test_a_kafka_command_claims_its_token_in_its_catch_up_read(
        api_story: ApiStory, service: ServiceUnderTest, counted_api: CountedApi) -> None:
    await api_story.placed()
    for _ in range(2):  # both ways warmed up on both connections, as above
        await _statements_unclaimed(counted_api, service, api_story.cmd.record_incident())
        await _statements_of_ingest(counted_api, service, api_story, api_story.cmd.record_incident())
    alone = await _statements_unclaimed(counted_api, service, api_story.cmd.record_incident())
    claimed = await _statements_of_ingest(counted_api, service, api_story, api_story.cmd.record_incident())

    assert len(claimed) == len(alone), (alone, claimed)  # the claim costs no statement of its own
    [claim] = [q for q in claimed if TOKENS_TABLE in q]
    assert "JOIN events" in claim, claim


async def test_a_token_replayed_on_the_command_topic_is_401_before_anything_is_audited_or_recorded(
        api_story: ApiStory, service: ServiceUnderTest, counted_api: CountedApi) -> None:
    await api_story.placed()
    captured = service.token("provider_staff")
    first = await _ingest(counted_api, service, api_story, api_story.cmd.record_incident(), captured)
    assert first.status == "accepted", first
    stranger = ApiStory(service)  # a pupil the caller has no placement with
    for story in (api_story, stranger):  # would be allowed, would be refused: the replay learns neither
        correlation = uuid4()
        async with service.nothing_recorded(story.stream):
            replayed = await _ingest(counted_api, service, story, story.cmd.record_incident(), captured, correlation)
        assert (replayed.status, replayed.http_status, replayed.rule) == ("denied", 401, "token.replayed")
        assert replayed.message is not None and "token already used for another command" in replayed.message
        audited = await query(service.deps.audit_pool, user="provider_staff-user")
        assert audited and not [r for r in audited if r.correlation_id == correlation]
    shared = service.token("provider_staff")  # two records on one token at once: exactly one is recorded
    answers = await asyncio.gather(*(_ingest(counted_api, service, api_story, api_story.cmd.record_incident(), shared)
                                     for _ in range(2)))
    assert sorted(answer.http_status for answer in answers) == [201, 401], answers


async def test_a_replayed_token_is_401_before_anything_is_audited_or_recorded(
        api_story: ApiStory, service: ServiceUnderTest) -> None:
    await api_story.placed()
    captured = service.headers("provider_staff")
    path, body = _post(api_story, api_story.cmd.record_incident())
    assert (await service.client.post(path, json=body, headers=captured)).status_code == 201
    stranger = ApiStory(service)  # a pupil the caller has no placement with: a fresh token would get 403
    fresh = await stranger.send(stranger.cmd.record_incident(), "provider_staff")
    assert fresh.status_code == 403, fresh.text
    for story in (api_story, stranger):  # would be allowed, would be refused: the replay learns neither
        correlation = uuid4()
        replay_path, replay_body = _post(story, story.cmd.record_incident())
        async with service.nothing_recorded(story.stream):
            replayed = await service.client.post(replay_path, json=replay_body,
                                                 headers={**captured, "X-Correlation-ID": str(correlation)})
        assert replayed.status_code == 401 and "token already used for another command" in replayed.text
        audited = await query(service.deps.audit_pool, user="provider_staff-user")
        assert audited and not [r for r in audited if r.correlation_id == correlation]


async def test_the_same_token_on_two_concurrent_commands_records_one(
        api_story: ApiStory, service: ServiceUnderTest) -> None:
    await api_story.placed()
    other_pupil = await ApiStory(service).placed()
    shared = service.headers("provider_staff")
    for stories in ((api_story, api_story), (api_story, other_pupil)):  # one stream's lock, then two streams
        requests = [_post(story, story.cmd.record_incident()) for story in stories]
        answers = await asyncio.gather(*(service.client.post(path, json=body, headers=shared)
                                         for path, body in requests))
        assert sorted(answer.status_code for answer in answers) == [201, 401], [a.text for a in answers]
        [accepted] = [answer.json() for answer in answers if answer.status_code == 201]
        recorded = [UUID(str(body["command_id"])) for _, body in requests]
        assert UUID(accepted["command_id"]) in recorded
        shared = service.headers("provider_staff")


async def test_retries_get_the_first_answer_and_a_hostile_caller_is_still_403(
        api_story: ApiStory, service: ServiceUnderTest) -> None:
    await api_story.placed()
    token = service.headers("provider_staff")
    path, body = _post(api_story, api_story.cmd.record_incident())
    first = await service.client.post(path, json=body, headers=token)
    assert first.status_code == 201, first.text
    for retry in (token, service.headers("provider_staff")):  # the same token, then a new one
        again = await service.client.post(path, json=body, headers=retry)
        assert again.status_code == 200 and again.json() == first.json()
    # Another provision's staff, a fresh token: refused by the policy, audited, nothing recorded (as before).
    _, hostile_body = _post(api_story, api_story.cmd.record_incident())
    async with service.nothing_recorded(api_story.stream):
        hostile = await service.client.post(path, json=hostile_body, headers=service.headers("other_provider_staff"))
    assert hostile.status_code == 403 and problem_of(hostile)["rule"] == "DAY-3"
    audited = await query(service.deps.audit_pool, pupil=api_story.pupil_ref, user="other_provider_staff-user")
    assert any(r.decision == "denied" and r.rule_id == "DAY-3" for r in audited)
