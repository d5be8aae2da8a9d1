"""The group-commit batcher: concurrent calls share a run, each gets its own answer or the batch's error."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from ap_runtime.batching import Batcher

pytestmark = pytest.mark.unit


class Doubler:
    def __init__(self, fail_on: int | None = None) -> None:
        self.runs: list[list[int]] = []
        self.fail_on = fail_on

    async def __call__(self, items: Sequence[int]) -> list[int]:
        self.runs.append(list(items))
        await asyncio.sleep(0.01)  # a round trip: what arrives meanwhile waits for the next run
        if self.fail_on in items:
            raise ValueError(f"refused {self.fail_on}")
        return [2 * i for i in items]


async def test_concurrent_calls_share_runs_and_each_gets_its_answer() -> None:
    run = Doubler()
    batcher: Batcher[int, int] = Batcher(run)
    answers = await asyncio.gather(*(batcher.submit(i) for i in range(20)))
    assert answers == [2 * i for i in range(20)]
    assert len(run.runs) < 20 and sorted(i for r in run.runs for i in r) == list(range(20))


async def test_a_lone_call_runs_at_once_and_batches_are_bounded() -> None:
    run = Doubler()
    batcher: Batcher[int, int] = Batcher(run, max_batch=3)
    assert await batcher.submit(7) == 14 and run.runs == [[7]]
    await asyncio.gather(*(batcher.submit(i) for i in range(10)))
    assert max(len(r) for r in run.runs) == 3


async def test_a_failed_run_fails_every_caller_in_it_and_not_the_next() -> None:
    run = Doubler(fail_on=3)
    batcher: Batcher[int, int] = Batcher(run)
    results = await asyncio.gather(*(batcher.submit(i) for i in range(6)), return_exceptions=True)
    failed_run = next(r for r in run.runs if 3 in r)
    for item, result in zip(range(6), results, strict=True):
        if item in failed_run:
            assert isinstance(result, ValueError) and "refused 3" in str(result)
        else:
            assert result == 2 * item
    assert await batcher.submit(4) == 8


async def test_a_cancelled_caller_does_not_cancel_the_others() -> None:
    run = Doubler()
    batcher: Batcher[int, int] = Batcher(run)
    first = asyncio.create_task(batcher.submit(1))
    others = [asyncio.create_task(batcher.submit(i)) for i in (2, 3)]
    await asyncio.sleep(0)
    first.cancel()
    assert await asyncio.gather(*others) == [4, 6]


class HeldRun:
    """A run that holds any batch containing ``held`` until released (a row lock, say)."""

    def __init__(self, held: int) -> None:
        self.held, self.release = held, asyncio.Event()
        self.runs: list[list[int]] = []

    async def __call__(self, items: Sequence[int]) -> list[int]:
        self.runs.append(list(items))
        if self.held in items:
            await self.release.wait()
        await asyncio.sleep(0.001)
        return [2 * i for i in items]


async def test_a_held_batch_does_not_hold_back_the_items_after_it() -> None:
    run = HeldRun(held=1)
    batcher: Batcher[int, int] = Batcher(run, patience_seconds=0.02)
    held = asyncio.create_task(batcher.submit(1))
    await asyncio.sleep(0.005)
    others = await asyncio.wait_for(asyncio.gather(*(batcher.submit(i) for i in (2, 3))), timeout=2)
    assert others == [4, 6] and not held.done()  # answered while the first batch is still held
    run.release.set()
    assert await held == 2
    assert run.runs[0] == [1] and sorted(i for r in run.runs[1:] for i in r) == [2, 3]


async def test_a_batch_within_its_patience_still_goes_before_the_next_collects() -> None:
    run = Doubler()  # 10 ms a batch, patience 50 ms: one batch at a time, as before
    batcher: Batcher[int, int] = Batcher(run, patience_seconds=0.05)
    first = asyncio.create_task(batcher.submit(0))
    await asyncio.sleep(0.002)
    rest = [asyncio.create_task(batcher.submit(i)) for i in range(1, 6)]
    await asyncio.gather(first, *rest)
    assert run.runs == [[0], [1, 2, 3, 4, 5]]


def test_patience_must_be_positive() -> None:
    with pytest.raises(ValueError, match="patience_seconds"):
        Batcher(Doubler(), patience_seconds=0)
