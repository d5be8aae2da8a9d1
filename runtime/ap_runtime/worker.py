"""Run a FastStream application until SIGTERM or SIGINT, then close what it used.

Issue 10, "Copies": every worker process (the projections of each service, the notifications alert
worker, the incidents command consumer, ``ap projections run``) ran this same loop by hand.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Awaitable, Callable

from faststream import FastStream

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


async def run_until_stopped(app: FastStream, close: Callable[[], Awaitable[None]] | None = None) -> None:
    """Run ``app`` until a stop signal; then ``close`` (pools, dependencies) even if the app failed.

    The handlers are removed afterwards, so a later signal is not sent to an application that ended.
    """
    loop = asyncio.get_running_loop()
    for sig in STOP_SIGNALS:
        loop.add_signal_handler(sig, app.exit)
    try:
        await app.run()
    finally:
        for sig in STOP_SIGNALS:
            loop.remove_signal_handler(sig)
        if close is not None:
            await close()
