"""Command execution on every event store: idempotent command ids, retried conflicts, rejections store nothing.

``any_store`` runs each test on the in-memory store (unit) and on PostgreSQL (integration).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from uuid import uuid4

import pytest

from ap_contracts.events.base import DomainEvent
from ap_runtime.commands import CommandExecutor, CommandMeta
from ap_runtime.eventstore import EventStorePort
from ap_testing.events import CounterIncremented

from .conftest import ACTOR


def meta() -> CommandMeta:
    return CommandMeta(command_id=uuid4(), actor=ACTOR, organisation_id="org-test", correlation_id=uuid4())


def increment(counter: str) -> object:
    def decide(history: Sequence[DomainEvent]) -> list[DomainEvent]:
        return [CounterIncremented(counter=counter, seq=len(history))]

    return decide


class LimitReached(Exception):
    pass


async def test_same_command_id_records_once(any_store: EventStorePort) -> None:
    executor = CommandExecutor(any_store)
    m = meta()
    first = await executor.execute("k-1", m, increment("k-1"))  # type: ignore[arg-type]
    again = await executor.execute("k-1", m, increment("k-1"))  # type: ignore[arg-type]
    racing = await asyncio.gather(*(executor.execute("k-1", m, increment("k-1")) for _ in range(10)))  # type: ignore[arg-type]
    assert not first.duplicate and again.duplicate and all(r.duplicate for r in racing)
    assert again.event_ids == first.event_ids
    assert await any_store.stream_version("k-1") == 1


async def test_concurrent_commands_on_one_stream_are_all_applied_in_some_order(
    any_store: EventStorePort
) -> None:
    executor = CommandExecutor(any_store, max_attempts=50)
    await asyncio.gather(*(executor.execute("k-2", meta(), increment("k-2")) for _ in range(15)))  # type: ignore[arg-type]
    seqs = [e.seq for e in await any_store.load("k-2") if isinstance(e, CounterIncremented)]
    assert seqs == list(range(15)), "each command decided on the history it was appended after"


async def test_rejected_command_writes_nothing(any_store: EventStorePort) -> None:
    executor = CommandExecutor(any_store)

    def refuse(history: Sequence[DomainEvent]) -> list[DomainEvent]:
        raise LimitReached("no more")

    m = meta()
    with pytest.raises(LimitReached):
        await executor.execute("k-3", m, refuse)
    assert await any_store.stream_version("k-3") == 0
    assert await executor.previous_outcome(m.command_id) is None
