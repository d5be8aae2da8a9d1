"""PostgreSQL event store: the source of truth of each service."""

from ap_runtime.eventstore.codec import EventCodec, PlaintextCodec
from ap_runtime.eventstore.models import AppendResult, Checkpoint, NewEvent, StoredEvent
from ap_runtime.eventstore.schema import migrate
from ap_runtime.eventstore.store import EventStore, IdempotencyMismatch, WrongExpectedVersion

__all__ = [
    "AppendResult",
    "Checkpoint",
    "EventCodec",
    "EventStore",
    "IdempotencyMismatch",
    "NewEvent",
    "PlaintextCodec",
    "StoredEvent",
    "WrongExpectedVersion",
    "migrate",
]
