"""Raw ``EventStore.append``: the saves the peer benchmark compares with pyeventsourcing.

    python -m bench.peer_eventsourcing      (measures this and the peer in the same run)

A *save* is one ``append`` of ``events_per_save`` events to one stream at its known version, exactly
what pyeventsourcing's ``Application.save`` of an aggregate with that many pending events does. Each
client owns a few streams (created before the clock starts, one event each, as the peer's aggregates
are) and appends to them in turn, so clients never contend for a stream and every append takes the
optimistic-concurrency path. No codec (plaintext payloads, like the peer's default JSON transcoder),
no HTTP, no audit. Latency is each save's round trip; throughput is saves over the wall time of all
clients together. The event loop is uvloop, as the services run.
"""

from __future__ import annotations

import asyncio
import time
from uuid import uuid4

import asyncpg
import uvloop

from ap_contracts.envelope import Actor
from ap_runtime.eventstore import EventStore, NewEvent, migrate
from ap_testing.events import CounterIncremented
from bench.saves import STREAMS_PER_CLIENT, Workload, figures

ACTOR = Actor(user_id="bench", organisation_id="bench-org", roles=())


async def _measure(dsn: str, workload: Workload) -> dict[str, float]:
    pool = await asyncpg.create_pool(dsn, min_size=workload.clients, max_size=workload.clients)
    try:
        await migrate(pool)
        store = EventStore(pool)
        correlation = uuid4()
        streams = [[f"c{c}-s{s}" for s in range(STREAMS_PER_CLIENT)] for c in range(workload.clients)]
        versions: dict[str, int] = {}
        for owned in streams:
            for stream in owned:
                await store.append(stream, 0, [NewEvent(CounterIncremented(counter=stream, seq=0), ACTOR,
                                                        "bench-org", correlation)])
                versions[stream] = 1
        latencies: list[float] = []

        async def client(owned: list[str]) -> None:
            for index in range(workload.saves_per_client):
                stream = owned[index % len(owned)]
                version = versions[stream]
                sent = time.perf_counter()
                await store.append(stream, version, [
                    NewEvent(CounterIncremented(counter=stream, seq=version + i), ACTOR, "bench-org", correlation)
                    for i in range(workload.events_per_save)])
                latencies.append((time.perf_counter() - sent) * 1000)
                versions[stream] = version + workload.events_per_save

        started = time.perf_counter()
        await asyncio.gather(*(client(owned) for owned in streams))
        elapsed = time.perf_counter() - started
    finally:
        await pool.close()
    return figures(len(latencies), workload.events_per_save, elapsed, latencies)


def measure(dsn: str, workload: Workload) -> dict[str, float]:
    """Run ``workload`` against an event store in the (empty) database ``dsn``, on uvloop."""
    return uvloop.run(_measure(dsn, workload))
