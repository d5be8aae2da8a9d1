"""Indexes a generation being rebuilt goes without while its first catch-up loads it (issue 11).

Each event a rebuild copies in costs an insert into every index of its rows, and the unique ones are
on random UUIDs (``processed_events`` and, for the behaviour log, ``event_id``): each lands on its own
page, so the inserts dirty pages all over the index and write them to the WAL again after every
checkpoint. Nobody reads a generation until its switch, so the rebuild drops those indexes once the
generation's tables exist, loads, and builds them at the end in one sort each.

The unique ones are also what applied each event once: without them a rebuild skips an event id it
saw recently (``recent_ids``), and building them is the proof. ``build_deferred_indexes`` raises
``DuplicatesLoaded`` when a unique index finds an event loaded twice (a copy published further from
its first than the window reaches), and the rebuild starts again from scratch with every index in
place. How to build each index again is kept in the generation itself (``rebuild_deferred_indexes``),
so a catch-up worker can build them too, and a generation left by an interrupted rebuild is dropped
whole by the next one.

A projection may defer an index its own statements look rows up by (the behaviour log's
(pupil_ref, stream_version) key: corrections and erasure find their rows by pupil): its ``load_batch``
then records such work in a table created with the deferral (``Projection.deferred_ddl``), and the
projection's ``deferred_finish`` does it set-based right after the indexes are built, in their
transaction, which holds the tables' locks: every batch loaded before is in, every later one is
applied with the indexes (issue 11: the key cost a rebuild 1.2-2.2 us of PostgreSQL's ~5 a row).
"""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg

from ap_runtime.projection.base import Projection

# The runtime's own: ``processed_events`` (store.BOOKKEEPING_DDL) is the unique index every generation has.
PROCESSED_EVENTS_KEY = "processed_events_pkey"

_PENDING = "rebuild_deferred_indexes"  # the table of what is to be built, in the generation's schema

# Each named index of the schema's tables, how to drop it and how to build it again; an index that backs a
# primary key or unique constraint is dropped and added back as that constraint.
_DEFINITIONS = """
SELECT i.relname AS name,
       CASE WHEN c.oid IS NULL THEN format('DROP INDEX %I', i.relname)
            ELSE format('ALTER TABLE %I DROP CONSTRAINT %I', t.relname, c.conname) END AS drop_sql,
       CASE WHEN c.oid IS NULL THEN pg_get_indexdef(x.indexrelid)
            ELSE format('ALTER TABLE %I ADD CONSTRAINT %I %s', t.relname, c.conname, pg_get_constraintdef(c.oid))
       END AS create_sql
  FROM pg_index x
  JOIN pg_class i ON i.oid = x.indexrelid
  JOIN pg_class t ON t.oid = x.indrelid
  JOIN pg_namespace n ON n.oid = i.relnamespace
  LEFT JOIN pg_constraint c ON c.conindid = x.indexrelid AND c.conrelid = x.indrelid AND c.contype IN ('p', 'u')
 WHERE n.nspname = $1 AND i.relname = ANY($2::text[])
 ORDER BY i.relname
"""


class DuplicatesLoaded(RuntimeError):
    """A unique index of a generation being rebuilt could not be built: some row (an event) was loaded twice."""


async def defer_indexes(conn: asyncpg.Connection, schema: str, names: Sequence[str], *,
                        pending_ddl: str = "", finish_sql: str = "") -> list[str]:
    """Drop the named indexes of ``schema`` (search path set to it), recording how to build each again.

    ``schema`` must be a generation schema the caller checked (it is used in SQL). A name that is not an
    index there is an error: a projection's list of deferred indexes must not silently go stale.
    ``pending_ddl`` is run now and ``finish_sql`` kept to run after the indexes are built (see the module).
    """
    if await conn.fetchval("SELECT current_schema()") != schema:
        raise ValueError(f"defer_indexes needs the search path set to {schema}")
    wanted = sorted({PROCESSED_EVENTS_KEY, *names})
    found = await conn.fetch(_DEFINITIONS, schema, wanted)
    missing = set(wanted) - {str(r["name"]) for r in found}
    if missing:
        raise ValueError(f"{schema} has no index named {', '.join(sorted(missing))} to build after loading")
    # ``after``: the projection's finishing statements, run once every index is built (none is named so).
    await conn.execute("CREATE TABLE rebuild_deferred_indexes"
                       " (name text PRIMARY KEY, create_sql text NOT NULL, after boolean NOT NULL DEFAULT false)")
    await conn.executemany("INSERT INTO rebuild_deferred_indexes VALUES ($1, $2)",
                           [(r["name"], r["create_sql"]) for r in found])
    if finish_sql:
        await conn.execute("INSERT INTO rebuild_deferred_indexes VALUES ('', $1, true)", finish_sql)
    for row in found:
        await conn.execute(str(row["drop_sql"]))
    if pending_ddl:
        await conn.execute(pending_ddl)
    return [str(r["name"]) for r in found]


async def defer_projection_indexes(conn: asyncpg.Connection, schema: str, projection: Projection) -> list[str]:
    """``defer_indexes`` with what ``projection`` declares: its indexes, pending tables and finishing statements."""
    return await defer_indexes(conn, schema, projection.deferred_indexes, pending_ddl=projection.deferred_ddl,
                               finish_sql=projection.deferred_finish)


async def indexes_deferred(conn: asyncpg.Connection | asyncpg.Pool, schema: str) -> bool:
    """Whether ``schema`` still waits for indexes dropped by ``defer_indexes``."""
    return bool(await conn.fetchval("SELECT to_regclass($1) IS NOT NULL", f"{schema}.{_PENDING}"))


async def build_deferred_indexes(pool: asyncpg.Pool, schema: str) -> list[str]:
    """Build every index ``defer_indexes`` dropped from ``schema``, once whoever asks first; returns their names.

    Raises ``DuplicatesLoaded`` if a unique one finds a duplicate (nothing is built then). The build
    holds the tables' locks, so a catch-up worker still loading waits for it and then loads with them;
    the projection's finishing statements run last, in the same transaction.
    """
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock(hashtext($1))", f"{_PENDING}:{schema}")
        if not await indexes_deferred(conn, schema):
            return []  # another process built them
        # A sort in memory, not in temporary files: an index of a million UUIDs needs about 60 MB.
        await conn.execute(f"SET LOCAL search_path TO {schema}, public; SET LOCAL maintenance_work_mem TO '256MB'")
        # The tables in the order a loading batch takes them (``processed_events``, then the projection's), or a
        # worker's build (after a poison batch) and another worker's load deadlock: the build would hold the
        # projection's table and wait for ``processed_events`` while the load holds that and waits for the table.
        # Once the build holds this, every load still running has committed and every later one waits at its start.
        await conn.execute("LOCK TABLE processed_events IN SHARE MODE")
        pending = await conn.fetch("SELECT name, create_sql, after FROM rebuild_deferred_indexes ORDER BY after, name")
        for row in pending:
            try:
                await conn.execute(str(row["create_sql"]))
            except asyncpg.UniqueViolationError as exc:
                raise DuplicatesLoaded(f"{schema}: {row['name']} found rows loaded twice") from exc
        await conn.execute("DROP TABLE rebuild_deferred_indexes")
        return [str(r["name"]) for r in pending if not r["after"]]
