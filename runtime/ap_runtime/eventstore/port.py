"""The event store as the application sees it: one interface, two implementations.

``EventStore`` (PostgreSQL, ``store.py``) is what services run on; ``InMemoryEventStore``
(``memory.py``) keeps the same promises in process memory for tests that need no server. One
contract test suite (``runtime/tests/test_eventstore_contract.py``) runs against both, so code
written against this protocol behaves the same on either. The promises:

* ``append`` writes all of its events after ``expected_version`` (0 for a new stream) or nothing:
  a stream that moved raises ``WrongExpectedVersion``; of concurrent appends at one version exactly
  one wins. Re-appending events whose ids are all stored returns their result (``already_stored``)
  and writes nothing; a partial overlap raises ``IdempotencyMismatch``.
* ``append_command`` is ``append`` plus a record of the command id, in the same transaction; a
  command id already recorded raises ``CommandAlreadyRecorded`` carrying the first outcome.
* ``read_stream`` returns a stream's events by version; ``read_all`` returns every event after a
  checkpoint in commit order (transaction id, position), never skipping one committed late. It may
  hold back the newest events for a while (on PostgreSQL, until every older transaction on the
  server has ended), so a reader polls; the in-memory store holds nothing back.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol
from uuid import UUID

from ap_contracts.events.base import DomainEvent
from ap_runtime.eventstore.models import (
    AppendResult,
    Checkpoint,
    EncodedEvent,
    NewEvent,
    RecordedCommand,
    StoredEvent,
)


class EventStorePort(Protocol):
    """What application code may ask of an event store (see the module docstring for the contract)."""

    async def append(self, stream_id: str, expected_version: int, events: Sequence[NewEvent]) -> AppendResult: ...

    async def append_command(
        self, command_id: UUID, stream_id: str, expected_version: int, events: Sequence[NewEvent]
    ) -> AppendResult: ...

    async def recorded_command(self, command_id: UUID) -> RecordedCommand | None: ...

    async def stream_version(self, stream_id: str) -> int: ...

    async def read_stream(self, stream_id: str, after_version: int = 0) -> list[StoredEvent]: ...

    async def load(self, stream_id: str) -> list[DomainEvent]: ...

    async def read_all(self, after: Checkpoint, limit: int = 500) -> list[StoredEvent]: ...

    async def read_all_encoded(self, after: Checkpoint, limit: int = 500) -> list[EncodedEvent]: ...

    async def head(self) -> Checkpoint: ...
