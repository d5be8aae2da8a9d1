"""The same command executed by two instances at once answers both with its one outcome (issue 11).

The race two API processes run when a client sends one command to both (a retry through another
replica): instance B asks whether the command id was recorded (not yet), instance A records it, then
B loads the stream, which now holds A's events, and decides again. A decider that refuses what is
already recorded (finance's unique spend id) then refuses B's copy of the very command A recorded:
B must answer with A's outcome, as a later retry would, not with the refusal.
``any_store`` runs it on the in-memory store (unit) and on PostgreSQL (integration).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Any
from uuid import uuid4

import asyncpg
import pytest

from ap_contracts.events.base import DomainEvent
from ap_runtime.commands import CommandExecutor, CommandMeta, migrate_commands
from ap_runtime.eventstore import EventStorePort
from ap_testing.events import CounterIncremented

from .conftest import ACTOR


class AlreadyRecorded(Exception):
    """Stands for a rule like budget_command's unique spend id: the item is in the history already."""


def record_item(item: str) -> Any:
    def decide(history: Sequence[DomainEvent]) -> list[DomainEvent]:
        if any(isinstance(e, CounterIncremented) and e.counter == item for e in history):
            raise AlreadyRecorded(item)
        return [CounterIncremented(counter=item, seq=len(history))]

    return decide


class OtherInstanceFirst:
    """The store as instance B sees it: instance A records the same command between B's check of the
    command id and B's load of the stream (the moment B first asks the stream's version)."""

    def __init__(self, store: EventStorePort, other: CommandExecutor, stream: str, meta: CommandMeta,
                 decide: Any) -> None:
        self._store, self._other, self._stream, self._meta, self._decide = store, other, stream, meta, decide
        self.other_outcome: Any = None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    async def stream_version(self, stream_id: str) -> int:
        if self.other_outcome is None:
            self.other_outcome = await self._other.execute(self._stream, self._meta, self._decide)
        return await self._store.stream_version(stream_id)


async def test_a_command_recorded_by_another_instance_mid_execution_answers_with_its_outcome(
    any_store: EventStorePort,
) -> None:
    stream, item = "budget-1", "spend-7"
    await CommandExecutor(any_store).execute(stream, CommandMeta(command_id=uuid4(), actor=ACTOR,
                                                                 organisation_id="org-test",
                                                                 correlation_id=uuid4()), record_item("other"))
    meta = CommandMeta(command_id=uuid4(), actor=ACTOR, organisation_id="org-test", correlation_id=uuid4())
    racing = OtherInstanceFirst(any_store, CommandExecutor(any_store), stream, meta, record_item(item))
    outcome = await CommandExecutor(racing).execute(stream, meta, record_item(item))  # type: ignore[arg-type]
    assert racing.other_outcome is not None and not racing.other_outcome.duplicate
    assert outcome.duplicate
    assert (outcome.event_ids, outcome.first_version) == (racing.other_outcome.event_ids,
                                                           racing.other_outcome.first_version)
    assert await any_store.stream_version(stream) == 2


async def test_a_refusal_of_a_command_nobody_recorded_still_refuses(any_store: EventStorePort) -> None:
    stream = "budget-2"
    executor = CommandExecutor(any_store)
    first = CommandMeta(command_id=uuid4(), actor=ACTOR, organisation_id="org-test", correlation_id=uuid4())
    await executor.execute(stream, first, record_item("spend-1"))
    second = CommandMeta(command_id=uuid4(), actor=ACTOR, organisation_id="org-test", correlation_id=uuid4())
    with pytest.raises(AlreadyRecorded):  # a different command reusing the item: refused, as before
        await executor.execute(stream, second, record_item("spend-1"))
    assert await executor.previous_outcome(second.command_id) is None


@pytest.mark.integration
async def test_instances_starting_at_once_on_a_new_database_all_create_the_command_records(
    new_database: Callable[[str], Awaitable[str]],
) -> None:
    """Several replicas of a service start together on a database nobody has migrated yet (a first
    deployment): each creates the command records' table if it is missing, and none may fail to start."""
    for round_ in range(3):
        dsn = await new_database(f"cmd_migrate_{round_}")
        pools = [await asyncpg.create_pool(dsn, min_size=1, max_size=1) for _ in range(8)]  # eight processes' pools
        try:
            await asyncio.gather(*(migrate_commands(pool) for pool in pools))
            assert await pools[0].fetchval("SELECT count(*) FROM processed_commands") == 0
        finally:
            for pool in pools:
                await pool.close()
