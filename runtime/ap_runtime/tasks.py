"""Stopping the background task a component owns (the heartbeat, the erasure listener).

Rule served: a component's ``stop`` returns only when its task has finished, so nothing it started
still runs after it; the task's own cancellation is not an error of the stop. A cancellation of the
caller while it waits is passed on, never swallowed; a stop called in the clean-up of a caller that
is already being cancelled (a shutdown) still returns normally, so the rest of the clean-up runs.
"""

from __future__ import annotations

import asyncio
from typing import Any


async def cancel_and_wait(task: asyncio.Task[Any] | None) -> None:
    """Cancel ``task`` and wait until it has finished (nothing when there is no task).

    An error the task raised before it was cancelled is raised here.
    """
    if task is None:
        return
    task.cancel()
    # asyncio.wait never raises the task's own CancelledError: one raised here is the caller's.
    await asyncio.wait([task])
    if not task.cancelled():
        task.result()
