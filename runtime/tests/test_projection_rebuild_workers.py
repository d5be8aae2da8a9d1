"""A rebuild's first catch-up shared by worker processes, partition by partition (issue 11).

Each event is applied once and each stream in order, as by one process; a worker that fails fails
the rebuild, and the generation that served before still serves.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Callable

import asyncpg
import pytest

from ap_runtime.eventstore import EventStore
from ap_runtime.projection import ProjectionRunner, read_model
from ap_runtime.projection.rebuild import CatchUpWorkers, RebuildWorkerFailed, rebuild
from ap_runtime.relay import Relay
from ap_testing.projections import CounterProjection

from .conftest import counter_events

pytestmark = pytest.mark.integration

COUNTER = "ap_testing.projections:CounterProjection"


async def _relayed(store: EventStore, pool: asyncpg.Pool, bootstrap: str, topic: str, streams: int,
                   per_stream: int) -> int:
    """Append ``per_stream`` events to each of ``streams`` streams and relay them all to ``topic``."""
    for s in range(streams):
        await store.append(f"s-{s}", 0, counter_events(f"s-{s}", 0, per_stream))
    stop = asyncio.Event()
    relay = Relay(pool, bootstrap, "r", topic_override=topic)
    task = asyncio.create_task(relay.run(stop))
    try:
        while relay.published < streams * per_stream:  # noqa: ASYNC110 - waiting for the relay's count
            await asyncio.sleep(0.05)
    finally:
        stop.set()
        await task
    return streams * per_stream


async def test_two_workers_rebuild_every_event_once_and_each_stream_in_order(
    store: EventStore, store_db: tuple[str, asyncpg.Pool], new_database: Callable[[str], object],
    new_topic: Callable[[str], object], kafka_bootstrap: str,
) -> None:
    topic = await new_topic("rebuildworkers")  # type: ignore[misc]
    total = await _relayed(store, store_db[1], kafka_bootstrap, topic, streams=12, per_stream=100)
    rm_dsn: str = await new_database("rm")  # type: ignore[misc]
    command = ["-m", "ap_runtime.projection", "rebuild", "--projection", COUNTER, "--dsn", rm_dsn, "--workers", "2"]
    cli = await asyncio.create_subprocess_exec(
        sys.executable, *command, env={**os.environ, "AP_TEST_TOPICS": topic},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    out, _ = await cli.communicate()
    assert cli.returncode == 0, out.decode(errors="replace")
    pool = await asyncpg.create_pool(rm_dsn, min_size=1, max_size=2)
    try:
        async with read_model(pool, "counter") as conn:
            assert await conn.fetchval("SELECT current_schema()") == "rm_counter_g2"
            row = await conn.fetchrow("SELECT count(*) AS n, sum(applied_count) AS s, max(applied_count) AS m"
                                      " FROM counter_events")
            assert (row["n"], row["s"], row["m"]) == (total, total, 1)
            out_of_order = await conn.fetchval(
                "SELECT count(*) FROM (SELECT stream_version, lag(stream_version) OVER (PARTITION BY counter"
                " ORDER BY applied_at, seq) AS before FROM counter_events) AS s WHERE stream_version <= before")
            assert out_of_order == 0
    finally:
        await pool.close()


async def test_a_failing_worker_fails_the_rebuild_and_the_serving_generation_stays(
    store: EventStore, store_db: tuple[str, asyncpg.Pool], new_database: Callable[[str], object],
    new_topic: Callable[[str], object], kafka_bootstrap: str,
) -> None:
    topic = await new_topic("rebuildfails")  # type: ignore[misc]
    await _relayed(store, store_db[1], kafka_bootstrap, topic, streams=3, per_stream=10)
    pool = await asyncpg.create_pool(await new_database("rm"), min_size=1, max_size=4)  # type: ignore[misc]
    runner = ProjectionRunner(CounterProjection(topics=(topic,)), pool, kafka_bootstrap)
    await runner.start()
    try:
        with pytest.raises(RebuildWorkerFailed, match="exited with 3"):
            await rebuild(runner, pool, kafka_bootstrap, show_progress=False,
                          workers=CatchUpWorkers(2, ("-c", "raise SystemExit(3)")))
        assert await pool.fetchval(
            "SELECT active_schema FROM projection_registry WHERE name = 'counter'") == "rm_counter_g1"
    finally:
        await runner.stop()
        await pool.close()
