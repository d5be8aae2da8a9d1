"""The SQL steps of one projection batch's transaction (``runner.py`` holds the loop around them).

Kept apart so the runner reads as the exactly-once loop it is: which generation a batch writes to, how
its event ids are recorded in ``processed_events`` (inserted live, copied while rebuilding), and how it
is counted in ``projection_status``.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

import asyncpg

from ap_runtime.projection.base import ReceivedEvent
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


# The usual live batch (every record decoded, each id new and once) is counted as applied by the statement that
# records its ids: one round trip fewer a batch (issue 11: at 500 records a batch, the live runner's transaction
# was six round trips to the baseline's four, each of them waited out while PostgreSQL shares the cores). Any
# other batch is counted by ``count_batch`` once applied. Should the batch then fail, the count rolls back with it.
_RECORD_AND_COUNT_LIVE = (
    "WITH fresh AS (INSERT INTO processed_events (event_id) SELECT DISTINCT unnest($1::uuid[])"
    " ON CONFLICT DO NOTHING RETURNING event_id),"
    " counted AS (UPDATE public.projection_status SET events_applied = events_applied + cardinality($1::uuid[]),"
    " last_event_at = COALESCE($4, last_event_at), last_applied_at = now()"
    " WHERE name = $2 AND schema_name = $3 AND (SELECT count(*) FROM fresh) = cardinality($1::uuid[]))"
    " SELECT CASE WHEN count(*) = cardinality($1::uuid[]) THEN NULL"
    "             ELSE coalesce(array_agg(event_id), '{}') END FROM fresh"
)


async def record_batch(conn: asyncpg.Connection, events: Sequence[ReceivedEvent], records: int, name: str,
                       target: str, mode: Mode) -> set[int] | None:
    """Record the ids of a batch of ``records`` records, ``events`` those decoded (``record_processed``).

    None when the batch is applied as one (``Mode.BATCH``), every record decoded and every id new and once:
    the batch is then already counted as applied (``_RECORD_AND_COUNT_LIVE``); else the new ids, for the
    caller to count the batch with ``count_batch``.
    """
    ids = [event.envelope.event_id for event in events]
    if mode is Mode.BATCH and events and len(events) == records:
        fresh = await conn.fetchval(_RECORD_AND_COUNT_LIVE, ids, name, target, events[-1].envelope.recorded_at)
        return None if fresh is None else {event_id.int for event_id in fresh}
    return await record_processed(conn, ids, target if mode is Mode.LOAD else None)


async def count_batch(conn: asyncpg.Connection, name: str, target: str, applied: int, dead: int, duplicates: int,
                      last_event_at: datetime | None) -> None:
    """Add a batch's outcome to the generation's ``projection_status`` row."""
    await conn.execute(
        "UPDATE public.projection_status SET events_applied = events_applied + $3,"
        " dead_lettered = dead_lettered + $4, duplicates = duplicates + $5,"
        " last_event_at = COALESCE($6, last_event_at), last_applied_at = now()"
        " WHERE name = $1 AND schema_name = $2",
        name, target, applied, dead, duplicates, last_event_at)
