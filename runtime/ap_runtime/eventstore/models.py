"""Values passed in and out of the event store."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from ap_contracts.envelope import Actor, EventEnvelope, utc_now
from ap_contracts.events.base import DomainEvent


@dataclass(frozen=True, slots=True)
class NewEvent:
    """An event a command handler wants appended, with the metadata of who and why."""

    event: DomainEvent
    actor: Actor
    organisation_id: str
    correlation_id: UUID
    causation_id: UUID | None = None
    event_id: UUID = field(default_factory=uuid4)
    occurred_at: datetime = field(default_factory=utc_now)


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """One row of the event store; ``payload`` is sealed (personal fields are ciphertext)."""

    position: int
    transaction_id: int
    event_id: UUID
    stream_id: str
    stream_version: int
    event_type: str
    schema_version: int
    occurred_at: datetime
    recorded_at: datetime
    organisation_id: str
    actor: Actor
    correlation_id: UUID
    causation_id: UUID | None
    pii_subject: str | None
    payload: dict[str, Any]

    def envelope(self) -> EventEnvelope:
        return EventEnvelope(
            event_id=self.event_id,
            event_type=self.event_type,
            schema_version=self.schema_version,
            stream_id=self.stream_id,
            stream_version=self.stream_version,
            occurred_at=self.occurred_at,
            recorded_at=self.recorded_at,
            actor=self.actor,
            organisation_id=self.organisation_id,
            correlation_id=self.correlation_id,
            causation_id=self.causation_id,
            pii_subject=self.pii_subject,
            payload=self.payload,
        )


@dataclass(frozen=True, slots=True)
class AppendResult:
    stream_id: str
    first_version: int
    last_version: int
    already_stored: bool = False


@dataclass(frozen=True, slots=True)
class RecordedCommand:
    """A command whose events were appended: kept so a retry of the same command id answers the same."""

    command_id: UUID
    stream_id: str
    first_version: int
    last_version: int
    event_ids: tuple[UUID, ...]


@dataclass(frozen=True, slots=True, order=True)
class Checkpoint:
    """A reader's place in the global order (transaction id, position)."""

    transaction_id: int = 0
    position: int = 0


@dataclass(frozen=True, slots=True)
class EncodedEvent:
    """A stored event as the relay publishes it: routing fields plus the envelope's JSON bytes."""

    transaction_id: int
    position: int
    stream_id: str
    event_type: str
    schema_version: int
    event_id: UUID
    correlation_id: UUID
    causation_id: UUID | None
    envelope_json: bytes
    # The CloudEvents time header (ap_runtime.kafka.encode_event); None makes it read the envelope.
    occurred_at: datetime | None = None
