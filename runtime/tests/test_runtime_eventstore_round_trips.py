"""The write path's append in one round trip (issue 11: the write path at 0.9x the hand-written baseline).

The baseline writes a batch with one INSERT; ``EventStore.append`` used to send BEGIN, a lookup of
the already-stored ids, the stream's INSERT/UPDATE, the events' INSERT, ``pg_notify`` and COMMIT.
An append is now one statement (one implicit transaction) that keeps every promise: the expected
version, idempotency by event id, the relay's wake-up and a stream's version order as its commit order.
"""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from ap_runtime.eventstore import EventStore, IdempotencyMismatch, WrongExpectedVersion, migrate
from ap_runtime.eventstore.store import NOTIFY_CHANNEL

from .conftest import counter_events

pytestmark = pytest.mark.integration


def _appends(sent: list[str]) -> list[str]:
    """The statements sent, less asyncpg's reset of a connection handed back to its pool."""
    return [q for q in sent if "reset" not in q.lower() and "unlisten" not in q.lower()]


async def test_an_append_is_one_statement(counted: tuple[asyncpg.Pool, list[str]]) -> None:
    pool, sent = counted
    store = EventStore(pool)
    await store.append("ra-0", 0, counter_events("ra-0", 0, 1))
    sent.clear()  # asyncpg introspected the statement's types once, on its first use
    await store.append("ra-1", 0, counter_events("ra-1", 0, 2))
    await store.append("ra-1", 2, counter_events("ra-1", 2, 1))
    # A new stream, then an append at its version: no BEGIN/COMMIT, lookup or notify of their own.
    assert len(_appends(sent)) == 2, sent
    assert await store.stream_version("ra-1") == 3
    assert [e.stream_version for e in await store.read_stream("ra-1")] == [1, 2, 3]


async def test_an_append_in_the_callers_transaction_is_a_lookup_and_one_statement(
    counted: tuple[asyncpg.Pool, list[str]],
) -> None:
    pool, sent = counted
    store = EventStore(pool)
    await store.append("ra-2", 0, counter_events("ra-2", 0, 1))
    sent.clear()
    async with pool.acquire() as conn, conn.transaction():
        await store.append_in(conn, "ra-2", 1, counter_events("ra-2", 1, 2))
    # The already-stored lookup first (a unique violation would abort the caller's transaction),
    # then the one statement, between the caller's BEGIN and COMMIT.
    assert len([q for q in _appends(sent) if q not in ("BEGIN;", "COMMIT;")]) == 2, sent
    assert await store.stream_version("ra-2") == 3


async def test_a_conflict_reports_the_actual_version_and_writes_nothing(
    counted: tuple[asyncpg.Pool, list[str]],
) -> None:
    pool, _ = counted
    store = EventStore(pool)
    await store.append("ra-3", 0, counter_events("ra-3", 0, 2))
    with pytest.raises(WrongExpectedVersion) as raised:
        await store.append("ra-3", 1, counter_events("ra-3", 1, 1))
    assert (raised.value.expected, raised.value.actual) == (1, 2)
    with pytest.raises(WrongExpectedVersion) as raised:  # a new stream that exists already
        await store.append("ra-3", 0, counter_events("ra-3", 5, 1))
    assert (raised.value.expected, raised.value.actual) == (0, 2)
    assert await pool.fetchval("SELECT count(*) FROM events") == 2


async def test_a_retry_at_the_streams_current_version_answers_as_stored(
    counted: tuple[asyncpg.Pool, list[str]],
) -> None:
    # The single statement would move the stream and then meet the stored event ids: it must
    # roll back whole and answer as the first append did, not as a conflict or a duplicate.
    pool, _ = counted
    store = EventStore(pool)
    batch = counter_events("ra-4", 0, 2)
    await store.append("ra-4", 0, batch)
    again = await store.append("ra-4", 2, batch)
    assert again.already_stored and (again.first_version, again.last_version) == (1, 2)
    assert await store.stream_version("ra-4") == 2
    with pytest.raises(IdempotencyMismatch, match="1 of 2"):
        await store.append("ra-4", 2, [batch[0], *counter_events("ra-4", 2, 1)])
    assert await store.stream_version("ra-4") == 2


async def test_an_append_wakes_the_relay(dsn: str, counted: tuple[asyncpg.Pool, list[str]]) -> None:
    pool, _ = counted
    listener = await asyncpg.connect(dsn)
    woken: asyncio.Queue[str] = asyncio.Queue()
    await listener.add_listener(NOTIFY_CHANNEL, lambda _c, _p, _ch, payload: woken.put_nowait(payload))
    try:
        await EventStore(pool).append("ra-5", 0, counter_events("ra-5", 0, 1))
        assert await asyncio.wait_for(woken.get(), 10) == "ra-5"
        with pytest.raises(WrongExpectedVersion):
            await EventStore(pool).append("ra-5", 0, counter_events("ra-5", 1, 1))
        await asyncio.sleep(0.2)
        assert woken.empty(), "a refused append wakes nobody"
    finally:
        await listener.close()


async def test_concurrent_appends_to_a_stream_commit_in_version_order(dsn: str) -> None:
    # The relay reads in (transaction id, position) order: a stream's versions must be written in
    # that order too, so a consumer never sees version n+1 before n.
    pool = await asyncpg.create_pool(dsn, min_size=2, max_size=12)
    try:
        await migrate(pool)
        store = EventStore(pool)

        async def writer(w: int) -> None:
            for i in range(15):
                while True:
                    version = await store.stream_version("ra-6")
                    try:
                        await store.append("ra-6", version, counter_events("ra-6", w * 100 + i, 1))
                        break
                    except WrongExpectedVersion:
                        continue

        await asyncio.gather(*(writer(w) for w in range(8)))
        rows = await pool.fetch(
            "SELECT stream_version FROM events WHERE stream_id = 'ra-6' ORDER BY transaction_id, position")
        assert [r["stream_version"] for r in rows] == list(range(1, 121))
    finally:
        await pool.close()
