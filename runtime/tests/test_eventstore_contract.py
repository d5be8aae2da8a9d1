"""The event store contract (``ap_runtime.eventstore.port``), run against every implementation.

``any_store`` is the in-memory store (a unit test) and then the PostgreSQL store on a fresh
database (an integration test): code written against ``EventStorePort`` and tested on the one
behaves the same on the other. PostgreSQL-only promises (the append-only trigger, readers that
never skip a late commit under real concurrent transactions) stay in ``test_runtime_eventstore.py``.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from uuid import uuid4

import pytest

from ap_contracts.envelope import EventEnvelope
from ap_runtime.eventstore import (
    Checkpoint,
    CommandAlreadyRecorded,
    EventStorePort,
    IdempotencyMismatch,
    NewEvent,
    WrongExpectedVersion,
)
from ap_testing.events import CounterIncremented
from ap_testing.store_reads import read_all_settled

from .conftest import ACTOR, counter_events


def seqs(events: list[object]) -> list[int]:
    return [e.seq for e in events if isinstance(e, CounterIncremented)]


# -- append and read a stream --------------------------------------------------------------------


async def test_append_and_read_stream_in_order(any_store: EventStorePort) -> None:
    await any_store.append("c-1", 0, counter_events("c-1", 0, 3))
    await any_store.append("c-1", 3, counter_events("c-1", 3, 2))
    events = await any_store.load("c-1")
    assert [e.seq for e in events if isinstance(e, CounterIncremented)] == [0, 1, 2, 3, 4]
    assert [e.stream_version for e in await any_store.read_stream("c-1")] == [1, 2, 3, 4, 5]


async def test_an_append_reports_the_versions_it_wrote(any_store: EventStorePort) -> None:
    first = await any_store.append("v-1", 0, counter_events("v-1", 0, 2))
    second = await any_store.append("v-1", 2, counter_events("v-1", 2, 3))
    assert (first.stream_id, first.first_version, first.last_version, first.already_stored) == ("v-1", 1, 2, False)
    assert (second.first_version, second.last_version) == (3, 5)
    assert await any_store.stream_version("v-1") == 5
    assert await any_store.stream_version("never-written") == 0


async def test_reading_a_stream_from_a_version_returns_only_later_events(any_store: EventStorePort) -> None:
    await any_store.append("r-1", 0, counter_events("r-1", 0, 5))
    later = await any_store.read_stream("r-1", after_version=2)
    assert [e.stream_version for e in later] == [3, 4, 5]
    assert await any_store.read_stream("r-1", after_version=5) == []
    assert await any_store.read_stream("no-such-stream") == []
    assert await any_store.load("no-such-stream") == []


async def test_a_stored_event_keeps_its_metadata(any_store: EventStorePort) -> None:
    correlation, causation, event_id = uuid4(), uuid4(), uuid4()
    occurred = datetime(2025, 3, 10, 11, 30, tzinfo=UTC)
    new = NewEvent(CounterIncremented(counter="m-1", seq=7), ACTOR, "org-meta", correlation, causation,
                   event_id=event_id, occurred_at=occurred)
    await any_store.append("m-1", 0, [new])
    [stored] = await any_store.read_stream("m-1")
    assert (stored.event_id, stored.stream_id, stored.stream_version) == (event_id, "m-1", 1)
    assert (stored.event_type, stored.schema_version) == ("CounterIncremented", 1)
    assert (stored.organisation_id, stored.actor, stored.correlation_id, stored.causation_id) == (
        "org-meta", ACTOR, correlation, causation)
    assert stored.occurred_at == occurred and stored.recorded_at.tzinfo is not None
    assert stored.pii_subject is None
    assert stored.payload == {"counter": "m-1", "seq": 7, "poison": False}


async def test_an_empty_append_is_refused_and_writes_nothing(any_store: EventStorePort) -> None:
    with pytest.raises(ValueError, match="at least one event"):
        await any_store.append("e-1", 0, [])
    with pytest.raises(ValueError, match="at least one event"):
        await any_store.append_command(uuid4(), "e-1", 0, [])
    assert await any_store.stream_version("e-1") == 0


# -- expected version ----------------------------------------------------------------------------


async def test_conflicting_append_raises_typed_error_and_writes_nothing(any_store: EventStorePort) -> None:
    await any_store.append("c-2", 0, counter_events("c-2", 0, 2))
    with pytest.raises(WrongExpectedVersion) as err:
        await any_store.append("c-2", 1, counter_events("c-2", 99, 3))
    assert (err.value.expected, err.value.actual) == (1, 2)
    assert "version 2" in str(err.value)
    assert len(await any_store.read_stream("c-2")) == 2


@pytest.mark.parametrize("expected", [0, 1, 3, -1])
async def test_a_conflict_leaves_stream_log_and_head_unchanged(any_store: EventStorePort, expected: int) -> None:
    await any_store.append("c-7", 0, counter_events("c-7", 0, 2))
    await any_store.append("other", 0, counter_events("other", 0, 1))
    head = await any_store.head()
    everything = await read_all_settled(any_store, 3)
    with pytest.raises(WrongExpectedVersion) as err:
        await any_store.append("c-7", expected, counter_events("c-7", 50, 3))
    assert (err.value.stream_id, err.value.expected, err.value.actual) == ("c-7", expected, 2)
    assert await any_store.stream_version("c-7") == 2
    assert seqs(await any_store.load("c-7")) == [0, 1]
    assert await any_store.head() == head
    assert await read_all_settled(any_store, 3) == everything


async def test_a_new_stream_appended_at_a_later_version_is_a_conflict(any_store: EventStorePort) -> None:
    with pytest.raises(WrongExpectedVersion) as err:
        await any_store.append("fresh", 2, counter_events("fresh", 0, 1))
    assert (err.value.expected, err.value.actual) == (2, 0)
    assert await any_store.read_stream("fresh") == []


async def test_concurrent_writers_to_one_stream_one_wins_per_version(any_store: EventStorePort) -> None:
    results = await asyncio.gather(
        *(any_store.append("c-3", 0, counter_events("c-3", i * 10, 1)) for i in range(20)), return_exceptions=True
    )
    winners = [r for r in results if not isinstance(r, BaseException)]
    assert len(winners) == 1
    assert all(isinstance(r, WrongExpectedVersion) for r in results if isinstance(r, BaseException))
    assert await any_store.stream_version("c-3") == 1


async def test_concurrent_writers_at_a_later_version_one_wins(any_store: EventStorePort) -> None:
    await any_store.append("c-8", 0, counter_events("c-8", 0, 2))
    results = await asyncio.gather(
        *(any_store.append("c-8", 2, counter_events("c-8", 100 + i, 2)) for i in range(10)), return_exceptions=True
    )
    winners = [r for r in results if not isinstance(r, BaseException)]
    assert len(winners) == 1 and (winners[0].first_version, winners[0].last_version) == (3, 4)
    assert all(isinstance(r, WrongExpectedVersion) for r in results if isinstance(r, BaseException))
    assert [e.stream_version for e in await any_store.read_stream("c-8")] == [1, 2, 3, 4]


# -- idempotency on event id ---------------------------------------------------------------------


async def test_append_is_idempotent_on_event_id(any_store: EventStorePort) -> None:
    batch = counter_events("c-4", 0, 3)
    first = await any_store.append("c-4", 0, batch)
    again = await any_store.append("c-4", 0, batch)  # a retried request with the same ids
    assert again.already_stored and (again.first_version, again.last_version) == (first.first_version, 3)
    concurrent = await asyncio.gather(*(any_store.append("c-5", 0, counter_events("c-5", 0, 1)) for _ in range(1)))
    assert concurrent[0].last_version == 1
    assert len(await any_store.read_stream("c-4")) == 3


async def test_a_retry_after_the_stream_moved_on_still_answers_as_stored(any_store: EventStorePort) -> None:
    batch = counter_events("i-1", 0, 2)
    await any_store.append("i-1", 0, batch)
    await any_store.append("i-1", 2, counter_events("i-1", 2, 1))
    again = await any_store.append("i-1", 0, batch)
    assert again.already_stored and (again.stream_id, again.first_version, again.last_version) == ("i-1", 1, 2)
    assert await any_store.stream_version("i-1") == 3


async def test_concurrent_retries_of_one_append_store_it_once(any_store: EventStorePort) -> None:
    batch = counter_events("i-2", 0, 2)
    results = await asyncio.gather(*(any_store.append("i-2", 0, batch) for _ in range(8)), return_exceptions=True)
    written = [r for r in results if not isinstance(r, BaseException) and not r.already_stored]
    assert len(written) == 1
    # A loser either saw the winner's events (already stored) or raced it (a conflict; its retry answers).
    assert all(isinstance(r, WrongExpectedVersion) for r in results if isinstance(r, BaseException))
    assert (await any_store.append("i-2", 0, batch)).already_stored
    assert [e.event_id for e in await any_store.read_stream("i-2")] == [e.event_id for e in batch]


async def test_a_partly_stored_batch_is_refused_and_writes_nothing(any_store: EventStorePort) -> None:
    batch = counter_events("i-3", 0, 2)
    await any_store.append("i-3", 0, batch[:1])
    with pytest.raises(IdempotencyMismatch, match="1 of 2"):
        await any_store.append("i-3", 1, batch)
    assert await any_store.stream_version("i-3") == 1


async def test_event_ids_stored_on_another_stream_are_not_a_new_append(any_store: EventStorePort) -> None:
    batch = counter_events("i-4", 0, 1)
    await any_store.append("i-4", 0, batch)
    again = await any_store.append("i-5", 0, batch)
    assert again.already_stored and again.stream_id == "i-4"
    assert await any_store.stream_version("i-5") == 0


# -- the global order ----------------------------------------------------------------------------


async def test_read_all_returns_every_event_in_commit_order_with_positions(any_store: EventStorePort) -> None:
    await any_store.append("a", 0, counter_events("a", 0, 2))
    await any_store.append("b", 0, counter_events("b", 0, 3))
    await any_store.append("a", 2, counter_events("a", 2, 1))
    everything = await read_all_settled(any_store, 6)
    assert [(e.stream_id, e.stream_version) for e in everything] == [
        ("a", 1), ("a", 2), ("b", 1), ("b", 2), ("b", 3), ("a", 3)]
    order = [Checkpoint(e.transaction_id, e.position) for e in everything]
    assert order == sorted(order) and len(set(order)) == len(order)
    assert len({e.position for e in everything}) == len(everything)
    # The events of one append share its transaction; later appends have later transactions.
    assert [e.transaction_id for e in everything[2:5]] == [everything[2].transaction_id] * 3
    assert everything[0].transaction_id < everything[2].transaction_id < everything[5].transaction_id
    assert await any_store.head() == order[-1]


async def test_read_all_from_a_checkpoint_returns_the_rest_in_pages(any_store: EventStorePort) -> None:
    for n in range(4):
        await any_store.append(f"p-{n}", 0, counter_events(f"p-{n}", 0, 3))
    everything = await read_all_settled(any_store, 12)
    assert len(everything) == 12
    third = everything[2]
    after = await any_store.read_all(Checkpoint(third.transaction_id, third.position))
    assert [e.event_id for e in after] == [e.event_id for e in everything[3:]]
    paged, checkpoint = [], Checkpoint()
    while page := await any_store.read_all(checkpoint, limit=5):
        assert len(page) <= 5
        paged += page
        checkpoint = Checkpoint(page[-1].transaction_id, page[-1].position)
    assert [e.event_id for e in paged] == [e.event_id for e in everything]
    assert await any_store.read_all(await any_store.head()) == []


async def test_an_empty_store_has_no_events_and_head_at_the_start(any_store: EventStorePort) -> None:
    assert await any_store.read_all(Checkpoint()) == []
    assert await any_store.read_all_encoded(Checkpoint()) == []
    assert await any_store.head() == Checkpoint()


async def test_encoded_envelopes_are_the_stored_events(any_store: EventStorePort) -> None:
    await any_store.append("x-1", 0, counter_events("x-1", 0, 2))
    await any_store.append("x-2", 0, counter_events("x-2", 0, 1))
    stored = await read_all_settled(any_store, 3)
    encoded = await any_store.read_all_encoded(Checkpoint())
    assert [(e.transaction_id, e.position, e.stream_id, e.event_type, e.event_id) for e in encoded] == [
        (e.transaction_id, e.position, e.stream_id, e.event_type, e.event_id) for e in stored]
    assert [EventEnvelope.model_validate_json(e.envelope_json) for e in encoded] == [e.envelope() for e in stored]
    first = stored[0]
    assert len(await any_store.read_all_encoded(Checkpoint(first.transaction_id, first.position), limit=1)) == 1


# -- commands recorded with their events ---------------------------------------------------------


async def test_a_command_is_recorded_with_its_events(any_store: EventStorePort) -> None:
    command_id = uuid4()
    batch = counter_events("k-1", 0, 2)
    assert await any_store.recorded_command(command_id) is None
    result = await any_store.append_command(command_id, "k-1", 0, batch)
    recorded = await any_store.recorded_command(command_id)
    assert recorded is not None
    assert (recorded.command_id, recorded.stream_id, recorded.first_version, recorded.last_version) == (
        command_id, "k-1", result.first_version, result.last_version)
    assert recorded.event_ids == tuple(e.event_id for e in batch)


async def test_a_recorded_command_is_not_appended_again(any_store: EventStorePort) -> None:
    command_id = uuid4()
    await any_store.append_command(command_id, "k-2", 0, counter_events("k-2", 0, 1))
    with pytest.raises(CommandAlreadyRecorded) as raised:
        await any_store.append_command(command_id, "k-2", 1, counter_events("k-2", 1, 1))
    assert (raised.value.recorded.stream_id, raised.value.recorded.last_version) == ("k-2", 1)
    assert await any_store.stream_version("k-2") == 1


async def test_a_command_whose_append_conflicts_is_not_recorded(any_store: EventStorePort) -> None:
    await any_store.append("k-3", 0, counter_events("k-3", 0, 1))
    command_id = uuid4()
    with pytest.raises(WrongExpectedVersion):
        await any_store.append_command(command_id, "k-3", 0, counter_events("k-3", 1, 1))
    assert await any_store.recorded_command(command_id) is None
    assert await any_store.stream_version("k-3") == 1
