"""``EventStore``'s append statements and their arguments: an append in one statement, one round trip.

Rule served (issue 11, the write path's CPU per event): asyncpg encodes an array parameter element by
element, with a Python-level check of each element (about 0.4-0.8 us each, 1.6 for a time), and the
statement took eleven arrays as long as the append. Most of an append's events are one command's: one
event type, organisation, actor, correlation and causation, so those columns are sent as one value when
every event has it (``one_or_all``) and as one value per event otherwise; the versions are counted by
PostgreSQL. Measured on 40 appends of 500 events: Python 8.6-13.0 -> 4.8-8.2 us an event, and the
PostgreSQL backend's CPU no higher (it parses one actor, not 500).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from ap_runtime.eventstore.event_columns import EventColumns

T = TypeVar("T")


def _one_or_all(column: str, position: int, cast: str) -> str:
    """A column sent by ``one_or_all``: its one value for every event, else the event's own (``e.<column>``)."""
    return f"CASE WHEN cardinality(${position}::{cast}) = 1 THEN (${position}::{cast})[1] ELSE e.{column} END"


# An append in one statement (one implicit transaction, so one round trip): $12 is the expected
# version, $13 the new one. The stream row moves (or is created) only at the expected version; the
# events and the relay's notification follow only when it did. A concurrent writer of the same stream
# waits on the row lock (or on the new key) and then finds it moved: nothing written. It moves the
# row only after every earlier writer of the stream committed, so a stream's version order is its
# commit order (the relay's horizon). Event ids stored already fail the events' unique key and roll
# the whole statement back; the caller then answers from what is stored. ``unnest`` pads the arrays
# sent as one value with nulls, which ``_one_or_all`` replaces by that value; events are stored in the
# order given, the n-th at version $12 + n.
_APPEND_CTES = f"""
WITH moved AS (
    UPDATE streams SET version = $13 WHERE stream_id = $2 AND version = $12 AND $12 > 0 RETURNING 1
), created AS (
    INSERT INTO streams (stream_id, version) SELECT $2, $13 WHERE $12 = 0 ON CONFLICT DO NOTHING RETURNING 1
), appended AS (
    SELECT 1 FROM moved UNION ALL SELECT 1 FROM created
), stored AS (
    INSERT INTO events (event_id, stream_id, stream_version, event_type, schema_version, occurred_at,
                        organisation_id, actor, correlation_id, causation_id, pii_subject, payload)
    SELECT e.event_id, $2, $12 + e.n::int, {_one_or_all("event_type", 3, "text[]")},
           {_one_or_all("schema_version", 4, "int[]")}, e.occurred_at, {_one_or_all("organisation_id", 6, "text[]")},
           {_one_or_all("actor", 7, "jsonb[]")}, {_one_or_all("correlation_id", 8, "uuid[]")},
           {_one_or_all("causation_id", 9, "uuid[]")}, {_one_or_all("pii_subject", 10, "text[]")}, e.payload
    FROM unnest($1::uuid[], $3::text[], $4::int[], $5::timestamptz[], $6::text[], $7::jsonb[], $8::uuid[],
                $9::uuid[], $10::text[], $11::jsonb[]) WITH ORDINALITY
         AS e(event_id, event_type, schema_version, occurred_at, organisation_id, actor, correlation_id,
              causation_id, pii_subject, payload, n)
    WHERE EXISTS (SELECT 1 FROM appended)
)"""  # noqa: S608  # nosec B608 - the interpolated text is this module's constants only

# Its answer: true when appended (and the relay notified on channel $14), false when the stream was
# not at $12.
_NOTIFY_IF_APPENDED = """
SELECT CASE WHEN EXISTS (SELECT 1 FROM appended) THEN (SELECT true FROM (SELECT pg_notify($14, $2)) AS n)
            ELSE false END
"""
APPEND = _APPEND_CTES + _NOTIFY_IF_APPENDED

# ``append_command``: the same, with the command's record ($14) and the notification on $15.
_RECORD_COMMAND_IF_APPENDED = """, recorded AS (
    INSERT INTO processed_commands (command_id, stream_id, first_version, last_version, event_ids)
    SELECT $14, $2, $12 + 1, $13, $1 WHERE EXISTS (SELECT 1 FROM appended)
)
SELECT CASE WHEN EXISTS (SELECT 1 FROM appended) THEN (SELECT true FROM (SELECT pg_notify($15, $2)) AS n)
            ELSE false END
"""
APPEND_COMMAND = _APPEND_CTES + _RECORD_COMMAND_IF_APPENDED


def one_or_all(values: list[T]) -> list[T]:
    """``values`` as the statement takes a column that is often the same for every event: one value if so."""
    return values[:1] if values.count(values[0]) == len(values) else values


def append_arguments(c: EventColumns, stream_id: str, expected: int, count: int) -> Sequence[Any]:
    """$1 to $13 of ``APPEND`` and ``APPEND_COMMAND``: ``count`` events' columns, the expected and the new version."""
    return (
        c.event_ids, stream_id, one_or_all(c.event_types), one_or_all(c.schema_versions), c.occurred_at,
        one_or_all(c.organisations), one_or_all(c.actors), one_or_all(c.correlations), one_or_all(c.causations),
        one_or_all(c.pii_subjects), c.payloads, expected, expected + count,
    )
