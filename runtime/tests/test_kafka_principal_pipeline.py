"""The write path (event store -> relay -> Kafka -> projection runner, poison -> dead-letter topic)
runs under a service's own Kafka principal and the platform's ACLs for it, on the SASL broker.

Rule served: issue 9 transport: services sign in as their principal and may use only their own
topics and consumer groups; the grants must be enough for their normal work (topic creation,
idempotent produce, group consumption and commits, dead letters).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from uuid import uuid4

import asyncpg
import pytest
from aiokafka import AIOKafkaConsumer

from ap_contracts.topics import dead_letter_topic
from ap_runtime import kafka_acls
from ap_runtime.eventstore import EventStore
from ap_runtime.kafka import client_security
from ap_runtime.projection import ProjectionRunner, read_model
from ap_runtime.projection.runner import build_app
from ap_runtime.relay import Relay
from ap_testing.infra import UniqueTopic
from ap_testing.kafka_principals import admin_security, new_principal
from ap_testing.projections import CounterProjection

from .conftest import counter_events, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="session")]


async def _applied(pool: asyncpg.Pool) -> int:
    try:
        async with read_model(pool, "counter") as conn:
            return int(await conn.fetchval("SELECT count(*) FROM counter_events"))
    except LookupError:
        return 0


async def test_the_incidents_write_path_runs_under_its_own_principal(
    store: EventStore, store_db: tuple[str, asyncpg.Pool], new_database: Callable[[str], object],
    unique_topic: UniqueTopic, kafka_bootstrap: str, monkeypatch: pytest.MonkeyPatch,
) -> None:
    admin = admin_security()
    topic = unique_topic("principal-incidents-events")  # created by the relay, as the service does
    unique_topic(dead_letter_topic(topic))  # deleted at the end too
    principal = await new_principal(kafka_bootstrap, "incidents", kafka_acls.Topics(incidents_events=topic))
    assert principal.username is not None and principal.password is not None
    # Every client below takes its settings from the environment, as a service process does.
    monkeypatch.setenv("AP_KAFKA_USERNAME", principal.username)
    monkeypatch.setenv("AP_KAFKA_PASSWORD", principal.password)
    rm_pool = await asyncpg.create_pool(await new_database("principal_rm"), min_size=1, max_size=4)  # type: ignore[misc]
    await store.append("p-1", 0, counter_events("p-1", 0, 10, poison_at={4}))
    relay_stop = asyncio.Event()
    relay = asyncio.create_task(Relay(store_db[1], kafka_bootstrap, "r", topic_override=topic).run(relay_stop))
    runner = ProjectionRunner(CounterProjection(topics=(topic,)), rm_pool, kafka_bootstrap, max_attempts=2,
                              group_id=f"ap.projection.incidents_test_{uuid4().hex}")
    app = build_app([runner], kafka_bootstrap)
    broker = app.broker
    assert broker is not None
    try:
        async with broker:
            await runner.start()
            await broker.start()
            await wait_until(lambda: _applied(rm_pool), timeout=60)
            await wait_until(lambda: _count_is(rm_pool, 9), timeout=60)
            await runner.stop()
    finally:
        relay_stop.set()
        await relay
        await rm_pool.close()
    dlt = AIOKafkaConsumer(dead_letter_topic(topic), bootstrap_servers=kafka_bootstrap, **client_security(admin),
                           auto_offset_reset="earliest", group_id=None)
    await dlt.start()
    try:
        got = await dlt.getmany(timeout_ms=10_000)
    finally:
        await dlt.stop()
    assert sum(len(records) for records in got.values()) == 1


async def _count_is(pool: asyncpg.Pool, expected: int) -> bool:
    return await _applied(pool) == expected
