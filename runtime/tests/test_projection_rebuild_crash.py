"""A rebuild killed part-way changes nothing a reader sees, and the next rebuild starts clean.

Rule served (issue 11): a rebuild fills its new generation with COPY, without waiting for each
batch's WAL flush and without its unique indexes until the end (``deferred_indexes.py``), which is
safe only because nothing serves from that generation until the switch and the next rebuild drops
it. The rebuild runs as a real OS process and is SIGKILLed inside a batch's transaction; its
catch-up workers die with it (an orphan would go on loading into the next attempt's tables).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import asyncpg
import pytest

from ap_runtime.eventstore import EventStore
from ap_runtime.projection import ProjectionRunner, read_model
from ap_runtime.projection.rebuild import rebuild
from ap_runtime.projection.runner import build_app
from ap_runtime.relay import Relay
from ap_testing.projections import CounterProjection

from .conftest import Proc, counter_events, wait_until

COUNTER = "ap_testing.projections:CounterProjection"

pytestmark = pytest.mark.fault


async def _totals(pool: asyncpg.Pool) -> tuple[int, int, int]:
    """(distinct events applied, sum of application counts, max application count) of the serving generation."""
    async with read_model(pool, "counter") as conn:
        row = await conn.fetchrow("SELECT count(*) AS n, coalesce(sum(applied_count), 0) AS s,"
                                  " coalesce(max(applied_count), 0) AS m FROM counter_events")
    return int(row["n"]), int(row["s"]), int(row["m"])


async def _append(store: EventStore, streams: int, per_stream: int, first_seq: int = 0) -> int:
    for s in range(streams):
        version = await store.stream_version(f"s-{s}")
        await store.append(f"s-{s}", version, counter_events(f"s-{s}", first_seq, per_stream))
    return streams * per_stream


async def _rebuild_applying(pool: asyncpg.Pool, processes: int = 1) -> bool:
    """Whether ``processes`` rebuild batch transactions are open (their slow applies sleeping in PostgreSQL)."""
    return int(await pool.fetchval(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
        " AND state = 'active' AND query LIKE '%pg_sleep%' AND pid <> pg_backend_pid()")) >= processes


def _stat(pid: int) -> list[str]:
    """Fields 3 on of /proc/<pid>/stat (state, parent, ...); none for a process that has gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return []


def _children(pid: int) -> list[int]:
    """The processes whose parent is ``pid``."""
    return [int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit() and _stat(int(p.name))[1:2] == [str(pid)]]


def _running(pid: int) -> bool:
    return _stat(pid)[:1] not in ([], ["Z"])  # a zombie has ended (no reaper here, perhaps)


async def _rebuilt_again(pool: asyncpg.Pool, bootstrap: str, topic: str) -> str:
    """The counter rebuilt in this process after the killed one; the new generation's schema."""
    again = ProjectionRunner(CounterProjection(topics=(topic,)), pool, bootstrap, group_id="rebuild.counter")
    await again.start()
    try:
        return await rebuild(again, pool, bootstrap, show_progress=False)
    finally:
        await again.stop()


async def test_a_rebuild_killed_part_way_leaves_the_live_generation_serving(
    store: EventStore, store_db: tuple[str, asyncpg.Pool], read_model_db: tuple[str, asyncpg.Pool],
    new_topic: Callable[[str], object], kafka_bootstrap: str, processes: Callable[[list[str], dict[str, str]], Proc],
) -> None:
    topic = await new_topic("rebuildkill")  # type: ignore[misc]
    rm_dsn, rm_pool = read_model_db
    total = await _append(store, streams=4, per_stream=250)
    relay_stop = asyncio.Event()
    relay = asyncio.create_task(Relay(store_db[1], kafka_bootstrap, "r", topic_override=topic).run(relay_stop))
    live = ProjectionRunner(CounterProjection(topics=(topic,)), rm_pool, kafka_bootstrap)
    app = build_app([live], kafka_bootstrap)
    try:
        async with app.broker:  # type: ignore[union-attr]
            await live.start()
            await app.broker.start()  # type: ignore[union-attr]
            await wait_until(lambda: _totals_are(rm_pool, total), timeout=60)

            # Slow applies hold each rebuild batch's transaction open for seconds: the kill lands inside one.
            env = {"KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap, "AP_TEST_TOPICS": topic,
                   "AP_TEST_SLOW_APPLY": "0.01", "AP_LOG_LEVEL": "WARNING"}
            rebuilder = processes(["-m", "ap_runtime.projection", "rebuild", "--projection", COUNTER,
                                   "--dsn", rm_dsn], env)
            await wait_until(lambda: _rebuild_applying(rm_pool), timeout=60)
            rebuilder.kill()

            assert await rm_pool.fetchval(
                "SELECT active_schema FROM projection_registry WHERE name = 'counter'") == "rm_counter_g1"
            total += await _append(store, streams=4, per_stream=50, first_seq=250)
            await wait_until(lambda: _totals_are(rm_pool, total), timeout=60)  # the live runner carries on

            assert await _rebuilt_again(rm_pool, kafka_bootstrap, topic) == "rm_counter_g2"
            assert await _totals(rm_pool) == (total, total, 1)
            await live.stop()
    finally:
        relay_stop.set()
        await relay


async def _totals_are(pool: asyncpg.Pool, total: int) -> bool:
    try:
        return await _totals(pool) == (total, total, 1)
    except LookupError:
        return False


async def test_a_rebuild_killed_with_its_workers_running_takes_them_with_it_and_the_next_applies_each_event_once(
    store: EventStore, store_db: tuple[str, asyncpg.Pool], read_model_db: tuple[str, asyncpg.Pool],
    new_topic: Callable[[str], object], kafka_bootstrap: str, processes: Callable[[list[str], dict[str, str]], Proc],
) -> None:
    topic = await new_topic("rebuildkillworkers")  # type: ignore[misc]
    rm_dsn, rm_pool = read_model_db
    total = await _append(store, streams=12, per_stream=50)
    relay_stop = asyncio.Event()
    relaying = Relay(store_db[1], kafka_bootstrap, "r", topic_override=topic)
    relay = asyncio.create_task(relaying.run(relay_stop))
    try:
        await wait_until(lambda: relaying.published == total, timeout=60)
        env = {"KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap, "AP_TEST_TOPICS": topic,
               "AP_TEST_SLOW_APPLY": "0.02", "AP_LOG_LEVEL": "WARNING"}
        rebuilder = processes(["-m", "ap_runtime.projection", "rebuild", "--projection", COUNTER,
                               "--dsn", rm_dsn, "--workers", "2"], env)
        assert rebuilder.p is not None
        await wait_until(lambda: _rebuild_applying(rm_pool, processes=2), timeout=90)  # its share and the worker's
        workers = _children(rebuilder.p.pid)
        assert len(workers) == 1
        rebuilder.kill()
        await wait_until(lambda: not any(_running(w) for w in workers), timeout=5)

        assert await rm_pool.fetchval(
            "SELECT active_schema FROM projection_registry WHERE name = 'counter'") == "rm_counter_g1"
        assert await _rebuilt_again(rm_pool, kafka_bootstrap, topic) == "rm_counter_g2"
        assert await _totals(rm_pool) == (total, total, 1)
    finally:
        relay_stop.set()
        await relay
