"""The cyclic collector is paused for a projection's batch and runs again after the last overlapping one.

Rule served: the runner's CPU goes to events, not to full-heap collections (issue 11), without
leaving the process's collector off, nor turning on one that the process had turned off.
"""

from __future__ import annotations

import asyncio
import gc
import weakref
from collections.abc import Iterator

import pytest

from ap_runtime.projection.collector import collector_paused, freeze_startup_objects


@pytest.fixture
def collector_restored() -> Iterator[None]:
    enabled = gc.isenabled()
    yield
    if enabled:
        gc.enable()
    else:
        gc.disable()


def test_paused_inside_and_on_again_after(collector_restored: None) -> None:
    gc.enable()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_on_again_after_a_failing_batch(collector_restored: None) -> None:
    gc.enable()
    with pytest.raises(RuntimeError), collector_paused():
        raise RuntimeError("the batch failed")
    assert gc.isenabled()


async def test_overlapping_batches_keep_it_paused_until_the_last_ends(collector_restored: None) -> None:
    gc.enable()
    first_done, second_started = asyncio.Event(), asyncio.Event()
    seen: list[bool] = []

    async def first() -> None:
        with collector_paused():
            await second_started.wait()
        first_done.set()

    async def second() -> None:
        with collector_paused():
            second_started.set()
            await first_done.wait()
            seen.append(gc.isenabled())  # the first batch ended, this one has not

    await asyncio.gather(first(), second())
    assert seen == [False]
    assert gc.isenabled()


async def test_a_collector_the_process_turned_off_stays_off(collector_restored: None) -> None:
    gc.disable()
    first_done = asyncio.Event()

    async def first() -> None:
        with collector_paused():
            await asyncio.sleep(0)
        first_done.set()

    async def second() -> None:
        with collector_paused():
            await first_done.wait()

    await asyncio.gather(first(), second())
    assert not gc.isenabled()


class _Cycle:
    def __init__(self) -> None:
        self.me = self


async def test_cycles_left_while_paused_back_to_back_are_still_collected(collector_restored: None) -> None:
    import weakref

    gc.enable()
    gc.collect()
    stop = asyncio.Event()
    witnesses: list[weakref.ref[_Cycle]] = []

    async def busy_runner() -> None:  # another runner whose batches keep the collector paused
        while not stop.is_set():
            with collector_paused():
                await asyncio.sleep(0)

    other = asyncio.create_task(busy_runner())
    await asyncio.sleep(0)
    with collector_paused():
        for _ in range(120_000):  # garbage cycles, past the collection threshold
            witnesses.append(weakref.ref(_Cycle()))
    alive = sum(1 for w in witnesses if w() is not None)
    stop.set()
    await other
    assert alive == 0, f"{alive} cycles outlived the pause"


class _Node:
    def __init__(self) -> None:
        self.me = self  # a reference cycle: only the cyclic collector frees it


def test_startup_objects_are_frozen_and_startup_garbage_is_collected_first() -> None:
    live = _Node()
    garbage = weakref.ref(_Node())  # unreachable at once, but cyclic: garbage until a collection
    try:
        frozen = freeze_startup_objects()
        assert frozen == gc.get_freeze_count() > 0
        assert garbage() is None  # collected, not kept for ever in the permanent generation
        assert not any(o is live for o in gc.get_objects())  # no collection walks the live object again
    finally:
        gc.unfreeze()
    assert any(o is live for o in gc.get_objects())
