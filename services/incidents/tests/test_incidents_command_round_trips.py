"""What a command costs the event store (issue 11): a new command is not looked up before it is appended.

Nearly every command is new, and its id is unique in the append itself (the command's record and
its events' ids derive from it), so the handler appends without asking first whether the id was
seen; only a decision that refuses or records nothing asks, so that a retry still gets its first
answer. Runs the real handler on the in-memory store (no server).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from uuid import UUID, uuid4

import pytest

from ap_runtime.eventstore import RecordedCommand

from .conftest import Commands
from .test_incidents_command_handler_memory import HEAD, HOME_STAFF, STAFF, World

pytestmark = pytest.mark.unit


@pytest.fixture
async def world() -> World:
    return await World().registered()


def count_lookups(world: World) -> list[UUID]:
    """The command ids the handler asks the store about (``recorded_command``), from now on."""
    asked: list[UUID] = []
    original: Callable[[UUID], Awaitable[RecordedCommand | None]] = world.store.recorded_command

    async def recorded_command(command_id: UUID) -> RecordedCommand | None:
        asked.append(command_id)
        return await original(command_id)

    world.store.recorded_command = recorded_command  # type: ignore[method-assign]
    return asked


async def test_a_new_command_is_appended_without_asking_whether_it_was_seen(world: World) -> None:
    cmd = await world.placed_pupil()
    asked = count_lookups(world)
    outcome = await world.handler.handle(STAFF, cmd.record_incident())
    assert not outcome.duplicate and len(outcome.event_ids) == 1
    assert asked == []


async def test_a_retry_gets_its_first_answer_from_the_append(world: World) -> None:
    cmd = await world.placed_pupil()
    incident = cmd.record_incident()
    first = await world.handler.handle(STAFF, incident)
    asked = count_lookups(world)
    again = await world.handler.handle(STAFF, incident)
    assert again.duplicate and (again.event_ids, again.last_version) == (first.event_ids, first.last_version)
    assert asked == [incident.command_id]  # once, by the refused append, to answer with the first outcome


async def test_a_retry_the_record_now_refuses_still_gets_its_first_answer(world: World) -> None:
    cmd = Commands(uuid4(), uuid4(), uuid4())
    register = cmd.register_pupil()
    first = await world.handler.handle(HEAD, register)
    await world.handler.handle(HOME_STAFF, cmd.receive_referral())
    # Registering again is refused (registered already), but this is the same command: its first answer.
    again = await world.handler.handle(HEAD, register)
    assert again.duplicate and again.event_ids == first.event_ids
