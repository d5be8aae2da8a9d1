"""``ap_runtime.tasks.cancel_and_wait``: how a component stops the background task it owns."""

from __future__ import annotations

import asyncio

import pytest

from ap_runtime.tasks import cancel_and_wait


async def test_cancel_and_wait_returns_once_the_task_has_finished() -> None:
    started = asyncio.Event()

    async def forever() -> None:
        started.set()
        await asyncio.Event().wait()

    task = asyncio.create_task(forever())
    await started.wait()
    await cancel_and_wait(task)
    assert task.done() and task.cancelled()


async def test_cancel_and_wait_accepts_no_task() -> None:
    await cancel_and_wait(None)


async def test_a_task_that_failed_before_the_stop_raises_its_error() -> None:
    async def fails() -> None:
        raise RuntimeError("broken loop")

    task = asyncio.create_task(fails())
    await asyncio.sleep(0)
    with pytest.raises(RuntimeError, match="broken loop"):
        await cancel_and_wait(task)


async def test_the_stopping_caller_is_still_cancelled_when_it_is_cancelled_while_waiting() -> None:
    """Suppressing the owned task's cancellation must not swallow the caller's own."""
    cleaning = asyncio.Event()

    async def slow_to_stop() -> None:
        try:
            await asyncio.Event().wait()
        finally:
            cleaning.set()
            await asyncio.shield(asyncio.sleep(0.05))

    owned = asyncio.create_task(slow_to_stop())
    await asyncio.sleep(0)
    after_stop: list[str] = []

    async def stopper() -> None:
        await cancel_and_wait(owned)
        after_stop.append("ran on")

    caller = asyncio.create_task(stopper())
    await cleaning.wait()
    caller.cancel()
    with pytest.raises(asyncio.CancelledError):
        await caller
    assert after_stop == []
    await asyncio.gather(owned, return_exceptions=True)


async def test_a_stop_in_the_clean_up_of_a_cancelled_caller_still_finishes_the_clean_up() -> None:
    """A process shut down by cancellation stops its components in ``finally``: each stop runs to its end."""
    owned_started = asyncio.Event()

    async def forever() -> None:
        owned_started.set()
        await asyncio.Event().wait()

    owned = asyncio.create_task(forever())
    await owned_started.wait()
    cleaned_up: list[str] = []

    async def component_owner() -> None:
        try:
            await asyncio.Event().wait()
        finally:
            await cancel_and_wait(owned)
            cleaned_up.append("after the stop")

    caller = asyncio.create_task(component_owner())
    await asyncio.sleep(0)
    caller.cancel()
    with pytest.raises(asyncio.CancelledError):
        await caller
    assert owned.cancelled()
    assert cleaned_up == ["after the stop"]
