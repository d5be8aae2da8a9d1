"""The envelope the event store would give a synthetic event, recorded when the synthetic LA is loaded."""

from __future__ import annotations

from datetime import datetime
from uuid import uuid4

from ap_contracts.envelope import Actor, EventEnvelope
from ap_contracts.events.base import DomainEvent


def as_loaded(event: DomainEvent, loaded_at: datetime) -> EventEnvelope:
    """A pupil-record event's envelope carries its record id as the event id (reinstatements and corrections
    name the record by it); the read models keep each fact's recorded moment for reports as at a day, and
    every report here is as at today."""
    event_id = getattr(event, "record_id", None) or uuid4()
    return EventEnvelope(event_id=event_id, event_type=type(event).__name__, schema_version=1,
                         stream_id="synthetic-la", stream_version=1, occurred_at=loaded_at, recorded_at=loaded_at,
                         actor=Actor(user_id="synthetic-la", organisation_id="synthetic-la"),
                         organisation_id="synthetic-la", correlation_id=uuid4(), payload={})
