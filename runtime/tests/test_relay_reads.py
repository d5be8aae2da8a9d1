"""The relay's commit horizon: held back by open transactions of its own database, not of others.

Every service's event store shares one PostgreSQL server with the others (and with ``ap_audit``,
``ap_keys`` and the read models). A transaction open in another database can never add rows to
this one's ``events``, so it must not hold this relay back; one open in this database must.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from typing import Any

import asyncpg
import pytest

from ap_runtime.eventstore import Checkpoint, EventStore
from ap_runtime.relay_reads import checkpoint_after, read_batch

from .conftest import counter_events

pytestmark = pytest.mark.integration


async def _open_transaction_with_an_xid(conn: asyncpg.Connection) -> asyncpg.transaction.Transaction:
    tx = conn.transaction()
    await tx.start()
    await conn.fetchval("SELECT pg_current_xact_id()")  # takes a transaction id, as any write would
    return tx


async def test_a_transaction_open_in_another_database_does_not_hold_the_relay_back(
    store: EventStore, store_db: tuple[str, asyncpg.Pool], new_database: Callable[[str], Any],
) -> None:
    other = await asyncpg.connect(await new_database("elsewhere"))
    try:
        tx = await _open_transaction_with_an_xid(other)
        await store.append("c-1", 0, counter_events("c-1", 0, 3))  # committed after the other one began
        async with store_db[1].acquire() as conn:
            batch = await read_batch(conn, Checkpoint(), 100)
        await tx.rollback()
    finally:
        await other.close()
    assert [row["stream_id"] for row in batch] == ["c-1"] * 3


async def test_a_transaction_open_in_the_same_database_still_holds_the_relay_back(
    store: EventStore, store_db: tuple[str, asyncpg.Pool],
) -> None:
    async with store_db[1].acquire() as holder:
        tx = await _open_transaction_with_an_xid(holder)  # could still insert events with an older id
        await store.append("c-2", 0, counter_events("c-2", 0, 3))
        async with store_db[1].acquire() as conn:
            assert await read_batch(conn, Checkpoint(), 100) == []
            await tx.rollback()
            assert len(await read_batch(conn, Checkpoint(), 100)) == 3


async def test_the_relay_read_skips_nothing_under_commits_out_of_order_while_another_database_is_busy(
    store: EventStore, store_db: tuple[str, asyncpg.Pool], new_database: Callable[[str], Any],
) -> None:
    """25 writers hold their transactions open for random times; a neighbour opens and ends others."""
    pool = store_db[1]
    done = asyncio.Event()
    other = await asyncpg.connect(await new_database("busy"))

    async def writer(w: int) -> None:
        rnd = random.Random(w)
        for i in range(30):
            async with pool.acquire() as conn, conn.transaction():
                await store.append_in(conn, f"w-{w}", i, counter_events(f"w-{w}", i, 1))
                await asyncio.sleep(rnd.uniform(0, 0.03))

    async def neighbour() -> None:
        while not done.is_set():
            tx = await _open_transaction_with_an_xid(other)
            await asyncio.sleep(0.02)
            await tx.rollback()

    seen: list[int] = []

    async def reader() -> None:
        cp = Checkpoint()
        async with pool.acquire() as conn:
            while True:
                finished = done.is_set()
                batch = await read_batch(conn, cp, 100)
                seen.extend(row["position"] for row in batch)
                cp = checkpoint_after(batch) if batch else cp
                if finished and not batch:
                    return
                await asyncio.sleep(0.002)

    async def write_all() -> None:
        await asyncio.gather(*(writer(w) for w in range(25)))
        done.set()

    try:
        await asyncio.gather(write_all(), neighbour(), reader())
    finally:
        await other.close()
    assert len(seen) == 25 * 30 and len(set(seen)) == 25 * 30
