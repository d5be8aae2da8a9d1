"""Behaviour log: each pupil's chronology, one row per accepted entry, in stream order.

Rules served: the record is never edited, so a correction is shown, not applied: the correcting
entry gets its own row and the entry it corrects is flagged amended or withdrawn (with a pointer
to the correction). The log holds personal values sealed with the pupil's key exactly as the
events carried them (``sealed_personal``: the query opens what each caller may see, so the read
model's database and its backups hold no plaintext); when ``PupilDataErased`` arrives they are
dropped for that pupil at once, without a rebuild, and every row stays so counts do not change
(UK GDPR Art. 17). Destroying the key has already made them unreadable.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Sequence
from typing import Any
from uuid import UUID

import asyncpg
import orjson

from ap_contracts.topics import INCIDENTS_EVENTS
from ap_incidents.projections.entry_fields import entry_class_of, split_payload, summary
from ap_runtime.projection import Projection, ReceivedEvent

DDL = """
CREATE TABLE IF NOT EXISTS behaviour_log (
    event_id         uuid PRIMARY KEY,
    pupil_ref        uuid NOT NULL,
    stream_version   integer NOT NULL,
    record_id        uuid,
    event_type       text NOT NULL,
    schema_version   integer NOT NULL,
    occurred_at      timestamptz NOT NULL,
    recorded_at      timestamptz NOT NULL,
    organisation_id  text NOT NULL,
    placement_id     uuid,
    entry_class      text,
    summary          text NOT NULL,
    facts            jsonb NOT NULL,
    personal         jsonb,
    target_record_id uuid,
    amended          boolean NOT NULL DEFAULT false,
    withdrawn        boolean NOT NULL DEFAULT false,
    corrections      jsonb NOT NULL DEFAULT '[]'::jsonb,
    erased           boolean NOT NULL DEFAULT false,
    UNIQUE (pupil_ref, stream_version)
);
CREATE INDEX IF NOT EXISTS behaviour_log_record_idx ON behaviour_log (record_id);
"""

# The columns of a row (``_row``), in the order both ``_INSERT`` and the rebuild's COPY take them.
_COLUMNS = ("event_id", "pupil_ref", "stream_version", "record_id", "event_type", "schema_version",
            "occurred_at", "recorded_at", "organisation_id", "placement_id", "entry_class", "summary", "facts",
            "personal", "target_record_id", "erased")

_INSERT = """
INSERT INTO behaviour_log (event_id, pupil_ref, stream_version, record_id, event_type, schema_version,
    occurred_at, recorded_at, organisation_id, placement_id, entry_class, summary, facts, personal,
    target_record_id, erased)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13::jsonb, $14::jsonb, $15, $16)
ON CONFLICT (event_id) DO NOTHING
"""

_FLAG_CORRECTED = """
UPDATE behaviour_log
   SET amended = amended OR $3, withdrawn = withdrawn OR $4,
       corrections = corrections || jsonb_build_array(jsonb_build_object(
           'kind', $5::text, 'record_id', $6::text, 'stream_version', $7::int, 'reason', $8::text))
 WHERE pupil_ref = $1 AND record_id = $2
"""

_ERASE = "UPDATE behaviour_log SET personal = NULL, erased = true WHERE pupil_ref = $1"

_CORRECTIONS = {"RecordAmended": "amended", "RecordWithdrawnInError": "withdrawn"}
_ERASURE = "PupilDataErased"
_LOOKS_UP = frozenset((*_CORRECTIONS, _ERASURE))  # the events whose statements find rows by pupil

# Issue 11: a rebuild loads without the (pupil_ref, stream_version) key too (``deferred_indexes``), so what
# a correction or an erasure does to earlier rows is kept here and done set-based once the key is built.
# Each acts on its pupil's rows before it in the stream (the key makes a pupil's rows one stream), as live;
# a row's corrections are appended in stream order, as the live statements append them one by one.
_PENDING_DDL = """
CREATE TABLE behaviour_log_pending (
    pupil_ref        uuid NOT NULL,
    stream_version   integer NOT NULL,
    kind             text NOT NULL,
    target_record_id uuid,
    record_id        text,
    reason           text
)
"""
_PENDING_COLUMNS = ("pupil_ref", "stream_version", "kind", "target_record_id", "record_id", "reason")

_FINISH = """
UPDATE behaviour_log b
   SET amended = b.amended OR f.amended, withdrawn = b.withdrawn OR f.withdrawn,
       corrections = b.corrections || f.entries
  FROM (SELECT t.event_id, bool_or(c.kind = 'amended') AS amended, bool_or(c.kind = 'withdrawn') AS withdrawn,
               jsonb_agg(jsonb_build_object('kind', c.kind, 'record_id', c.record_id,
                                            'stream_version', c.stream_version, 'reason', c.reason)
                         ORDER BY c.stream_version) AS entries
          FROM behaviour_log_pending c
          JOIN behaviour_log t ON t.pupil_ref = c.pupil_ref AND t.record_id = c.target_record_id
                              AND t.stream_version < c.stream_version
         WHERE c.kind <> 'erased'
         GROUP BY t.event_id) f
 WHERE b.event_id = f.event_id;
UPDATE behaviour_log b SET personal = NULL, erased = true
  FROM behaviour_log_pending e
 WHERE e.kind = 'erased' AND b.pupil_ref = e.pupil_ref AND b.stream_version <= e.stream_version;
DROP TABLE behaviour_log_pending;
"""


def _uuid(value: Any) -> UUID | None:
    return None if value is None else UUID(str(value))


def _class_name(event_type: str, payload: dict[str, Any]) -> str | None:
    """The whole entry's class; a correction takes its target's (issue 9: it shows what the target hides)."""
    found = entry_class_of(event_type, payload)
    return None if found is None else found.value


def _jsonb(value: Any) -> str:
    """JSON text of a payload part (orjson: a rebuild writes one per row; json for what orjson refuses)."""
    try:
        return orjson.dumps(value, default=str).decode()
    except TypeError:  # orjson.JSONEncodeError: an integer beyond 64 bits, a key that is not text
        return json.dumps(value, default=str)


def _in_log(event: ReceivedEvent) -> bool:
    """Whether the event is a pupil's entry: a provision's staff register is not part of any pupil's log."""
    return "pupil_ref" in event.payload and event.envelope.stream_id.startswith("pupil-")


def _pending(event: ReceivedEvent) -> tuple[Any, ...]:
    """A correction's or an erasure's row of ``behaviour_log_pending``: what ``_FINISH`` does with it later."""
    payload = event.payload
    if event.envelope.event_type == _ERASURE:
        return (str(payload["pupil_ref"]), event.envelope.stream_version, "erased", None, None, None)
    target = payload["target_record_id"]  # as ``_flag_target`` takes it: a missing one fails, a null one flags none
    return (str(payload["pupil_ref"]), event.envelope.stream_version, _CORRECTIONS[event.envelope.event_type],
            None if target is None else str(target), str(payload.get("record_id")), str(payload.get("reason")))


async def _pending_kept(conn: asyncpg.Connection) -> bool:
    """Whether the generation loads without its (pupil_ref, stream_version) key (``_PENDING_DDL`` still there)."""
    return bool(await conn.fetchval("SELECT to_regclass('behaviour_log_pending') IS NOT NULL"))


def _row(event: ReceivedEvent) -> tuple[Any, ...]:
    # Issue 11: a rebuild builds a million of these, so the envelope's fields are read once each and
    # the uuid columns' parameters taken inline as text (asyncpg parses them and refuses a non-uuid).
    envelope = event.envelope
    payload = event.payload
    event_type = envelope.event_type
    schema_version = envelope.schema_version
    facts, personal = split_payload(event_type, schema_version, payload)
    record_id, placement_id, target_id = (
        payload.get("record_id"), payload.get("placement_id"), payload.get("target_record_id"))
    return (
        envelope.event_id, str(payload["pupil_ref"]), envelope.stream_version,
        None if record_id is None else str(record_id), event_type, schema_version, envelope.occurred_at,
        envelope.recorded_at, envelope.organisation_id, None if placement_id is None else str(placement_id),
        _class_name(event_type, payload), summary(event_type, facts), _jsonb(facts),
        _jsonb(personal) if personal else "{}",  # most entries carry no personal field
        None if target_id is None else str(target_id), event.erased,
    )


_RowWriter = Callable[[asyncpg.Connection, list[tuple[Any, ...]]], Awaitable[None]]


async def _insert(conn: asyncpg.Connection, rows: list[tuple[Any, ...]]) -> None:
    await conn.executemany(_INSERT, rows)


async def _copy(conn: asyncpg.Connection, rows: list[tuple[Any, ...]]) -> None:
    """Rows into a generation being rebuilt, every repeated event id already left out (by ``processed_events``,
    or before its key is built by the rebuild's recent ids: ``ap_runtime.projection.first_load``)."""
    await conn.copy_records_to_table("behaviour_log", records=rows, columns=_COLUMNS)


class BehaviourLogProjection(Projection):
    name = "incidents_behaviour_log"
    topics = (INCIDENTS_EVENTS,)
    needs_personal_data = False  # personal values are stored sealed, as received
    ddl = DDL
    # Random UUIDs, one index insert per row each, and the (pupil_ref, stream_version) key, whose lookups
    # (corrections, erasure) wait in behaviour_log_pending meanwhile; the load path never writes ON CONFLICT.
    deferred_indexes = ("behaviour_log_pkey", "behaviour_log_pupil_ref_stream_version_key", "behaviour_log_record_idx")
    deferred_ddl = _PENDING_DDL
    deferred_finish = _FINISH

    async def apply(self, conn: asyncpg.Connection, event: ReceivedEvent) -> None:
        await self.apply_batch(conn, [event])

    async def apply_batch(self, conn: asyncpg.Connection, events: Sequence[ReceivedEvent]) -> None:
        await self._apply_in_order(conn, events, _insert)

    async def load_batch(self, conn: asyncpg.Connection, events: Sequence[ReceivedEvent]) -> None:
        """A rebuild's batch: the same rows, copied in (issue 11: COPY, not a statement per row); while the
        generation loads without its key, what corrections and erasures do to earlier rows is kept for later."""
        if not any(e.envelope.event_type in _LOOKS_UP for e in events):
            # Plain entries only, which ``_apply_in_order`` would write at once: one comprehension instead of
            # its loop's tests per event (issue 11: nearly every batch of a rebuild is such a batch).
            rows = [_row(event) for event in events if _in_log(event)]
            if rows:  # a batch of none of the log's events copies nothing, as ``_apply_in_order`` would not
                await _copy(conn, rows)
            return
        if not await _pending_kept(conn):
            await self._apply_in_order(conn, events, _copy)
            return
        entries = [event for event in events if _in_log(event)]
        await _copy(conn, [_row(event) for event in entries])
        await conn.copy_records_to_table("behaviour_log_pending", columns=_PENDING_COLUMNS, records=[
            _pending(event) for event in entries if event.envelope.event_type in _LOOKS_UP])

    async def _apply_in_order(self, conn: asyncpg.Connection, events: Sequence[ReceivedEvent],
                              write: _RowWriter) -> None:
        """Plain entries are written together; corrections and erasure act after the rows before them."""
        pending: list[tuple[Any, ...]] = []
        for event in events:
            if not _in_log(event):
                continue
            envelope = event.envelope
            pending.append(_row(event))
            kind = _CORRECTIONS.get(envelope.event_type)
            if kind is None and envelope.event_type != _ERASURE:
                continue
            await write(conn, pending)
            pending.clear()
            if kind is not None:
                await self._flag_target(conn, event, kind)
            else:
                await conn.execute(_ERASE, _uuid(event.payload["pupil_ref"]))
        if pending:
            await write(conn, pending)

    @staticmethod
    async def _flag_target(conn: asyncpg.Connection, event: ReceivedEvent, kind: str) -> None:
        await conn.execute(
            _FLAG_CORRECTED, _uuid(event.payload["pupil_ref"]), _uuid(event.payload["target_record_id"]),
            kind == "amended", kind == "withdrawn", kind, str(event.payload.get("record_id")),
            event.envelope.stream_version, str(event.payload.get("reason")),
        )
