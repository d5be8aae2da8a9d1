"""An event as a projection sees it is a frozen ``ReceivedEvent``, however cheaply it is built.

Rule served: a projection reads events, it never changes them; the runner builds one per record
(issue 11: a rebuild builds a million, hence ``ReceivedEvent.__new__``), so the built object must be
the frozen dataclass in every respect a caller can see.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from uuid import uuid4

import pytest

from ap_contracts.envelope import Actor, EventEnvelope
from ap_runtime.projection import ReceivedEvent


def _envelope() -> EventEnvelope:
    return EventEnvelope(event_type="CounterIncremented", schema_version=1, stream_id="s-1", stream_version=1,
                         occurred_at=datetime(2026, 9, 7, 9, tzinfo=UTC),
                         actor=Actor(user_id="u-1", organisation_id="org-1"), organisation_id="org-1",
                         correlation_id=uuid4(), payload={"n": 1})


def test_an_event_is_built_as_a_frozen_received_event_with_its_fields() -> None:
    envelope = _envelope()
    event = ReceivedEvent(envelope, {"n": 1}, "ap.t", 2, 7)
    assert type(event) is ReceivedEvent
    assert (event.envelope, event.payload, event.topic, event.partition, event.offset) == (
        envelope, {"n": 1}, "ap.t", 2, 7)
    assert event == ReceivedEvent(envelope=envelope, payload={"n": 1}, topic="ap.t", partition=2, offset=7)
    assert event != ReceivedEvent(envelope, {"n": 1}, "ap.t", 2, 8)
    assert event.event_type == "CounterIncremented" and not event.erased


@pytest.mark.parametrize("field", ["envelope", "payload", "topic", "partition", "offset"])
def test_no_field_of_a_built_event_can_be_set_or_deleted(field: str) -> None:
    event = ReceivedEvent(_envelope(), {"n": 1}, "ap.t", 2, 7)
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(event, field, None)
    with pytest.raises(dataclasses.FrozenInstanceError):
        delattr(event, field)
    with pytest.raises((AttributeError, TypeError)):  # no such slot (3.11's frozen slots dataclass: TypeError)
        event.extra = 1  # type: ignore[attr-defined]


def test_a_changed_copy_is_a_new_frozen_event_and_the_fields_are_the_slots() -> None:
    event = ReceivedEvent(_envelope(), {"n": 1}, "ap.t", 2, 7)
    moved = dataclasses.replace(event, offset=8)
    assert type(moved) is ReceivedEvent and moved.offset == 8 and event.offset == 7
    assert tuple(f.name for f in dataclasses.fields(ReceivedEvent)) == ReceivedEvent.__slots__
