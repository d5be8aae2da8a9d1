"""Group commit: concurrent calls share one round trip, each caller awaiting its own answer.

Rule served: issue 11 (the command path five times faster) without weakening any check. A
``Batcher`` queues the items submitted while its previous batch is in flight and hands them to
``run`` together (at most ``max_batch``); each caller gets the answer for its own item, or the
exception that failed the batch, and returns only once the batch is done, so nothing is
acknowledged before it is stored. No timer: a lone call goes at once, and batches grow only
under load (the time one batch takes is the time the next one collects). A cancelled caller does
not cancel the batch its item shares with others.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

Item = TypeVar("Item")
Answer = TypeVar("Answer")


class Batcher(Generic[Item, Answer]):
    """Runs ``run(items) -> answers`` (one answer per item, in order) for the items queued meanwhile."""

    def __init__(self, run: Callable[[Sequence[Item]], Awaitable[Sequence[Answer]]], *, max_batch: int = 500) -> None:
        if max_batch < 1:
            raise ValueError("max_batch must be at least 1")
        self._run = run
        self._max_batch = max_batch
        self._pending: list[tuple[Item, asyncio.Future[Answer]]] = []
        self._drainer: asyncio.Task[None] | None = None
        self.batches = 0  # how many batches ran (observability, tests)

    async def submit(self, item: Item) -> Answer:
        """The answer for ``item``, once the batch it went in has run."""
        future: asyncio.Future[Answer] = asyncio.get_running_loop().create_future()
        self._pending.append((item, future))
        if self._drainer is None or self._drainer.done():
            self._drainer = asyncio.create_task(self._drain())
        return await asyncio.shield(future)

    async def _drain(self) -> None:
        while self._pending:
            batch = self._pending[: self._max_batch]
            del self._pending[: len(batch)]
            self.batches += 1
            try:
                answers = await self._run([item for item, _ in batch])
                if len(answers) != len(batch):
                    raise RuntimeError(f"a batch of {len(batch)} items got {len(answers)} answers")
            except Exception as exc:  # every caller in the failed batch learns why
                for _, future in batch:
                    if not future.done():
                        future.set_exception(exc)
            else:
                for (_, future), answer in zip(batch, answers, strict=True):
                    if not future.done():
                        future.set_result(answer)
