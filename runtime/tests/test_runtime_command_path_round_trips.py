"""The command path's database round trips (issue 11, the command path five times faster).

Each round trip to PostgreSQL costs the API process and the database a few hundred microseconds
of CPU on a 2-core machine: appending a command's events and its record is one statement, and a
connection handed back to a command-path pool (the key store's too) is not reset by another statement.
"""

from __future__ import annotations

from uuid import uuid4

import asyncpg
import pytest

from ap_runtime.eventstore import EventStore, WrongExpectedVersion
from ap_runtime.pg_pools import command_path_pool
from ap_runtime.privacy.keystore import KeyStore
from ap_testing.privacy import random_ring

from .conftest import counter_events

pytestmark = pytest.mark.integration


async def test_appending_a_command_is_one_statement(counted: tuple[asyncpg.Pool, list[str]]) -> None:
    pool, sent = counted
    store = EventStore(pool)
    await store.append_command(uuid4(), "rt-0", 0, counter_events("rt-0", 0, 1))
    sent.clear()  # asyncpg introspected the statement's types once, on its first use
    await store.append_command(uuid4(), "rt-1", 0, counter_events("rt-1", 0, 2))
    await store.append_command(uuid4(), "rt-1", 2, counter_events("rt-1", 2, 1))
    # Two appends (a new stream, then one at its version), each with its command record, and the
    # connection returned to the pool: no BEGIN/COMMIT, lookups or notify of their own.
    appends = [q for q in sent if "reset" not in q.lower() and "unlisten" not in q.lower()]
    assert len(appends) == 2, sent
    assert await store.stream_version("rt-1") == 3
    assert [e.stream_version for e in await store.read_stream("rt-1")] == [1, 2, 3]


async def test_a_conflicting_append_still_reports_the_actual_version(counted: tuple[asyncpg.Pool, list[str]]) -> None:
    pool, _ = counted
    store = EventStore(pool)
    await store.append_command(uuid4(), "rt-2", 0, counter_events("rt-2", 0, 2))
    command_id = uuid4()
    with pytest.raises(WrongExpectedVersion) as raised:
        await store.append_command(command_id, "rt-2", 1, counter_events("rt-2", 1, 1))
    assert (raised.value.expected, raised.value.actual) == (1, 2)
    assert await store.recorded_command(command_id) is None
    with pytest.raises(WrongExpectedVersion):  # a new stream that exists already
        await store.append_command(uuid4(), "rt-2", 0, counter_events("rt-2", 5, 1))
    assert await store.stream_version("rt-2") == 2


async def _last_statement_of(pool: asyncpg.Pool, observer: asyncpg.Connection) -> str:
    async with pool.acquire() as conn:
        pid = await conn.fetchval("SELECT pg_backend_pid()")
        await conn.execute("SELECT 'the last statement'")
    # The backend's last statement, once the connection is back in the pool.
    query: str = await observer.fetchval("SELECT query FROM pg_stat_activity WHERE pid = $1", pid)
    return query


async def test_a_command_path_pool_does_not_reset_a_released_connection(dsn: str) -> None:
    observer = await asyncpg.connect(dsn)
    plain = await asyncpg.create_pool(dsn, min_size=1, max_size=1)
    pool = await command_path_pool(dsn, min_size=1, max_size=1)
    try:
        # asyncpg's own pools reset every released session with one more round trip...
        assert "pg_advisory_unlock_all" in await _last_statement_of(plain, observer)
        # ...which a command-path pool, whose sessions hold no state, does not send.
        assert await _last_statement_of(pool, observer) == "SELECT 'the last statement'"
    finally:
        await plain.close()
        await pool.close()
        await observer.close()


async def test_a_command_path_pool_still_rolls_back_what_a_holder_left_open(dsn: str) -> None:
    pool = await command_path_pool(dsn, min_size=1, max_size=1)
    try:
        await pool.execute("CREATE TABLE left_open (n int)")
        conn = await pool.acquire()
        await conn.execute("BEGIN")
        await conn.execute("INSERT INTO left_open VALUES (1)")
        await pool.release(conn)
        assert await pool.fetchval("SELECT count(*) FROM left_open") == 0
    finally:
        await pool.close()


async def test_the_key_stores_pool_does_not_reset_a_released_connection(dsn: str) -> None:
    """The key store's sessions hold no state either (issue 11: its reset was a round trip per key read)."""
    observer = await asyncpg.connect(dsn)
    keys = await KeyStore.open(dsn, random_ring()[0], max_connections=1, cache_ttl_seconds=0)
    try:
        created = await keys.get_or_create("pupil-rt")
        assert await keys.get("pupil-rt") == created  # read back on the one connection, then handed back
        last = await observer.fetchval("SELECT query FROM pg_stat_activity WHERE datname = current_database()"
                                       " AND backend_type = 'client backend' AND pid <> pg_backend_pid()")
        assert last.startswith("SELECT subject, master_key_id, wrapped_key FROM subject_keys"), last
    finally:
        await keys.close()
        await observer.close()
