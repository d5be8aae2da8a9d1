"""The SQL steps of one projection batch's transaction (``runner.py`` holds the loop around them).

Kept apart so the runner reads as the exactly-once loop it is: which generation a batch writes to, and
how its event ids are recorded in ``processed_events`` (inserted live, copied while rebuilding).
"""

from __future__ import annotations

import enum
from uuid import UUID

import asyncpg

from ap_runtime.projection.store import ReadModelNotReady


class Mode(enum.Enum):
    """How a batch is applied: copied into a generation being rebuilt, as one batch, or event by event."""

    LOAD = "load"
    BATCH = "batch"
    CAREFUL = "careful"


async def enter_generation(conn: asyncpg.Connection, name: str, schema: str | None) -> str:
    """Point the transaction at the serving generation (held FOR SHARE against a switch) or at ``schema``.

    One round trip either way: the registry lookup sets the search path itself (issue 11: fewer
    statements per batch).
    """
    if schema is None:
        try:
            target = await conn.fetchval(
                "SELECT active_schema, set_config('search_path', active_schema || ', public', true)"
                " FROM public.projection_registry WHERE name = $1 FOR SHARE", name)
        except asyncpg.UndefinedTableError:
            target = None
        if target is None:
            raise ReadModelNotReady(f"projection {name!r} is not registered in this database")
        return str(target)
    # A generation being filled serves no reader until the switch, whose own commit is synchronous and
    # so makes every earlier commit durable; a crash before it restarts the rebuild from scratch.
    # Waiting for each batch's WAL flush buys nothing.
    await conn.execute(f"SET LOCAL search_path TO {schema}, public; SET LOCAL synchronous_commit TO off")
    return schema


# The live insert answers in one value: NULL when every id of the batch was new (the usual case, so no row
# per event comes back to be decoded), else the array of the new ones, empty when none was (array_agg of no
# rows is NULL, hence the coalesce). Issue 11: the runner's Python per event.
_RECORD_LIVE = (
    "WITH fresh AS (INSERT INTO processed_events (event_id) SELECT DISTINCT unnest($1::uuid[])"
    " ON CONFLICT DO NOTHING RETURNING event_id)"
    " SELECT CASE WHEN count(*) = cardinality($1::uuid[]) THEN NULL"
    "             ELSE coalesce(array_agg(event_id), '{}') END FROM fresh"  # no row at all: none was new
)


async def record_processed(conn: asyncpg.Connection, ids: list[UUID], copy_into: str | None) -> set[int]:
    """Record the batch's event ids in ``processed_events``; returns those not recorded before, as ``UUID.int``.

    Into a generation being rebuilt (``copy_into``) the ids are copied: a COPY refuses an id an earlier
    batch recorded with a unique violation, and the caller applies that batch the ordinary way.
    The ids come back as integers because ``uuid.UUID`` hashes in Python and ``int`` in C (issue 11: the
    runner looks each of a batch's ids up in this set, a rebuild a million of them).
    """
    if copy_into is None:
        fresh = await conn.fetchval(_RECORD_LIVE, ids)
        return {event_id.int for event_id in (ids if fresh is None else fresh)}
    unique = {event_id.int: event_id for event_id in ids}
    await conn.copy_records_to_table("processed_events", schema_name=copy_into, columns=("event_id",),
                                     records=[(event_id,) for event_id in unique.values()])
    return set(unique)
