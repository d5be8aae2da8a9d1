"""The event store: the source of truth of each service.

``EventStorePort`` is the interface application code depends on; ``EventStore`` implements it on
PostgreSQL and ``InMemoryEventStore`` in process memory (tests without servers). One contract test
suite runs against both.
"""

from ap_runtime.eventstore.codec import EventCodec, PlaintextCodec
from ap_runtime.eventstore.errors import CommandAlreadyRecorded, IdempotencyMismatch, WrongExpectedVersion
from ap_runtime.eventstore.memory import InMemoryEventStore
from ap_runtime.eventstore.models import AppendResult, Checkpoint, NewEvent, RecordedCommand, StoredEvent
from ap_runtime.eventstore.port import EventStorePort
from ap_runtime.eventstore.schema import migrate
from ap_runtime.eventstore.store import EventStore

__all__ = [
    "AppendResult",
    "Checkpoint",
    "CommandAlreadyRecorded",
    "EventCodec",
    "EventStore",
    "EventStorePort",
    "IdempotencyMismatch",
    "InMemoryEventStore",
    "NewEvent",
    "PlaintextCodec",
    "RecordedCommand",
    "StoredEvent",
    "WrongExpectedVersion",
    "migrate",
]
