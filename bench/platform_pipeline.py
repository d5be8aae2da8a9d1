"""The platform's write path: EventStore.append -> Relay -> Kafka -> ProjectionRunner (FastStream).

The read model does what the baseline's does, one row per event (``BenchReadModel``), so the
difference measured is the platform's machinery and guarantees, not a bigger read model: the
counting projection of the tests also keeps a per-counter totals table the baseline has no match for.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from uuid import uuid4

import asyncpg

from ap_contracts.envelope import Actor
from ap_runtime.eventstore import EventStore, NewEvent, migrate
from ap_runtime.projection import ProjectionRunner, read_model
from ap_runtime.projection.base import Projection, ReceivedEvent
from ap_runtime.projection.collector import freeze_startup_objects
from ap_runtime.projection.runner import build_app
from ap_runtime.relay import Relay
from ap_testing.events import CounterIncremented
from bench.pipeline_baseline import percentiles

ACTOR = Actor(user_id="bench", organisation_id="bench-org", roles=())


class BenchReadModel(Projection):
    """The baseline's ``base_read_model``: one row per event, with the time it was applied."""

    name = "bench_read_model"
    ddl = """
    CREATE TABLE IF NOT EXISTS bench_events (event_id uuid PRIMARY KEY, stream_id text NOT NULL,
      recorded_at timestamptz NOT NULL, applied_at timestamptz NOT NULL DEFAULT clock_timestamp());
    """

    def __init__(self, topics: Sequence[str], name: str) -> None:
        super().__init__(topics)
        self.name = name  # type: ignore[misc]  # one read model per run

    async def apply(self, conn: asyncpg.Connection, event: ReceivedEvent) -> None:
        await self.apply_batch(conn, [event])

    async def apply_batch(self, conn: asyncpg.Connection, events: Sequence[ReceivedEvent]) -> None:
        await conn.executemany(
            "INSERT INTO bench_events (event_id, stream_id, recorded_at) VALUES ($1, $2, $3)",
            [(e.envelope.event_id, e.envelope.stream_id, e.envelope.recorded_at) for e in events])


async def pipeline(store_pool: asyncpg.Pool, rm_pool: asyncpg.Pool, bootstrap: str, topic: str, events: int,
                   batch: int = 500, rate: float | None = None, streams: int = 50) -> dict[str, float]:
    await migrate(store_pool)
    store = EventStore(store_pool)
    projection = BenchReadModel((topic,), f"bench_{uuid4().hex[:8]}")
    runner = ProjectionRunner(projection, rm_pool, bootstrap)
    app = build_app([runner], bootstrap)
    relay_stop = asyncio.Event()
    relay = asyncio.create_task(Relay(store_pool, bootstrap, f"bench-{uuid4().hex[:6]}",
                                      topic_override=topic, batch_size=batch).run(relay_stop))
    versions = {f"b-{s}": await store.stream_version(f"b-{s}") for s in range(streams)}
    freeze_startup_objects()  # as the relay and runner processes do once started (collector.py)
    assert app.broker is not None
    async with app.broker:
        await runner.start()
        await app.broker.start()
        started, cpu_started = time.perf_counter(), time.process_time()
        step = batch if rate is None else max(1, int(rate / 100))
        corr = uuid4()
        for start in range(0, events, step):
            n = min(step, events - start)
            if rate is not None:
                await asyncio.sleep(max(0.0, started + start / rate - time.perf_counter()))
            stream = f"b-{(start // step) % streams}"
            new = [NewEvent(CounterIncremented(counter=stream, seq=versions[stream] + i), ACTOR, "bench-org", corr)
                   for i in range(n)]
            await store.append(stream, versions[stream], new)
            versions[stream] += n
        while runner.applied < events:  # noqa: ASYNC110 - polling a counter is the measurement here
            await asyncio.sleep(0.005)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        await runner.stop()
    relay_stop.set()
    await relay
    async with read_model(rm_pool, projection.name) as conn:
        lat = await conn.fetch(
            "SELECT extract(epoch FROM applied_at - recorded_at) * 1000 AS ms FROM bench_events ORDER BY ms")
    return {"events_per_second": events / elapsed, "python_cpu_us_per_event": cpu / events * 1e6,
            **percentiles([float(r["ms"]) for r in lat])}
