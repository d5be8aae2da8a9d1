"""A command-path pool plans each statement for its parameters and the tables as they are now (issue 11).

The command path joins a batch of keys to a table that a burst fills fast (the catch-up read to ``events``, the
token claim to ``used_write_tokens``). A generic plan PostgreSQL settled on while the table was small scanned the
whole table for every lone command after the burst, until the table was next analysed.
"""

from __future__ import annotations

import asyncpg
import pytest

from ap_runtime.pg_pools import command_path_pool, keyed_statement_pool

pytestmark = pytest.mark.integration

# The shape of the command path's batched lookups: a batch of keys joined to a keyed table.
_LOOKUP = ("SELECT w.key, t.n FROM unnest($1::text[]) WITH ORDINALITY AS w(key, i)"
           " LEFT JOIN {table} t ON t.key = w.key ORDER BY w.i")

_SCANS = "SELECT seq_scan FROM pg_stat_xact_user_tables WHERE relname = $1"


async def _scans_of_a_lone_lookup_after_a_burst(pool: asyncpg.Pool, table: str) -> int:
    """Sequential scans of ``table`` by one lone lookup, once batches ran while it was small and it then grew."""
    lookup = _LOOKUP.format(table=table)
    async with pool.acquire() as conn:
        await conn.execute(f"CREATE TABLE {table} (key text PRIMARY KEY, n int NOT NULL)")
        await conn.execute(f"INSERT INTO {table} SELECT 'seed-' || g, g FROM generate_series(1, 3) g")  # nosec B608 - test table name
        for batch in range(10):  # a burst's batches: the statement is prepared and run while the table is small
            await conn.fetch(lookup, [f"b{batch}-{i}" for i in range(50)])
        await conn.execute(f"INSERT INTO {table} SELECT 'row-' || g, g FROM generate_series(1, 20000) g")  # nosec B608 - test table name
        async with conn.transaction():  # the session's counts, not yet sent to the statistics
            before = await conn.fetchval(_SCANS, table)
            assert [tuple(r) for r in await conn.fetch(lookup, ["row-7"])] == [("row-7", 7)]
            scans: int = await conn.fetchval(_SCANS, table) - before
    return scans


async def test_a_lone_lookup_after_a_burst_reads_the_index_not_the_table(dsn: str) -> None:
    plain = await asyncpg.create_pool(dsn, min_size=1, max_size=1)
    pool = await command_path_pool(dsn, min_size=1, max_size=1)
    try:
        # A session left to PostgreSQL's plan cache keeps the plan made for the small table: it scans all of it...
        assert await _scans_of_a_lone_lookup_after_a_burst(plain, "cached_plans") == 1
        # ...while a command-path session plans the lookup for the table as it is: one index probe.
        assert await _scans_of_a_lone_lookup_after_a_burst(pool, "fresh_plans") == 0
    finally:
        await plain.close()
        await pool.close()


_PLANS = "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement = $1"


async def test_a_keyed_session_plans_a_lookup_once_and_reads_the_index_at_every_size(dsn: str) -> None:
    """A ``keyed_statement_pool`` session keeps one plan of the lookup for all its runs (the burst's ten and the
    lone one after), and that plan probes the index: no scan of the table, small when planned, large when run."""
    pool = await command_path_pool(dsn, min_size=1, max_size=1)
    keyed = await keyed_statement_pool(dsn, min_size=1, max_size=1)
    try:
        assert await _scans_of_a_lone_lookup_after_a_burst(keyed, "keyed_plans") == 0
        assert await _scans_of_a_lone_lookup_after_a_burst(pool, "planned_each_run") == 0
        async with keyed.acquire() as conn:
            assert tuple(await conn.fetchrow(_PLANS, _LOOKUP.format(table="keyed_plans"))) == (11, 0)
        async with pool.acquire() as conn:  # a command-path session plans it at every run
            assert tuple(await conn.fetchrow(_PLANS, _LOOKUP.format(table="planned_each_run"))) == (0, 11)
    finally:
        await pool.close()
        await keyed.close()
