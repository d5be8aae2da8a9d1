"""Execute a command against one stream: load, decide, append; idempotent on the client's command id.

Services call ``CommandExecutor.execute`` with a pure ``decide(history) -> events`` closure. Business
rules stay in the service's domain; this module only guarantees the mechanics every service needs:

* a command id seen before returns the first outcome and records nothing again (a retried HTTP
  request or a redelivered Kafka command never records twice);
* event ids are derived from the command id, so even a crash between append and bookkeeping
  cannot double an event;
* a concurrent writer on the same stream is detected (``WrongExpectedVersion``) and the command is
  decided again on the new history, a bounded number of times;
* a domain rejection raises before anything is written, unless the same command id was recorded
  meanwhile (by another instance, between the id check and the load): then its first outcome.

The executor depends only on ``EventStorePort``: it runs on PostgreSQL (``EventStore``, which keeps
the command records in ``processed_commands``) and in memory (``InMemoryEventStore``) alike.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from uuid import UUID, uuid5

import asyncpg

from ap_contracts.envelope import Actor, utc_now
from ap_contracts.events.base import DomainEvent
from ap_runtime.eventstore import (
    CommandAlreadyRecorded,
    EventStorePort,
    IdempotencyMismatch,
    NewEvent,
    RecordedCommand,
    WrongExpectedVersion,
)

DDL = """
CREATE TABLE IF NOT EXISTS processed_commands (
    command_id    uuid PRIMARY KEY,
    stream_id     text NOT NULL,
    first_version integer NOT NULL,
    last_version  integer NOT NULL,
    event_ids     uuid[] NOT NULL,
    recorded_at   timestamptz NOT NULL DEFAULT now()
);
"""

Decide = Callable[[Sequence[DomainEvent]], Sequence[DomainEvent]]


@dataclass(frozen=True, slots=True)
class CommandMeta:
    command_id: UUID
    actor: Actor
    organisation_id: str
    correlation_id: UUID
    causation_id: UUID | None = None
    occurred_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class CommandOutcome:
    command_id: UUID
    stream_id: str
    event_ids: tuple[UUID, ...]
    first_version: int
    last_version: int
    duplicate: bool = False


class ConcurrencyRetriesExhausted(Exception):
    """The stream kept moving under the command; the caller may retry later. Nothing was written."""


async def migrate_commands(pool: asyncpg.Pool) -> None:
    """Create the command records' table if missing, safe from many processes starting at once (issue 11,
    replicas of a service on a new database): ``CREATE TABLE IF NOT EXISTS`` alone is not, two sessions
    can both find the table missing and the second fails on the catalogue's unique type name."""
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock(hashtext('ap_runtime.commands.migrate'))")
        await conn.execute(DDL)


def event_id_for(command_id: UUID, index: int) -> UUID:
    return uuid5(command_id, f"event-{index}")


def _event_id(event: DomainEvent, command_id: UUID, index: int) -> UUID:
    """The event's own record id when its contract has one (already derived from the command), else derived here."""
    record_id = getattr(event, "record_id", None)
    return record_id if isinstance(record_id, UUID) else event_id_for(command_id, index)


class CommandExecutor:
    def __init__(self, store: EventStorePort, max_attempts: int = 5) -> None:
        self._store = store
        self._max_attempts = max_attempts

    async def previous_outcome(self, command_id: UUID) -> CommandOutcome | None:
        recorded = await self._store.recorded_command(command_id)
        return None if recorded is None else _outcome(recorded)

    async def execute(self, stream_id: str, meta: CommandMeta, decide: Decide) -> CommandOutcome:
        """Decide on the stream's history and append the result; see the module docstring."""
        earlier = await self.previous_outcome(meta.command_id)
        if earlier is not None:
            return earlier
        for _ in range(self._max_attempts):
            version = await self._store.stream_version(stream_id)
            history = await self._store.load(stream_id) if version else []
            # record_once, not record: another instance may have recorded this very command between the
            # check above and this load, and a decider refusing what is recorded (a unique spend id)
            # would refuse it; the command's first outcome is the answer then (issue 11, several APIs).
            outcome = await self.record_once(stream_id, meta, version, partial(decide, history))
            if outcome is not None:
                return outcome
        raise ConcurrencyRetriesExhausted(f"stream {stream_id!r} changed {self._max_attempts} times; try again")

    async def record_once(self, stream_id: str, meta: CommandMeta, expected_version: int,
                          decide: Callable[[], Sequence[DomainEvent]]) -> CommandOutcome | None:
        """The command's first outcome when its id was recorded before, else ``record`` of ``decide()``.

        A new command (nearly every one) is not looked up first: its id is unique in the append
        itself, which answers a retry with the first outcome (``CommandAlreadyRecorded``). The
        earlier outcome is asked for only when the decision refuses (a retry of an accepted command
        may be refused by the record as it is now) or records nothing. None: the stream moved.
        """
        try:
            events = decide()
        except Exception:
            earlier = await self.previous_outcome(meta.command_id)
            if earlier is not None:
                return earlier
            raise
        if not events:
            return await self.previous_outcome(meta.command_id) or await self.record(
                stream_id, meta, expected_version, events)
        return await self.record(stream_id, meta, expected_version, events)

    async def record(self, stream_id: str, meta: CommandMeta, expected_version: int,
                     events: Sequence[DomainEvent]) -> CommandOutcome | None:
        """Append the events decided on the stream at ``expected_version``, with the command's record.

        Returns None when the stream moved since (nothing written: decide again on the new history);
        the first outcome when the same command id was recorded concurrently; nothing is appended
        (and no command recorded) when the decision produced no event.
        """
        if not events:
            return CommandOutcome(meta.command_id, stream_id, (), expected_version, expected_version)
        occurred = meta.occurred_at or utc_now()
        new = [
            NewEvent(e, meta.actor, meta.organisation_id, meta.correlation_id, meta.causation_id or meta.command_id,
                     event_id=_event_id(e, meta.command_id, i), occurred_at=occurred)
            for i, e in enumerate(events)
        ]
        try:
            result = await self._store.append_command(meta.command_id, stream_id, expected_version, new)
        except WrongExpectedVersion:
            return None
        except CommandAlreadyRecorded as raced:
            # The same command id was recorded before, or concurrently (a retry racing the original).
            return _outcome(raced.recorded)
        except IdempotencyMismatch:
            # Some of the events' ids (derived from the command id) are stored: a retry whose
            # decision differs from the first one; the first outcome answers it.
            earlier = await self.previous_outcome(meta.command_id)
            if earlier is None:
                raise
            return earlier
        return CommandOutcome(meta.command_id, stream_id, tuple(e.event_id for e in new), result.first_version,
                              result.last_version)


def _outcome(recorded: RecordedCommand) -> CommandOutcome:
    """A recorded command as the answer to its retry."""
    return CommandOutcome(recorded.command_id, recorded.stream_id, recorded.event_ids, recorded.first_version,
                          recorded.last_version, duplicate=True)
