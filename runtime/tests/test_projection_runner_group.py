"""Several runners of one projection as one consumer group, with rebalances while events flow.

Issue 11, "More than one of everything": runners of one projection share the topic's partitions;
a rebalance (a runner SIGKILLed, a runner joining) while events flow applies each event exactly
once and keeps each stream's events in stream order. The runners are real OS processes
(``python -m ap_runtime.projection run``) on the real broker and database.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from uuid import uuid4

import asyncpg
import pytest

from ap_runtime.eventstore import EventStore
from ap_runtime.projection import read_model
from ap_runtime.relay import Relay

from .conftest import Proc, counter_events, wait_until

COUNTER = "ap_testing.projections:CounterProjection"
STREAMS = 24
ROUNDS = 12
PER_ROUND = 25


async def _applied(pool: asyncpg.Pool, name: str) -> int:
    try:
        async with read_model(pool, name) as conn:
            return int(await conn.fetchval("SELECT count(*) FROM counter_events"))
    except (LookupError, asyncpg.UndefinedTableError):
        return 0


async def _write_while_flowing(store: EventStore, stop_after: int) -> int:
    """Append ``ROUNDS`` rounds of ``PER_ROUND`` events to each stream, a little apart; returns how many."""
    written = 0
    for round_ in range(stop_after):
        async def one(s: int, r: int = round_) -> None:
            stream = f"g-{s}"
            await store.append(stream, r * PER_ROUND, counter_events(stream, r * PER_ROUND, PER_ROUND))

        await asyncio.gather(*(one(s) for s in range(STREAMS)))
        written += STREAMS * PER_ROUND
        await asyncio.sleep(0.3)
    return written


@pytest.mark.fault
async def test_three_runners_one_killed_one_joining_apply_each_event_once_in_stream_order(
    store: EventStore, store_db: tuple[str, asyncpg.Pool], new_database: Callable[[str], object],
    new_topic: Callable[[str], object], kafka_bootstrap: str, processes: Callable[[list[str], dict[str, str]], Proc],
) -> None:
    topic = await new_topic("group", partitions=6)  # type: ignore[misc]
    name = f"counter_{uuid4().hex[:8]}"  # its own consumer group (ap.projection.<name>) and read model
    rm_dsn = await new_database("rmgroup")  # type: ignore[misc]
    rm_pool = await asyncpg.create_pool(rm_dsn, min_size=1, max_size=4)
    # Slow applies keep batches in flight, so the kill and the rebalances land inside transactions.
    env = {"KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap, "AP_TEST_TOPICS": topic, "AP_TEST_PROJECTION_NAME": name,
           "AP_TEST_SLOW_APPLY": "0.003", "AP_LOG_LEVEL": "WARNING"}
    args = ["-m", "ap_runtime.projection", "run", "--projection", COUNTER, "--dsn", rm_dsn]
    runners = [processes(args, env) for _ in range(3)]
    relay_stop = asyncio.Event()
    relay = asyncio.create_task(Relay(store_db[1], kafka_bootstrap, "r", topic_override=topic).run(relay_stop))
    writes = asyncio.create_task(_write_while_flowing(store, ROUNDS))
    try:
        await wait_until(lambda: _applied_at_least(rm_pool, name, STREAMS * PER_ROUND * 2), timeout=120)
        runners[1].kill()  # a rebalance hands its partitions to the others mid-stream
        await wait_until(lambda: _applied_at_least(rm_pool, name, STREAMS * PER_ROUND * 5), timeout=120)
        runners.append(processes(args, env))  # a runner joining: a second rebalance, events still flowing
        total = await writes
        await wait_until(lambda: _applied_at_least(rm_pool, name, total), timeout=180)
        await asyncio.sleep(2.0)  # anything redelivered after the rebalances has had time to arrive
    finally:
        relay_stop.set()
        await relay
    assert [r.alive() for r in runners] == [True, False, True, True]
    async with read_model(rm_pool, name) as conn:
        n, applied_sum, max_applied = await conn.fetchrow(
            "SELECT count(*), sum(applied_count), max(applied_count) FROM counter_events")
        orders = await conn.fetch(
            "SELECT counter, array_agg(stream_version ORDER BY applied_at, seq) AS versions"
            " FROM counter_events GROUP BY counter ORDER BY counter")
    assert (n, applied_sum, max_applied) == (total, total, 1), "every event applied exactly once"
    per_round = ROUNDS * PER_ROUND
    for row in orders:  # per stream: the applied versions are 1, 2, 3, ... in the order applied
        assert list(row["versions"]) == list(range(1, per_round + 1)), f"stream {row['counter']} out of order"
    assert len(orders) == STREAMS
    await rm_pool.close()


async def _applied_at_least(pool: asyncpg.Pool, name: str, count: int) -> bool:
    return await _applied(pool, name) >= count
