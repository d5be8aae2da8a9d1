"""Issue 15: a report reporting publishes reaches Kafka once, through its own relay, as its own Kafka principal; and a
publication honours the one-command-per-token rule every write service keeps (``ap_runtime.access.token_replay``).

Real PostgreSQL and the SASL/ACL broker: the LA publishes the annual report through the API (a repeat of the command
publishes nothing; the same token with another command is refused 401 and records nothing; a fresh token publishes
the second edition). The relay then runs as a fresh principal holding exactly ``ap-reporting``'s grants
(``kafka_acls.platform_grants``, its events topic a fresh one), and a second relay started after it resumes from the
checkpoint: each ``ReportPublished`` is on the topic exactly once.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from uuid import uuid4

import asyncpg
import httpx
import pytest
from aiokafka import AIOKafkaConsumer

from ap_contracts.envelope import OrgKind, utc_now
from ap_contracts.topics import INCIDENTS_EVENTS, REPORTING_EVENTS
from ap_reporting.entrypoints.api import create_app
from ap_reporting.entrypoints.bootstrap import ApiDeps
from ap_reporting.projections.facts import ReportingFactsProjection
from ap_runtime import kafka_acls
from ap_runtime.access import AccessGuard, AuditLog, Role, TokenVerifier, open_audit_pool
from ap_runtime.access.keys import load_public_key
from ap_runtime.access.tokens import ServiceAudience
from ap_runtime.kafka import client_security
from ap_runtime.projection.store import ensure_registered
from ap_runtime.relay import OWN_TOPIC, Relay
from ap_testing.infra import NewDatabase, NewTopicFactory
from ap_testing.kafka_principals import new_principal

from .test_reporting_pipeline import KEYS, token

PUBLISH = "/v1/reports/annual/publications"


def la() -> dict[str, str]:
    headers: dict[str, str] = token("la-county", OrgKind.LOCAL_AUTHORITY, Role.LA_OFFICER)
    return headers


async def _api(new_database: NewDatabase) -> tuple[httpx.AsyncClient, asyncpg.Pool, asyncpg.Pool]:
    pool = await asyncpg.create_pool(await new_database("rpt_relay"), min_size=1, max_size=4)
    audit_pool = await open_audit_pool(await new_database("rpt_relay_audit"))
    schema = await ensure_registered(pool, ReportingFactsProjection())
    # the read model has applied the incidents topic up to offset 41 of partition 0: what a publication records
    await pool.execute(f'INSERT INTO {schema}.positions (topic, "partition", "offset") VALUES ($1, 0, 41)',
                       INCIDENTS_EVENTS)
    verifier = TokenVerifier(load_public_key(KEYS.public_pem), audience=ServiceAudience.REPORTING)
    app = create_app(ApiDeps(pool, AccessGuard(AuditLog(audit_pool)), verifier))
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t"), pool, audit_pool


async def _relay_until(relay: Relay, count: int, seconds: float) -> None:
    """Runs ``relay`` until it has published ``count`` events or ``seconds`` have passed."""
    stop = asyncio.Event()
    running = asyncio.create_task(relay.run(stop))
    deadline = asyncio.get_running_loop().time() + seconds
    while relay.published < count and asyncio.get_running_loop().time() < deadline:  # noqa: ASYNC110 - polls a counter
        await asyncio.sleep(0.1)
    stop.set()
    await running


async def _records(bootstrap: str, topic: str, seconds: float = 8.0) -> AsyncIterator[tuple[str, str]]:
    """(event type, event id) of every record on ``topic``, read as the admin for ``seconds``."""
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, **client_security(), group_id=None,
                                auto_offset_reset="earliest", enable_auto_commit=False)
    await consumer.start()
    try:
        deadline = asyncio.get_running_loop().time() + seconds
        while asyncio.get_running_loop().time() < deadline:
            for records in (await consumer.getmany(timeout_ms=500)).values():
                for record in records:
                    headers = {k: v.decode() for k, v in record.headers}
                    yield headers["ap-event-type"], headers["ap-event-id"]
    finally:
        await consumer.stop()


@pytest.mark.integration
@pytest.mark.asyncio(loop_scope="session")
async def test_a_publication_reaches_reportings_topic_exactly_once_and_a_token_publishes_once(
        new_database: NewDatabase, new_topic: NewTopicFactory, kafka_bootstrap: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    api, pool, audit_pool = await _api(new_database)
    then = {"academic_year": "2023/24", "recorded_by": (utc_now() - timedelta(minutes=1)).isoformat()}
    first_token, first_id = la(), str(uuid4())
    try:
        first = await api.post(PUBLISH, params=then, json={"command_id": first_id}, headers=first_token)
        assert first.status_code == 201, first.text
        again = await api.post(PUBLISH, params=then, json={"command_id": first_id}, headers=first_token)
        assert again.json() == first.json()  # the same command: its first edition, nothing more recorded
        replayed = await api.post(PUBLISH, params=then, json={"command_id": str(uuid4())}, headers=first_token)
        assert replayed.status_code == 401, replayed.text  # the token carried another command
        second = await api.post(PUBLISH, params=then, json={"command_id": str(uuid4())}, headers=la())
        assert (second.status_code, second.json()["edition"]) == (201, 2), second.text
        stored = await pool.fetch("SELECT event_id::text AS id FROM events WHERE event_type = 'ReportPublished'")
        assert len(stored) == 2

        topic = await new_topic("rpt-events")
        as_reporting = await new_principal(kafka_bootstrap, "reporting", kafka_acls.Topics(reporting_events=topic))
        monkeypatch.setenv("AP_KAFKA_USERNAME", as_reporting.username or "")
        monkeypatch.setenv("AP_KAFKA_PASSWORD", as_reporting.password or "")
        first_relay = Relay(pool, kafka_bootstrap, "reporting-relay", topic_override=topic)
        await _relay_until(first_relay, 2, 60)
        assert first_relay.published == 2
        resumed = Relay(pool, kafka_bootstrap, "reporting-relay", topic_override=topic)
        await _relay_until(resumed, 1, 3)  # nothing left after the checkpoint: it publishes nothing
        assert resumed.published == 0
        monkeypatch.undo()

        seen = [record async for record in _records(kafka_bootstrap, topic)]
        assert sorted(seen) == sorted(("ReportPublished", row["id"]) for row in stored)
    finally:
        await api.aclose()
        await pool.close()
        await audit_pool.close()


def test_reportings_relay_publishes_to_its_own_topic_the_only_one_its_principal_may_write() -> None:
    assert OWN_TOPIC["reporting"] == REPORTING_EVENTS
    written = {name for g in kafka_acls.platform_grants() if g.principal == "ap-reporting" and "Write" in g.operations
               for name in g.names}
    assert REPORTING_EVENTS in written
    assert not {n for n in written if not n.endswith(".dlt")} - {REPORTING_EVENTS, kafka_acls.AUDIT_HEADS}
