"""Several relays on one event store: one publishes, the others stand by and take over (issue 11).

The in-process tests run two ``Relay`` objects on one database; the fault test runs two relay
processes and SIGKILLs whichever leads, several times, while writes continue.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable
from typing import Any

import asyncpg
import pytest

from ap_runtime.eventstore import EventStore
from ap_runtime.pg_pools import command_path_pool
from ap_runtime.relay import Relay
from ap_runtime.relay_leadership import current_leader
from ap_testing.topic_reads import first_copies_out_of_order, read_topic

from .conftest import Proc, counter_events, wait_until

TAKEOVER_LIMIT_SECONDS = 15.0  # the issue asks "within seconds"; loose for a loaded 2-core machine


async def _leader(pool: asyncpg.Pool, relay: str) -> str | None:
    async with pool.acquire() as conn:
        return await current_leader(conn, relay)


async def _append(store: EventStore, streams: int, per_stream: int) -> int:
    async def one(s: int) -> None:
        version = await store.stream_version(f"s-{s}")
        await store.append(f"s-{s}", version, counter_events(f"s-{s}", version, per_stream))

    await asyncio.gather(*(one(s) for s in range(streams)))
    return streams * per_stream


@pytest.mark.integration
async def test_two_relays_on_one_store_publish_each_event_once_because_only_one_leads(
    store: EventStore, store_db: tuple[str, asyncpg.Pool], new_topic: Callable[[str], Any], kafka_bootstrap: str,
) -> None:
    topic = await new_topic("leaders")
    stop = asyncio.Event()
    relays = [Relay(store_db[1], kafka_bootstrap, "shared", topic_override=topic) for _ in range(2)]
    running = [asyncio.create_task(r.run(stop)) for r in relays]
    try:
        await wait_until(lambda: any(r.leading for r in relays), timeout=20)
        total = await _append(store, streams=10, per_stream=30)
        await wait_until(lambda: sum(r.published for r in relays) >= total, timeout=60)
        await asyncio.sleep(0.5)  # a second publisher, if there were one, would be at it by now
        assert sorted(r.published for r in relays) == [0, total]
        assert [r.leading for r in relays].count(True) == 1
        records = await read_topic(kafka_bootstrap, topic)
        assert len(records) == total and first_copies_out_of_order(records) == []
    finally:
        stop.set()
        await asyncio.wait_for(asyncio.gather(*running), 20)


@pytest.mark.integration
async def test_a_leader_whose_session_is_terminated_stops_and_the_standby_takes_over(
    store: EventStore, store_db: tuple[str, asyncpg.Pool], new_topic: Callable[[str], Any], kafka_bootstrap: str,
) -> None:
    """Losing the lock's connection ends the leader's publishing; the standby resumes from the checkpoint."""
    topic = await new_topic("deposed")
    pool = store_db[1]
    stop = asyncio.Event()
    first = Relay(pool, kafka_bootstrap, "deposed", topic_override=topic)
    running = [asyncio.create_task(first.run(stop))]
    await wait_until(lambda: first.leading, timeout=20)
    second = Relay(pool, kafka_bootstrap, "deposed", topic_override=topic)
    running.append(asyncio.create_task(second.run(stop)))
    try:
        before = await _append(store, streams=5, per_stream=20)
        await wait_until(lambda: first.published >= before, timeout=60)
        terminated = await pool.fetchval(
            "SELECT pg_terminate_backend(l.pid) FROM pg_locks l WHERE l.locktype = 'advisory' AND l.granted"
            " AND l.classid = 7041002"
            " AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())")
        assert terminated
        await wait_until(lambda: second.leading, timeout=TAKEOVER_LIMIT_SECONDS)
        assert not first.leading  # it stepped down when its session went
        after = await _append(store, streams=5, per_stream=20)
        await wait_until(lambda: second.published >= after, timeout=60)
        assert first.published == before  # nothing more from the deposed relay
        records = await read_topic(kafka_bootstrap, topic)
        assert len(records) == before + after and first_copies_out_of_order(records) == []
    finally:
        stop.set()
        await asyncio.wait_for(asyncio.gather(*running), 20)


@pytest.mark.integration
async def test_a_relay_that_stops_hands_over_even_on_a_pool_that_does_not_reset_sessions(
    store_db: tuple[str, asyncpg.Pool], new_topic: Callable[[str], Any], kafka_bootstrap: str,
) -> None:
    """The lock is given back explicitly: an idle pooled session must not keep it (``pg_pools``)."""
    topic = await new_topic("handover")
    no_reset = await command_path_pool(store_db[0], min_size=1, max_size=4)
    stop_first, stop_second = asyncio.Event(), asyncio.Event()
    first = Relay(no_reset, kafka_bootstrap, "handover", topic_override=topic)
    second = Relay(store_db[1], kafka_bootstrap, "handover", topic_override=topic)
    running = asyncio.create_task(first.run(stop_first))
    try:
        await wait_until(lambda: first.leading, timeout=20)
        taking_over = asyncio.create_task(second.run(stop_second))
        stop_first.set()
        await asyncio.wait_for(running, 20)
        await wait_until(lambda: second.leading, timeout=TAKEOVER_LIMIT_SECONDS)
        stop_second.set()
        await asyncio.wait_for(taking_over, 20)
    finally:
        stop_first.set()
        stop_second.set()
        await no_reset.close()


@pytest.mark.fault
async def test_killing_the_leading_relay_process_repeatedly_loses_nothing_and_keeps_stream_order(
    store: EventStore, store_db: tuple[str, asyncpg.Pool], new_topic: Callable[[str], Any], kafka_bootstrap: str,
    processes: Callable[[list[str], dict[str, str]], Proc],
) -> None:
    """Two relay processes; the leader is SIGKILLed four times while 40 writers keep appending."""
    seed = random.randrange(1_000_000)
    print(f"relay leadership fault test seed: {seed}")  # the seed replays the kill points
    rng = random.Random(seed)
    topic = await new_topic("relayfail")
    dsn, pool = store_db
    env = {"KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap, "AP_LOG_LEVEL": "WARNING"}
    args = ["-m", "ap_runtime.relay", "--service", "test", "--dsn", dsn, "--topic", topic]
    relays = {}
    for _ in range(2):
        proc = processes(args, env)
        assert proc.p is not None
        relays[proc.p.pid] = proc
    writing = asyncio.Event()
    written = 0

    async def writer() -> None:
        nonlocal written
        while not writing.is_set():
            written += await _append(store, streams=40, per_stream=5)

    writes = asyncio.create_task(writer())
    takeovers: list[float] = []
    try:
        await wait_until(lambda: _leader(pool, "test-relay"), timeout=30)
        for _ in range(4):
            await asyncio.sleep(rng.uniform(0.5, 2.5))
            leader = await _leader(pool, "test-relay")
            assert leader is not None
            pid = int(leader.rsplit(":", 1)[1])
            killed_at = time.monotonic()
            relays.pop(pid).kill()
            await wait_until(lambda: _led_by_other(pool, pid), timeout=TAKEOVER_LIMIT_SECONDS + 5, interval=0.05)
            takeovers.append(time.monotonic() - killed_at)
            proc = processes(args, env)  # a new standby, as a supervisor would start
            assert proc.p is not None
            relays[proc.p.pid] = proc
    finally:
        writing.set()
        await writes
    print(f"takeover seconds: {[round(t, 2) for t in takeovers]}")
    assert max(takeovers) < TAKEOVER_LIMIT_SECONDS
    head = await store.head()
    await wait_until(lambda: _checkpoint_at(pool, head.position), timeout=90)
    records = await read_topic(kafka_bootstrap, topic)
    stored = {r["event_id"] for r in await pool.fetch("SELECT event_id FROM events")}
    assert len(stored) == written
    assert {r.event_id for r in records} == stored  # nothing lost, nothing foreign
    assert first_copies_out_of_order(records) == []
    print(f"duplicates after {len(takeovers)} takeovers: {len(records) - len(stored)}")


async def _led_by_other(pool: asyncpg.Pool, killed_pid: int) -> bool:
    leader = await _leader(pool, "test-relay")
    return leader is not None and not leader.endswith(f":{killed_pid}")


async def _checkpoint_at(pool: asyncpg.Pool, position: int) -> bool:
    return bool(await pool.fetchval("SELECT position >= $1 FROM relay_checkpoints WHERE relay = 'test-relay'",
                                    position))
