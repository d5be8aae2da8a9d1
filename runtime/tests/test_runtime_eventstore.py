"""What only the PostgreSQL event store promises: an append-only table, gap-free reads under real transactions.

The contract every store keeps (expected version, idempotency, ordering) is tested against both
implementations in ``test_eventstore_contract.py``.
"""

from __future__ import annotations

import asyncio
import random

import asyncpg
import pytest

from ap_runtime.eventstore import Checkpoint, EventStore
from ap_testing.store_reads import read_all_settled

from .conftest import counter_events

pytestmark = pytest.mark.integration


async def test_history_is_append_only(store: EventStore, store_db: tuple[str, asyncpg.Pool]) -> None:
    await store.append("c-6", 0, counter_events("c-6", 0, 1))
    with pytest.raises(asyncpg.RaiseError, match="append-only"):
        await store_db[1].execute("UPDATE events SET payload = '{}' WHERE stream_id = 'c-6'")
    with pytest.raises(asyncpg.RaiseError, match="append-only"):
        await store_db[1].execute("DELETE FROM events WHERE stream_id = 'c-6'")


async def _writers_with_open_transactions(store: EventStore, pool: asyncpg.Pool, writers: int, per_writer: int,
                                          done: asyncio.Event) -> None:
    async def writer(w: int) -> None:
        rnd = random.Random(w)
        version = 0
        for i in range(per_writer):
            async with pool.acquire() as conn, conn.transaction():
                await store.append_in(conn, f"w-{w}", version, counter_events(f"w-{w}", i, 1))
                # Hold the transaction open a random while: sequence order != commit order.
                await asyncio.sleep(rnd.uniform(0, 0.03))
            version += 1

    await asyncio.gather(*(writer(w) for w in range(writers)))
    done.set()


async def test_reader_never_skips_events_committed_out_of_position_order(
    store: EventStore, store_db: tuple[str, asyncpg.Pool]
) -> None:
    pool = store_db[1]
    writers, per_writer = 25, 40
    done = asyncio.Event()
    seen: list[int] = []
    naive_seen: set[int] = set()

    async def reader() -> None:
        deadline = asyncio.get_running_loop().time() + 120
        cp = Checkpoint()
        naive_last = 0
        while True:
            finished = done.is_set()
            batch = await store.read_all(cp, 100)
            for e in batch:
                seen.append(e.position)
                cp = Checkpoint(e.transaction_id, e.position)
            # The classic buggy reader: "position > last seen position".
            rows = await pool.fetch("SELECT position FROM events WHERE position > $1 ORDER BY position", naive_last)
            for r in rows:
                naive_seen.add(r["position"])
                naive_last = r["position"]
            if finished and not batch and len(seen) >= writers * per_writer:
                return
            # An older transaction anywhere on the shared server holds the horizon back: wait, never skip.
            assert asyncio.get_running_loop().time() < deadline, f"reader saw {len(seen)} by the deadline"
            await asyncio.sleep(0.002)

    await asyncio.gather(_writers_with_open_transactions(store, pool, writers, per_writer, done), reader())
    total = writers * per_writer
    assert len(seen) == total, f"reader saw {len(seen)} of {total}"
    assert len(set(seen)) == total, "no event is read twice"
    stored = await pool.fetchval("SELECT count(*) FROM events")
    assert stored == total
    # The naive reader may or may not lose events here, depending on the machine's timing; the test below
    # shows deterministically what it loses and that ours does not.
    assert len(naive_seen) <= total


async def test_a_late_commit_is_lost_to_a_reader_by_position_alone_but_not_to_ours(
    store: EventStore, store_db: tuple[str, asyncpg.Pool]
) -> None:
    pool = store_db[1]
    async with pool.acquire() as early_conn:
        early = early_conn.transaction()
        await early.start()
        await store.append_in(early_conn, "late", 0, counter_events("late", 0, 1))  # takes the lower position
        await store.append("prompt", 0, counter_events("prompt", 0, 1))  # commits a higher position first
        naive_last = await pool.fetchval("SELECT max(position) FROM events")
        ours_before = await store.read_all(Checkpoint(), 100)
        await early.commit()
    late_position = await pool.fetchval("SELECT position FROM events WHERE stream_id = 'late'")
    assert late_position < naive_last, "the open transaction took the lower position"
    assert await pool.fetch("SELECT position FROM events WHERE position > $1", naive_last) == [], (
        "the reader by position alone never sees the late commit")
    # Ours held the later commit back while the earlier transaction was open, so it can skip nothing.
    assert ours_before == [], "an event above an open transaction's position was handed out"
    ours = await read_all_settled(store, 2)
    assert sorted(e.stream_id for e in ours) == ["late", "prompt"]
