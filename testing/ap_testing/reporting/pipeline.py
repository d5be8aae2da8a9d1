"""Reporting's facts read model built the way production builds it, for the pipeline tests.

The events are sealed into a real incidents event store (a real key store), relayed to a fresh Kafka topic and
applied by the reporting facts projection's runner; the caller gets the read model's pool and an audit pool to
build the API on. The reporting pipeline and engagement tests each wrote these forty lines.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from uuid import UUID, uuid4

import asyncpg

from ap_contracts.envelope import Actor
from ap_contracts.events.base import DomainEvent
from ap_reporting.projections.commissioning_facts import ReportingCommissioningFactsProjection
from ap_reporting.projections.exclusion_reasons import ExclusionReasonsProjection
from ap_reporting.projections.facts import ReportingFactsProjection
from ap_runtime.access import open_audit_pool
from ap_runtime.eventstore import EventStore, NewEvent, migrate
from ap_runtime.privacy import KeyStore, PersonalDataCodec
from ap_runtime.projection.runner import ProjectionRunner, build_app
from ap_runtime.projection.store import ensure_registered
from ap_runtime.relay import Relay
from ap_testing.infra import NewDatabase
from ap_testing.privacy import random_ring


async def append_each(store: EventStore, events: Sequence[DomainEvent], actor: Actor) -> None:
    """Each event on its pupil's stream, with its record id as the event id."""
    for event in events:
        stream = f"pupil-{event.pii_subject()}"
        await store.append(stream, await store.stream_version(stream),
                           [NewEvent(event, actor, actor.organisation_id, uuid4(), event_id=_record_id(event))])


def _record_id(event: DomainEvent) -> UUID:
    """The record id every pupil-record event carries (not a field of the base class)."""
    record_id: UUID = vars(event)["record_id"]
    return record_id


async def facts_through_kafka(new_database: NewDatabase, new_topic: Callable[..., Awaitable[str]], kafka_bootstrap: str,
                              events: Sequence[DomainEvent], actor: Actor,
                              prefix: str) -> tuple[asyncpg.Pool, asyncpg.Pool]:
    """The facts read model's pool once every event is applied, and an audit pool (databases named ``prefix_*``); the
    caller closes both. The incidents store and the key store are closed here, once the events are applied."""
    keys = await KeyStore.open(await new_database(f"{prefix}_keys"), random_ring()[0], cache_ttl_seconds=0)
    incidents_pool = await asyncpg.create_pool(await new_database(f"{prefix}_incidents"), min_size=1, max_size=6)
    await migrate(incidents_pool)
    pool = await asyncpg.create_pool(await new_database(f"{prefix}_rpt"), min_size=1, max_size=8)
    audit_pool = await open_audit_pool(await new_database(f"{prefix}_audit"))
    topic = await new_topic(f"{prefix}-incidents")
    await append_each(EventStore(incidents_pool, PersonalDataCodec(keys)), events, actor)
    stop = asyncio.Event()
    relay = asyncio.create_task(
        Relay(incidents_pool, kafka_bootstrap, f"{prefix}-relay", topic_override=topic).run(stop))
    # the strategy tables read the exclusions by school and the rolls the LA records (none here) as well
    await ensure_registered(pool, ReportingCommissioningFactsProjection())
    projections = (ReportingFactsProjection(topics=(topic,)), ExclusionReasonsProjection(topics=(topic,)))
    runners = [ProjectionRunner(projection, pool, kafka_bootstrap, group_id=f"{prefix}-{uuid4().hex}")
               for projection in projections]
    app = build_app(runners, kafka_bootstrap)
    try:
        async with app.broker:  # type: ignore[union-attr]
            for runner in runners:
                await runner.start()
            await app.broker.start()  # type: ignore[union-attr]
            deadline = asyncio.get_running_loop().time() + 90
            while any(runner.applied < len(events) for runner in runners):
                assert asyncio.get_running_loop().time() < deadline, f"applied {[r.applied for r in runners]}"
                await asyncio.sleep(0.2)
            for runner in runners:
                await runner.stop()
    finally:
        stop.set()
        await relay
        await incidents_pool.close()
        await keys.close()
    return pool, audit_pool
