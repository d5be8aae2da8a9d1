"""An append's columns sent as one value when every event has it (issue 11: the write path's CPU per event).

``append_statement.one_or_all`` sends a column that is the same for every event of an append as one value;
whatever the mix, each event is stored with its own values, in the order given, at consecutive versions.
"""

from __future__ import annotations

from typing import ClassVar
from uuid import UUID, uuid4

import pytest

from ap_contracts.envelope import Actor
from ap_contracts.events.base import DomainEvent
from ap_runtime.eventstore import EventStore, NewEvent, StoredEvent
from ap_runtime.eventstore.append_statement import one_or_all
from ap_testing.events import CounterIncremented

pytestmark = pytest.mark.integration

OTHER_ACTOR = Actor(user_id="someone-else", organisation_id="org-other", roles=("teacher",))
ACTOR = Actor(user_id="system-test", organisation_id="org-test", roles=("platform_admin",))


class SubjectNoted(DomainEvent):
    """A second type and schema version, about a subject (``pii_subject``), with no personal field to seal."""

    event_type: ClassVar[str] = "AppendStatementSubjectNoted"
    schema_version: ClassVar[int] = 2
    topic: ClassVar[str] = "ap.test.counter"
    pii_subject_field: ClassVar[str | None] = "subject"

    subject: str | None = None


def test_a_column_the_same_for_every_event_is_one_value_and_any_other_is_every_value() -> None:
    first, again = UUID(int=7), UUID(int=7)  # equal values, different objects
    assert one_or_all([first, again, UUID(int=7)]) == [first]
    assert one_or_all([None, None]) == [None]
    assert one_or_all(["a"]) == ["a"]
    assert one_or_all([None, "p-1", None]) == [None, "p-1", None]
    assert one_or_all([1, 1, 2]) == [1, 1, 2]


def _mixed(causation: UUID) -> list[NewEvent]:
    """Every column that may be sent as one value differs somewhere in the append (and only in one event)."""
    corr = uuid4()
    return [
        NewEvent(CounterIncremented(counter="mixed", seq=0), ACTOR, "org-test", corr),
        NewEvent(SubjectNoted(subject="p-1"), OTHER_ACTOR, "org-other", uuid4(), causation),
        NewEvent(CounterIncremented(counter="mixed", seq=2), ACTOR, "org-test", corr),
        NewEvent(SubjectNoted(subject=None), ACTOR, "org-test", corr),
    ]


def _assert_stored_as_given(stored: list[StoredEvent], given: list[NewEvent], first_version: int) -> None:
    assert [(s.event_id, s.stream_version) for s in stored] == [
        (g.event_id, first_version + i) for i, g in enumerate(given)]
    for s, g in zip(stored, given, strict=True):
        assert (s.event_type, s.schema_version, s.organisation_id, s.actor, s.correlation_id, s.causation_id,
                s.pii_subject, s.occurred_at) == (
            g.event.event_type, g.event.schema_version, g.organisation_id, g.actor, g.correlation_id,
            g.causation_id, g.event.pii_subject(), g.occurred_at)
        assert s.payload == g.event.model_dump(mode="json")


async def test_an_append_of_mixed_events_stores_each_events_own_values(store: EventStore) -> None:
    stream = f"mixed-{uuid4().hex[:8]}"
    given = _mixed(uuid4())
    await store.append(stream, 0, given)
    _assert_stored_as_given(await store.read_stream(stream), given, 1)


async def test_an_append_of_alike_events_stores_the_one_value_on_every_event(store: EventStore) -> None:
    stream, corr, cause = f"alike-{uuid4().hex[:8]}", uuid4(), uuid4()
    given = [NewEvent(SubjectNoted(subject="p-2"), OTHER_ACTOR, "org-other", corr, cause) for _ in range(3)]
    await store.append(stream, 0, given[:1])
    await store.append(stream, 1, given[1:])
    _assert_stored_as_given(await store.read_stream(stream), given, 1)


async def test_a_commands_mixed_events_and_its_record(store: EventStore) -> None:
    stream, command = f"mixed-cmd-{uuid4().hex[:8]}", uuid4()
    await store.append(stream, 0, _mixed(uuid4())[:1])
    given = _mixed(uuid4())
    await store.append_command(command, stream, 1, given)
    _assert_stored_as_given((await store.read_stream(stream))[1:], given, 2)
    recorded = await store.recorded_command(command)
    assert recorded is not None
    assert (recorded.first_version, recorded.last_version, recorded.event_ids) == (
        2, 5, tuple(g.event_id for g in given))
