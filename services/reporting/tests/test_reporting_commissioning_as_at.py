"""The reporting projection of ``ap.commissioning.events`` as recorded by a moment, and rebuilt (issue 15).

Panel referrals and closed Fair Access cases go through a real event store, relay and Kafka topic into the
commissioning facts projection; a second batch is recorded after a noted moment. Rules served: the facts as
recorded by that moment are those read before the second batch, and a rebuild of the projection into a new
generation reads the same, now and as at the moment (``test_reporting_as_at`` does the same for the two
projections of the incidents topic).
"""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from typing import Any
from uuid import uuid4

import asyncpg
import pytest

from ap_contracts.envelope import Actor
from ap_reporting.domain.schools_forum import FairAccessFact, PanelReferralFact
from ap_reporting.projections.commissioning_facts import CommissioningFactsReader, ReportingCommissioningFactsProjection
from ap_runtime.eventstore import EventStore, migrate
from ap_runtime.projection import ProjectionRunner, active_schema
from ap_runtime.projection.rebuild import rebuild
from ap_runtime.projection.runner import build_app
from ap_runtime.relay import Relay

from .test_reporting_commissioning_facts import append, closed_event, referral_event

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="session")]

ACTOR = Actor(user_id="coordinator@la", organisation_id="la-county")


def batch(n: int, first_day: date) -> list[Any]:
    referrals = [PanelReferralFact(uuid4(), f"panel-{i % 2}", uuid4(), first_day + timedelta(days=i)) for i in range(n)]
    cases = [FairAccessFact(uuid4(), f"panel-{i % 2}", first_day + timedelta(days=i), 30 + 20 * i) for i in range(n)]
    return [*(referral_event(r) for r in referrals), *(closed_event(c) for c in cases)]


async def wait(runner: ProjectionRunner, count: int) -> None:
    deadline = asyncio.get_running_loop().time() + 90
    while runner.applied < count:
        assert asyncio.get_running_loop().time() < deadline, f"applied {runner.applied}/{count}"
        await asyncio.sleep(0.2)


async def test_commissioning_facts_as_recorded_by_a_moment_survive_later_events_and_a_rebuild(
        new_database: Any, new_topic: Any, kafka_bootstrap: str) -> None:
    first, second = batch(4, date(2024, 9, 9)), batch(3, date(2024, 11, 4))
    events_pool = await asyncpg.create_pool(await new_database("rpt_comm_asat_events"), min_size=1, max_size=4)
    pool = await asyncpg.create_pool(await new_database("rpt_comm_asat"), min_size=1, max_size=4)
    await migrate(events_pool)
    store, topic, stop = EventStore(events_pool), await new_topic("rpt-comm-asat"), asyncio.Event()
    relay = asyncio.create_task(Relay(events_pool, kafka_bootstrap, "rpt-comm-asat", topic_override=topic).run(stop))
    projection = ReportingCommissioningFactsProjection(topics=(topic,))
    runner = ProjectionRunner(projection, pool, kafka_bootstrap, group_id=f"rpt-comm-asat-{uuid4().hex}")
    app = build_app([runner], kafka_bootstrap)
    try:
        async with app.broker:  # type: ignore[union-attr]
            await runner.start()
            await app.broker.start()  # type: ignore[union-attr]
            await append(store, "panels-first", first)
            await wait(runner, len(first))
            before = await CommissioningFactsReader(pool).read()
            between = await events_pool.fetchval("SELECT max(recorded_at) FROM events")
            await append(store, "panels-second", second)
            await wait(runner, len(first) + len(second))
            await runner.stop()
        now = await CommissioningFactsReader(pool).read()
        assert await CommissioningFactsReader(pool, between).read() == before != now
        async with pool.acquire() as conn:
            serving = await active_schema(conn, projection.name)
        again = ProjectionRunner(projection, pool, kafka_bootstrap, group_id=f"rpt-comm-asat-rb-{uuid4().hex}")
        await again.start()
        try:
            assert await rebuild(again, pool, kafka_bootstrap, show_progress=False) != serving
        finally:
            await again.stop()
        assert await CommissioningFactsReader(pool).read() == now
        assert await CommissioningFactsReader(pool, between).read() == before
    finally:
        stop.set()
        await relay
        await pool.close()
        await events_pool.close()
