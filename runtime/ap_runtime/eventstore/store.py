"""Append, read a stream, read everything after a global checkpoint: the PostgreSQL ``EventStorePort``."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any
from uuid import UUID

import asyncpg

from ap_contracts.envelope import Actor
from ap_contracts.events.base import DomainEvent
from ap_runtime.eventstore.append_statement import APPEND, APPEND_COMMAND, append_arguments
from ap_runtime.eventstore.codec import EventCodec, PlaintextCodec, reveal_model
from ap_runtime.eventstore.encoded_rows import ENCODED_COLUMNS, encoded_event
from ap_runtime.eventstore.errors import CommandAlreadyRecorded, IdempotencyMismatch, WrongExpectedVersion
from ap_runtime.eventstore.event_columns import sealed_columns
from ap_runtime.eventstore.models import (
    AppendResult,
    Checkpoint,
    EncodedEvent,
    NewEvent,
    RecordedCommand,
    StoredEvent,
)

NOTIFY_CHANNEL = "ap_events_appended"

# The events after a checkpoint ($1 transaction id, $2 position) in commit-safe global order, at most $3:
# only rows of transactions older than every transaction still in progress (``read_all``).
_COMMITTED_AFTER = (
    " FROM events WHERE (transaction_id, position) > ($1::text::xid8, $2)"
    "   AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())"
    " ORDER BY transaction_id, position LIMIT $3"
)

STORED_COLUMNS = (  # a ``StoredEvent``'s columns (``row_to_stored``)
    "position, transaction_id::text::bigint AS transaction_id, event_id, stream_id, stream_version, event_type,"
    " schema_version, occurred_at, recorded_at, organisation_id, actor, correlation_id, causation_id,"
    " pii_subject, payload"
)

__all__ = ["NOTIFY_CHANNEL", "STORED_COLUMNS", "EventStore", "IdempotencyMismatch", "WrongExpectedVersion",
           "row_to_stored"]


class EventStore:
    """One service's event store on asyncpg. Every append is one transaction.

    Implements ``EventStorePort`` (its contract is in ``port.py``); ``append_in`` and ``pool`` are for
    the PostgreSQL-only callers that write other rows in the same transaction.
    """

    def __init__(self, pool: asyncpg.Pool, codec: EventCodec | None = None) -> None:
        self._pool = pool
        self._codec: EventCodec = codec or PlaintextCodec()

    @property
    def pool(self) -> asyncpg.Pool:
        return self._pool

    @property
    def codec(self) -> EventCodec:
        return self._codec

    async def append(self, stream_id: str, expected_version: int, events: Sequence[NewEvent]) -> AppendResult:
        """Append ``events`` after ``expected_version`` (0 for a new stream), in one round trip.

        Idempotent on event id: re-appending events already stored returns their result and writes
        nothing. A stream that moved raises ``WrongExpectedVersion`` and writes nothing. Only a
        refused append pays a second round trip, to tell a retry from a conflict.
        """
        if not events:
            raise ValueError("append needs at least one event")
        ids = [e.event_id for e in events]
        arguments = await self._append_arguments(stream_id, expected_version, events)
        try:
            appended = await self._pool.fetchval(APPEND, *arguments, NOTIFY_CHANNEL)
        except asyncpg.UniqueViolationError:
            # Some ids are stored already: a retry at the stream's version, or a concurrent one that won.
            existing = await _already_stored(self._pool, ids)
            if existing is None:
                raise
            return existing
        if not appended:
            existing = await _already_stored(self._pool, ids)  # a retry after the stream moved on
            if existing is not None:
                return existing
            raise WrongExpectedVersion(stream_id, expected_version, await _version_of(self._pool, stream_id))
        return AppendResult(stream_id, expected_version + 1, expected_version + len(events))

    async def append_command(
        self, command_id: UUID, stream_id: str, expected_version: int, events: Sequence[NewEvent]
    ) -> AppendResult:
        """``append`` and a ``processed_commands`` row for ``command_id`` in one transaction.

        One statement, so one round trip: the stream's version moves (or the stream is created)
        only at ``expected_version``, and the events, the command's row and the notification
        follow only when it did. The table is created by ``ap_runtime.commands.migrate_commands``.
        A command id recorded already (a retry racing the original) raises ``CommandAlreadyRecorded``
        with the first outcome; a stream that moved raises ``WrongExpectedVersion``.
        """
        if not events:
            raise ValueError("append needs at least one event")
        arguments = await self._append_arguments(stream_id, expected_version, events)
        try:
            appended = await self._pool.fetchval(APPEND_COMMAND, *arguments, command_id, NOTIFY_CHANNEL)
        except asyncpg.UniqueViolationError:
            recorded = await self.recorded_command(command_id)
            if recorded is None:
                raise
            raise CommandAlreadyRecorded(recorded) from None
        if not appended:
            raise WrongExpectedVersion(stream_id, expected_version, await self.stream_version(stream_id))
        return AppendResult(stream_id, expected_version + 1, expected_version + len(events))

    async def _append_arguments(self, stream_id: str, expected: int, events: Sequence[NewEvent]) -> Sequence[Any]:
        """$1 to $13 of the append statements (``append_statement``): the events sealed, the versions."""
        return append_arguments(await sealed_columns(self._codec, events), stream_id, expected, len(events))

    async def recorded_command(self, command_id: UUID) -> RecordedCommand | None:
        row = await self._pool.fetchrow(
            "SELECT command_id, stream_id, first_version, last_version, event_ids FROM processed_commands"
            " WHERE command_id = $1", command_id,
        )
        if row is None:
            return None
        return RecordedCommand(row["command_id"], row["stream_id"], row["first_version"], row["last_version"],
                               tuple(row["event_ids"]))

    async def append_in(
        self, conn: asyncpg.Connection, stream_id: str, expected_version: int, events: Sequence[NewEvent]
    ) -> AppendResult:
        """``append`` inside the caller's open transaction (to record other rows atomically with it).

        The already-stored lookup comes first here: a unique violation would abort the caller's
        transaction, and with it whatever else the caller wrote.
        """
        if not events:
            raise ValueError("append needs at least one event")
        existing = await _already_stored(conn, [e.event_id for e in events])
        if existing is not None:
            return existing
        arguments = await self._append_arguments(stream_id, expected_version, events)
        if not await conn.fetchval(APPEND, *arguments, NOTIFY_CHANNEL):
            raise WrongExpectedVersion(stream_id, expected_version, await _version_of(conn, stream_id))
        return AppendResult(stream_id, expected_version + 1, expected_version + len(events))

    async def stream_version(self, stream_id: str) -> int:
        return await _version_of(self._pool, stream_id)

    async def read_stream(self, stream_id: str, after_version: int = 0) -> list[StoredEvent]:
        rows = await self._pool.fetch(
            f"SELECT {STORED_COLUMNS} FROM events WHERE stream_id = $1 AND stream_version > $2"  # noqa: S608  # nosec B608 - constant column list
            " ORDER BY stream_version",
            stream_id, after_version,
        )
        return [row_to_stored(r) for r in rows]

    async def load(self, stream_id: str) -> list[DomainEvent]:
        """The stream's events as domain models, personal fields decrypted."""
        return [
            await reveal_model(self._codec, e.event_type, e.schema_version, e.payload, e.pii_subject)
            for e in await self.read_stream(stream_id)
        ]

    async def read_all(self, after: Checkpoint, limit: int = 500) -> list[StoredEvent]:
        """Events after ``after`` in commit-safe global order.

        Only rows of transactions older than every transaction still in progress are returned, so
        an event committed late with a lower position can never be skipped.
        """
        rows = await self._pool.fetch(f"SELECT {STORED_COLUMNS}{_COMMITTED_AFTER}",  # nosec B608 - SQL text is module constants only
                                      str(after.transaction_id), after.position, limit)
        return [row_to_stored(r) for r in rows]

    async def read_all_encoded(self, after: Checkpoint, limit: int = 500) -> list[EncodedEvent]:
        """``read_all`` with each envelope rendered as JSON by PostgreSQL: the relay's fast path.

        The JSON has the fields of ``EventEnvelope``; consumers validate it with that model.
        """
        rows = await self._pool.fetch(f"SELECT {ENCODED_COLUMNS}{_COMMITTED_AFTER}",  # nosec B608 - SQL text is module constants only
                                      str(after.transaction_id), after.position, limit)
        return [encoded_event(r) for r in rows]

    async def head(self) -> Checkpoint:
        row = await self._pool.fetchrow(
            "SELECT transaction_id::text::bigint AS t, position FROM events"
            " ORDER BY transaction_id DESC, position DESC LIMIT 1"
        )
        return Checkpoint() if row is None else Checkpoint(row["t"], row["position"])


async def _already_stored(db: asyncpg.Pool | asyncpg.Connection, ids: list[UUID]) -> AppendResult | None:
    """What an earlier append of these event ids stored, if any (idempotency by event id).

    Some but not all of them stored, or stored on several streams, is not a retry: ``IdempotencyMismatch``.
    """
    rows = await db.fetch("SELECT stream_id, stream_version FROM events WHERE event_id = ANY($1::uuid[])", ids)
    if not rows:
        return None
    if len(rows) != len(ids) or len({r["stream_id"] for r in rows}) != 1:
        raise IdempotencyMismatch(f"{len(rows)} of {len(ids)} event ids were already stored")
    versions = [r["stream_version"] for r in rows]
    return AppendResult(rows[0]["stream_id"], min(versions), max(versions), already_stored=True)


async def _version_of(db: asyncpg.Pool | asyncpg.Connection, stream_id: str) -> int:
    value = await db.fetchval("SELECT version FROM streams WHERE stream_id = $1", stream_id)
    return int(value or 0)


def row_to_stored(r: asyncpg.Record) -> StoredEvent:
    return StoredEvent(
        position=r["position"],
        transaction_id=r["transaction_id"],
        event_id=r["event_id"],
        stream_id=r["stream_id"],
        stream_version=r["stream_version"],
        event_type=r["event_type"],
        schema_version=r["schema_version"],
        occurred_at=r["occurred_at"],
        recorded_at=r["recorded_at"],
        organisation_id=r["organisation_id"],
        actor=Actor.model_validate_json(r["actor"]),
        correlation_id=r["correlation_id"],
        causation_id=r["causation_id"],
        pii_subject=r["pii_subject"],
        payload=json.loads(r["payload"]),
    )
