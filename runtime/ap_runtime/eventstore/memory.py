"""An event store in process memory, keeping every promise of the PostgreSQL one (``port.py``).

For tests of application code that need a store but no server (``make test-unit``). The contract
test suite runs against this class and ``EventStore`` alike, so a handler tested here behaves the
same on PostgreSQL. Payloads are sealed by the codec exactly as the PostgreSQL store seals them and
kept as JSON values, so nothing a caller holds can change what was stored.

Atomicity: an append seals its payloads first (the only awaits), then checks and writes in one
step with no await in between; on one event loop no other coroutine can interleave, which is what
a PostgreSQL transaction guarantees the other store. Each append is one "transaction": its events
share a transaction id, and transaction ids grow in commit order, so ``read_all`` in (transaction
id, position) order is commit order, as on PostgreSQL. Every call yields to the event loop once
before it acts, as a round trip to a server would, so concurrent callers really interleave here
(a handler's conflict retries are exercised in unit tests too).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from typing import Any
from uuid import UUID

from ap_contracts.envelope import utc_now
from ap_contracts.events.base import DomainEvent
from ap_runtime.eventstore.codec import EventCodec, PlaintextCodec, reveal_model, seal_all
from ap_runtime.eventstore.errors import CommandAlreadyRecorded, IdempotencyMismatch, WrongExpectedVersion
from ap_runtime.eventstore.models import (
    AppendResult,
    Checkpoint,
    EncodedEvent,
    NewEvent,
    RecordedCommand,
    StoredEvent,
)


def _as_json_value(payload: dict[str, Any]) -> dict[str, Any]:
    """A private copy holding only JSON values, as a ``jsonb`` column would return it."""
    copied: dict[str, Any] = json.loads(json.dumps(payload, separators=(",", ":")))
    return copied


async def _round_trip() -> None:
    """Let other coroutines run, as they would while a server answered (see the module docstring)."""
    await asyncio.sleep(0)


class InMemoryEventStore:
    """``EventStorePort`` in memory: one instance is one service's store, empty when created."""

    def __init__(self, codec: EventCodec | None = None) -> None:
        self._codec: EventCodec = codec or PlaintextCodec()
        self._log: list[StoredEvent] = []
        self._streams: dict[str, list[StoredEvent]] = {}
        self._by_event_id: dict[UUID, StoredEvent] = {}
        self._commands: dict[UUID, RecordedCommand] = {}
        self._last_transaction = 0

    async def append(self, stream_id: str, expected_version: int, events: Sequence[NewEvent]) -> AppendResult:
        """Append ``events`` after ``expected_version`` (0 for a new stream); see ``port.py``."""
        if not events:
            raise ValueError("append needs at least one event")
        payloads = await seal_all(self._codec, [e.event for e in events])
        await _round_trip()
        return self._write(stream_id, expected_version, events, payloads)

    async def append_command(
        self, command_id: UUID, stream_id: str, expected_version: int, events: Sequence[NewEvent]
    ) -> AppendResult:
        """``append`` and the record of ``command_id``, both or neither."""
        if not events:
            raise ValueError("append needs at least one event")
        payloads = await seal_all(self._codec, [e.event for e in events])
        await _round_trip()
        # The order of PostgreSQL's transaction: the events' checks first, then the command's record.
        self._check(stream_id, expected_version, [e.event_id for e in events])
        earlier = self._commands.get(command_id)
        if earlier is not None:
            raise CommandAlreadyRecorded(earlier)
        result = self._write(stream_id, expected_version, events, payloads)
        self._commands[command_id] = RecordedCommand(
            command_id, stream_id, result.first_version, result.last_version, tuple(e.event_id for e in events)
        )
        return result

    async def recorded_command(self, command_id: UUID) -> RecordedCommand | None:
        await _round_trip()
        return self._commands.get(command_id)

    def _write(self, stream_id: str, expected: int, events: Sequence[NewEvent],
               payloads: list[dict[str, Any]]) -> AppendResult:
        """Check and write with no await: the in-memory transaction (see the module docstring)."""
        existing = self._check(stream_id, expected, [e.event_id for e in events])
        if existing is not None:
            return existing
        stream = self._streams.setdefault(stream_id, [])
        self._last_transaction += 1
        recorded_at = utc_now()
        for offset, (new, payload) in enumerate(zip(events, payloads, strict=True), start=1):
            stored = StoredEvent(
                position=len(self._log) + 1,
                transaction_id=self._last_transaction,
                event_id=new.event_id,
                stream_id=stream_id,
                stream_version=expected + offset,
                event_type=new.event.event_type,
                schema_version=new.event.schema_version,
                occurred_at=new.occurred_at,
                recorded_at=recorded_at,
                organisation_id=new.organisation_id,
                actor=new.actor,
                correlation_id=new.correlation_id,
                causation_id=new.causation_id,
                pii_subject=new.event.pii_subject(),
                payload=_as_json_value(payload),
            )
            self._log.append(stored)
            self._by_event_id[stored.event_id] = stored
            stream.append(stored)
        return AppendResult(stream_id, expected + 1, expected + len(events))

    def _check(self, stream_id: str, expected: int, ids: list[UUID]) -> AppendResult | None:
        """The result of an append stored already, or None when it may be written; raises on a conflict."""
        existing = self._already_stored(ids)
        if existing is None and len(self._streams.get(stream_id, ())) != expected:
            raise WrongExpectedVersion(stream_id, expected, len(self._streams.get(stream_id, ())))
        return existing

    def _already_stored(self, ids: list[UUID]) -> AppendResult | None:
        found = [self._by_event_id[i] for i in ids if i in self._by_event_id]
        if not found:
            return None
        if len(found) != len(ids) or len({e.stream_id for e in found}) != 1:
            raise IdempotencyMismatch(f"{len(found)} of {len(ids)} event ids were already stored")
        versions = [e.stream_version for e in found]
        return AppendResult(found[0].stream_id, min(versions), max(versions), already_stored=True)

    async def stream_version(self, stream_id: str) -> int:
        await _round_trip()
        return len(self._streams.get(stream_id, ()))

    async def read_stream(self, stream_id: str, after_version: int = 0) -> list[StoredEvent]:
        await _round_trip()
        return [e for e in self._streams.get(stream_id, ()) if e.stream_version > after_version]

    async def load(self, stream_id: str) -> list[DomainEvent]:
        """The stream's events as domain models, revealed by the codec."""
        return [
            await reveal_model(self._codec, e.event_type, e.schema_version, e.payload, e.pii_subject)
            for e in await self.read_stream(stream_id)
        ]

    async def read_all(self, after: Checkpoint, limit: int = 500) -> list[StoredEvent]:
        """Events after ``after`` in commit order (every append here is committed when it returns)."""
        await _round_trip()
        later = (e for e in self._log if Checkpoint(e.transaction_id, e.position) > after)
        return [e for _, e in zip(range(limit), later, strict=False)]

    async def read_all_encoded(self, after: Checkpoint, limit: int = 500) -> list[EncodedEvent]:
        """``read_all`` with each envelope as JSON bytes, as the relay publishes it."""
        return [
            EncodedEvent(e.transaction_id, e.position, e.stream_id, e.event_type, e.schema_version, e.event_id,
                         e.correlation_id, e.causation_id, e.envelope().model_dump_json().encode())
            for e in await self.read_all(after, limit)
        ]

    async def head(self) -> Checkpoint:
        await _round_trip()
        if not self._log:
            return Checkpoint()
        last = self._log[-1]
        return Checkpoint(last.transaction_id, last.position)
