"""How ``make reports`` loads the synthetic local authority: through the event stores and Kafka, as the platform does.

The pupils' records are sealed into a fresh incidents event store (a fresh key store, ``PersonalDataCodec``), each
on its pupil's stream with its record id as the event id (``ap_testing.reporting.pipeline.append_each``, the
incidents service's shape); the commissioning facts go into a fresh commissioning event store, each on its
panel's or school's stream. A relay per store publishes them to a topic of this run (unique names, so parallel
runs do not meet), and reporting's projection runners (facts, exclusion reasons, commissioning facts) apply them
from Kafka into the run's read-model database, exactly once, as they do in production. ``LoadedRun.applied``
says how many records each runner took from its topic: the proof that the read models were built from the
topics, not written to directly.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from uuid import NAMESPACE_URL, uuid4, uuid5

import asyncpg

from ap_contracts.envelope import Actor
from ap_contracts.events.base import DomainEvent
from ap_reporting.projections.commissioning_facts import ReportingCommissioningFactsProjection
from ap_reporting.projections.exclusion_reasons import ExclusionReasonsProjection
from ap_reporting.projections.facts import ReportingFactsProjection
from ap_runtime.eventstore import EventStore, NewEvent, migrate
from ap_runtime.privacy import KeyStore, PersonalDataCodec
from ap_runtime.projection import Projection
from ap_runtime.projection.runner import ProjectionRunner
from ap_runtime.relay import Relay
from ap_testing.infra import create_database, create_topic, delete_topics, drop_databases, dsn_for_database
from ap_testing.privacy import random_ring
from ap_testing.relayed import run_until_applied
from ap_testing.reporting.pipeline import append_each

LOADER = Actor(user_id="synthetic-la-loader", organisation_id="synthetic-la", roles=("provision_admin",))
APPLY_TIMEOUT_SECONDS = 600  # the README's largest size applies some 60,000 records per runner


@dataclass(slots=True)
class LoadedRun:
    """The databases and topics of one run (dropped by ``close``) and what each runner applied."""

    admin_dsn: str
    bootstrap: str
    read_dsn: str = ""
    databases: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    applied: dict[str, int] = field(default_factory=dict)

    async def database(self, prefix: str) -> str:
        name = await create_database(self.admin_dsn, prefix)
        self.databases.append(name)
        dsn: str = dsn_for_database(self.admin_dsn, name)
        return dsn

    async def topic(self, service: str) -> str:
        name = f"reports-{service}-{uuid4().hex[:12]}"
        self.topics.append(name)
        await create_topic(self.bootstrap, name)
        return name

    async def close(self) -> None:
        await drop_databases(self.admin_dsn, self.databases)
        await delete_topics(self.bootstrap, self.topics)


def _commissioning_stream(event: DomainEvent) -> str:
    """A panel's referrals and cases on the panel's stream, a school's roll on the school's."""
    owner = getattr(event, "panel_id", None) or getattr(event, "school_id", None) or "synthetic-la"
    return f"commissioning-{owner}"


async def _append_commissioning(store: EventStore, events: Sequence[DomainEvent]) -> None:
    """Each fact on its stream, with an id drawn from its place (the same size gives the same ids)."""
    for offset, event in enumerate(events):
        stream = _commissioning_stream(event)
        event_id = uuid5(NAMESPACE_URL, f"synthetic-la/commissioning/{offset}")
        await store.append(stream, await store.stream_version(stream),
                           [NewEvent(event, LOADER, LOADER.organisation_id, event_id, event_id=event_id)])


async def _apply(run: LoadedRun, read_pool: asyncpg.Pool, projections: Sequence[Projection], total: int) -> None:
    for projection in projections:
        runner = ProjectionRunner(projection, read_pool, run.bootstrap, group_id=f"reports-{uuid4().hex}")
        await run_until_applied(runner, run.bootstrap, total, APPLY_TIMEOUT_SECONDS)
        run.applied[projection.name] = runner.applied


async def _relayed(run: LoadedRun, store_pool: asyncpg.Pool, topic: str, read_pool: asyncpg.Pool,
                   projections: Sequence[Projection], total: int) -> None:
    stop = asyncio.Event()
    relay = asyncio.create_task(Relay(store_pool, run.bootstrap, f"reports-relay-{uuid4().hex}",
                                      topic_override=topic).run(stop))
    try:
        await _apply(run, read_pool, projections, total)
    finally:
        stop.set()
        await relay


async def load_through_kafka(run: LoadedRun, pupil_events: Sequence[DomainEvent],
                             commissioning_events: Sequence[DomainEvent]) -> None:
    """Append, relay and apply every event; ``run.read_dsn`` then holds reporting's read models."""
    run.read_dsn = await run.database("reports_read")
    keys = await KeyStore.open(await run.database("reports_keys"), random_ring()[0], cache_ttl_seconds=0)
    incidents = await asyncpg.create_pool(await run.database("reports_incidents"), min_size=1, max_size=4)
    commissioning = await asyncpg.create_pool(await run.database("reports_commissioning"), min_size=1, max_size=4)
    read_pool = await asyncpg.create_pool(run.read_dsn, min_size=1, max_size=4)
    try:
        for pool in (incidents, commissioning):
            await migrate(pool)
        await append_each(EventStore(incidents, PersonalDataCodec(keys)), pupil_events, LOADER)
        await _append_commissioning(EventStore(commissioning), commissioning_events)
        pupils_topic, commissioning_topic = await run.topic("incidents"), await run.topic("commissioning")
        await _relayed(run, incidents, pupils_topic, read_pool,
                       [ReportingFactsProjection(topics=(pupils_topic,)),
                        ExclusionReasonsProjection(topics=(pupils_topic,))], len(pupil_events))
        await _relayed(run, commissioning, commissioning_topic, read_pool,
                       [ReportingCommissioningFactsProjection(topics=(commissioning_topic,))],
                       len(commissioning_events))
    finally:
        for pool in (incidents, commissioning, read_pool):
            await pool.close()
        await keys.close()
