"""Concurrent commands' appends in one statement (``ap_runtime.eventstore.grouped_appends``, issue 11).

Each command keeps its own promises: its events, its command record and the relay's notification only when its
stream was at the version it expected; its own refusal (a stream that moved, a command id recorded already) and
nothing stored of it; the others appended all the same.
"""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import pytest

from ap_contracts.events.base import DomainEvent
from ap_runtime.commands import migrate_commands
from ap_runtime.eventstore import (
    AppendResult,
    CommandAlreadyRecorded,
    EventStore,
    PlaintextCodec,
    RecordedCommand,
    WrongExpectedVersion,
    migrate,
)
from ap_runtime.eventstore.grouped_appends import GroupedCommandAppends
from ap_runtime.eventstore.store import NOTIFY_CHANNEL

from .conftest import counter_events

pytestmark = pytest.mark.integration


def _grouped(pool: asyncpg.Pool) -> tuple[EventStore, GroupedCommandAppends]:
    store = EventStore(pool)
    return store, GroupedCommandAppends(store)


def _statements(sent: list[str]) -> list[str]:
    return [q for q in sent if "processed_commands" in q and "INSERT" in q]


async def test_concurrent_commands_share_statements_and_each_is_stored_as_alone(
        counted: tuple[asyncpg.Pool, list[str]], dsn: str) -> None:
    pool, sent = counted
    store, grouped = _grouped(pool)
    for n in range(0, 12, 2):  # half the streams exist already, at version 2
        await store.append_command(uuid4(), f"grp-{n}", 0, counter_events(f"grp-{n}", 0, 2))
    listener = await asyncpg.connect(dsn)
    notified: list[str] = []
    await listener.add_listener(NOTIFY_CHANNEL, lambda *args: notified.append(args[3]))
    commands = [(uuid4(), f"grp-{n}", 2 if n % 2 == 0 else 0, counter_events(f"grp-{n}", 10, 1 + n % 3))
                for n in range(12)]
    sent.clear()
    results = await asyncio.gather(*(grouped.append_command(*c) for c in commands))
    assert len(_statements(sent)) < len(commands), sent  # those asked while one was in flight went together
    for (command_id, stream, expected, events), result in zip(commands, results, strict=True):
        assert result == AppendResult(stream, expected + 1, expected + len(events))
        stored = await store.read_stream(stream, expected)
        assert [(e.event_id, e.stream_version, e.payload) for e in stored] == [
            (e.event_id, expected + i + 1, e.event.model_dump(mode="json")) for i, e in enumerate(events)]
        assert await store.recorded_command(command_id) == RecordedCommand(
            command_id, stream, expected + 1, expected + len(events), tuple(e.event_id for e in events))
        assert await store.stream_version(stream) == expected + len(events)
    await asyncio.sleep(0.2)
    assert sorted(set(notified)) == sorted(stream for _, stream, _, _ in commands)
    await listener.close()


async def test_a_command_whose_stream_moved_is_refused_alone(counted: tuple[asyncpg.Pool, list[str]]) -> None:
    pool, sent = counted
    store, grouped = _grouped(pool)
    await store.append_command(uuid4(), "grp-moved", 0, counter_events("grp-moved", 0, 3))
    await store.append_command(uuid4(), "grp-exists", 0, counter_events("grp-exists", 0, 1))
    moved, exists, fine = uuid4(), uuid4(), [uuid4() for _ in range(4)]
    sent.clear()
    answers = await asyncio.gather(
        *(grouped.append_command(c, f"grp-fine-{n}", 0, counter_events(f"grp-fine-{n}", 0, 1))
          for n, c in enumerate(fine[:2])),
        grouped.append_command(moved, "grp-moved", 1, counter_events("grp-moved", 1, 1)),  # it is at 3
        grouped.append_command(exists, "grp-exists", 0, counter_events("grp-exists", 1, 1)),  # not new
        *(grouped.append_command(c, f"grp-fine-{n}", 0, counter_events(f"grp-fine-{n}", 0, 1))
          for n, c in enumerate(fine[2:], 2)),
        return_exceptions=True)
    assert len(_statements(sent)) < len(answers)
    refused = [a for a in answers if isinstance(a, WrongExpectedVersion)]
    assert [(r.stream_id, r.expected, r.actual) for r in refused] == [("grp-moved", 1, 3), ("grp-exists", 0, 1)]
    assert [await store.stream_version(s) for s in ("grp-moved", "grp-exists")] == [3, 1]
    assert await store.recorded_command(moved) is None and await store.recorded_command(exists) is None
    for n, command_id in enumerate(fine):
        recorded = await store.recorded_command(command_id)
        assert recorded is not None and recorded.stream_id == f"grp-fine-{n}"


async def test_a_retried_command_gets_its_first_outcome_and_the_others_are_appended(
        counted: tuple[asyncpg.Pool, list[str]]) -> None:
    pool, _ = counted
    store, grouped = _grouped(pool)
    first_id = uuid4()
    first_events = counter_events("grp-retry", 0, 1)
    await store.append_command(first_id, "grp-retry", 0, first_events)
    others = [(uuid4(), f"grp-beside-{n}") for n in range(5)]

    async def other(command_id: UUID, stream: str) -> AppendResult:
        return await grouped.append_command(command_id, stream, 0, counter_events(stream, 0, 1))

    answers = await asyncio.gather(
        other(*others[0]), grouped.append_command(first_id, "grp-retry", 1, counter_events("grp-retry", 1, 1)),
        *(other(*o) for o in others[1:]), return_exceptions=True)
    retried = answers[1]
    assert isinstance(retried, CommandAlreadyRecorded)
    assert retried.recorded.event_ids == (first_events[0].event_id,)
    assert await store.stream_version("grp-retry") == 1
    assert all(isinstance(a, AppendResult) for n, a in enumerate(answers) if n != 1)
    for command_id, stream in others:
        assert (await store.recorded_command(command_id) or RecordedCommand(uuid4(), "", 0, 0, ())).stream_id == stream


async def test_a_lone_command_goes_at_once_in_the_stores_own_statement(
        counted: tuple[asyncpg.Pool, list[str]]) -> None:
    pool, sent = counted
    store, grouped = _grouped(pool)
    await store.append_command(uuid4(), "grp-warm", 0, counter_events("grp-warm", 0, 1))
    sent.clear()
    result = await grouped.append_command(uuid4(), "grp-lone", 0, counter_events("grp-lone", 0, 2))
    assert result == AppendResult("grp-lone", 1, 2)
    assert len(_statements(sent)) == 1 and "unnest($1::uuid[], $2::text[]" not in _statements(sent)[0]
    with pytest.raises(ValueError, match="at least one event"):
        await grouped.append_command(uuid4(), "grp-lone", 2, [])


class RefusingCodec:
    """Seals every event but those of the counter ``grp-unsealable`` (as a destroyed pupil key would refuse)."""

    def __init__(self) -> None:
        self._plain = PlaintextCodec()

    async def seal(self, event: DomainEvent) -> dict[str, Any]:
        if getattr(event, "counter", None) == "grp-unsealable":
            raise ValueError("no key to seal grp-unsealable")
        return await self._plain.seal(event)

    async def reveal(self, event_type: str, schema_version: int, payload: dict[str, Any],
                     subject: str | None) -> dict[str, Any]:
        return await self._plain.reveal(event_type, schema_version, payload, subject)


async def test_an_unsealable_command_is_refused_alone_and_a_stream_named_twice_goes_command_by_command(
        counted: tuple[asyncpg.Pool, list[str]]) -> None:
    pool, _ = counted
    store = EventStore(pool, RefusingCodec())
    grouped = GroupedCommandAppends(store)
    fine = [uuid4() for _ in range(4)]
    answers = await asyncio.gather(
        *(grouped.append_command(c, f"grp-sealed-{n}", 0, counter_events(f"grp-sealed-{n}", 0, 1))
          for n, c in enumerate(fine)),
        grouped.append_command(uuid4(), "grp-unsealable", 0, counter_events("grp-unsealable", 0, 1)),
        return_exceptions=True)
    assert isinstance(answers[-1], ValueError) and await store.stream_version("grp-unsealable") == 0
    assert [await store.stream_version(f"grp-sealed-{n}") for n in range(4)] == [1, 1, 1, 1]
    twice = await asyncio.gather(
        grouped.append_command(uuid4(), "grp-other", 0, counter_events("grp-other", 0, 1)),
        grouped.append_command(uuid4(), "grp-twice", 0, counter_events("grp-twice", 0, 1)),
        grouped.append_command(uuid4(), "grp-twice", 0, counter_events("grp-twice", 5, 1)),
        return_exceptions=True)
    assert isinstance(twice[0], AppendResult) and isinstance(twice[1], AppendResult)
    assert isinstance(twice[2], WrongExpectedVersion) and twice[2].actual == 1
    assert [e.stream_version for e in await store.read_stream("grp-twice")] == [1]


async def test_two_processes_grouping_the_same_streams_in_opposite_orders_never_deadlock(dsn: str) -> None:
    """Each statement locks its streams in stream order: two processes' statements over the same streams wait on
    each other, one wins each stream, and PostgreSQL reports no deadlock (each would have stalled a second)."""
    pools = [await asyncpg.create_pool(dsn, min_size=1, max_size=1) for _ in range(2)]
    streams = [f"grp-both-{n}" for n in range(10)]
    try:
        await migrate(pools[0])
        await migrate_commands(pools[0])
        for stream in streams:
            await EventStore(pools[0]).append_command(uuid4(), stream, 0, counter_events(stream, 0, 1))
        first, second = (GroupedCommandAppends(EventStore(pool)) for pool in pools)
        for version in range(1, 16):
            answers = await asyncio.gather(
                *(first.append_command(uuid4(), s, version, counter_events(s, 100 * version, 1)) for s in streams),
                *(second.append_command(uuid4(), s, version, counter_events(s, 100 * version + 50, 1))
                  for s in reversed(streams)), return_exceptions=True)
            assert sum(isinstance(a, AppendResult) for a in answers) == len(streams)
            assert all(isinstance(a, AppendResult | WrongExpectedVersion) for a in answers), answers
        assert [await EventStore(pools[0]).stream_version(s) for s in streams] == [16] * len(streams)
    finally:
        for pool in pools:
            await pool.close()
    observer = await asyncpg.connect(dsn)
    await asyncio.sleep(0.5)  # the closed sessions' statistics reach pg_stat_database
    assert await observer.fetchval("SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()") == 0
    await observer.close()
