"""Stopping the background task a component owns (the heartbeat, the erasure listener).

Rule served: a component's ``stop`` returns only when its task has finished, so nothing it started
still runs after it; the task's own cancellation is not an error of the stop, but a cancellation of
the caller of ``stop`` (a shutdown that is itself cancelled) is passed on, never swallowed.
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
    try:
        await task
    except asyncio.CancelledError:
        caller = asyncio.current_task()
        # The task's CancelledError reaches us as ours: it is ours too only when we are being cancelled.
        if caller is not None and caller.cancelling():
            raise
