"""Building a generation's deferred indexes while another catch-up worker loads a batch does not deadlock (issue 11).

Rule served: a multi-worker rebuild fails only for a reason (``DuplicatesLoaded``), never by chance. A worker
whose batch cannot be loaded without the indexes builds them while the other workers still load. A loading batch
writes ``processed_events`` first, then the projection's tables; a build that took a projection's table first
(its indexes are built in name order, and ``behaviour_log_*`` sorts before ``processed_events_pkey``) and then
waited for ``processed_events`` deadlocked with such a batch, and PostgreSQL aborted one of them: the rebuild
itself when it chose the build. Here a projection table named to sort first and a batch held between its two
writes reproduce that order; the build waits for the batch, and both finish.
"""

from __future__ import annotations

import asyncio
import time
from uuid import uuid4

import asyncpg
import pytest

from ap_runtime.projection.deferred_indexes import build_deferred_indexes, defer_indexes
from ap_runtime.projection.store import BOOKKEEPING_DDL

pytestmark = pytest.mark.integration

_SCHEMA = "g_lock_order"
_BLOCKED_BY = "SELECT count(*) FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))"


async def _deferred_generation(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute(f"CREATE SCHEMA {_SCHEMA}; SET LOCAL search_path TO {_SCHEMA}")
        await conn.execute(BOOKKEEPING_DDL)
        await conn.execute("CREATE TABLE a_rows (event_id uuid PRIMARY KEY)")  # 'a_rows_pkey' sorts first
        await defer_indexes(conn, _SCHEMA, ["a_rows_pkey"])


async def _until_blocked_by(pool: asyncpg.Pool, holder_pid: int, wait_seconds: float = 30.0) -> None:
    deadline = time.monotonic() + wait_seconds
    while not await pool.fetchval(_BLOCKED_BY, holder_pid):
        if time.monotonic() > deadline:
            raise TimeoutError("the index build never waited for the loading batch")
        await asyncio.sleep(0.02)


async def test_an_index_build_waits_for_a_batch_half_loaded_and_both_finish(dsn: str) -> None:
    pool = await asyncpg.create_pool(dsn, min_size=2, max_size=4)
    try:
        await _deferred_generation(pool)
        event_id = uuid4()
        async with pool.acquire() as loader:
            batch = loader.transaction()
            await batch.start()
            await loader.execute(f"SET LOCAL search_path TO {_SCHEMA}")
            await loader.execute("INSERT INTO processed_events (event_id) VALUES ($1)", event_id)
            build = asyncio.create_task(build_deferred_indexes(pool, _SCHEMA))
            await _until_blocked_by(pool, loader.get_server_pid())
            # The old order: the build held a_rows (its index built first) here, and this insert deadlocked.
            await loader.execute("INSERT INTO a_rows (event_id) VALUES ($1)", event_id)
            await batch.commit()
        assert sorted(await asyncio.wait_for(build, 30)) == ["a_rows_pkey", "processed_events_pkey"]
        indexes = await pool.fetch("SELECT indexname FROM pg_indexes WHERE schemaname = $1", _SCHEMA)
        assert {"a_rows_pkey", "processed_events_pkey"} <= {r["indexname"] for r in indexes}
        assert await pool.fetchval(f"SELECT count(*) FROM {_SCHEMA}.a_rows") == 1
    finally:
        await pool.close()
