"""A background task that runs one coroutine every few seconds until stopped, then once more.

Served rule: periodic duties (publishing the audit chain's head, deleting processed commands) must
survive an outage of the server they talk to, since the next tick retries, and must run one last
time on a clean shutdown so nothing is left unanchored or undeleted. A failed tick is logged by
exception type only: a message may carry values the process holds.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

from ap_runtime.logging import get_logger

log = get_logger("ap.periodic")


class Periodic:
    """Calls ``tick`` now and every ``interval_seconds`` between ``start`` and ``stop``."""

    def __init__(self, name: str, tick: Callable[[], Awaitable[object]], interval_seconds: float) -> None:
        self.name = name
        self.interval_seconds = interval_seconds
        self._tick = tick
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._stop.clear()
        self._task = asyncio.create_task(self._run(), name=self.name)

    async def stop(self) -> None:
        """Stop the loop, then tick once more (a clean shutdown leaves nothing behind)."""
        self._stop.set()
        if self._task is not None:
            await self._task
            self._task = None
        await self.tick_logged()

    async def tick_logged(self) -> None:
        try:
            await self._tick()
        except Exception as exc:  # an outage must not stop the service; the next tick retries
            log.warning("periodic task failed", task=self.name, error=type(exc).__name__)

    async def _run(self) -> None:
        while not self._stop.is_set():
            await self.tick_logged()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), timeout=self.interval_seconds)
