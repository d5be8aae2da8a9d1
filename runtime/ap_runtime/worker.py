"""Run a FastStream application until SIGTERM or SIGINT, then close what it used.

Issue 10, "Copies": every worker process (the projections of each service, the notifications alert
worker, the incidents command consumer, ``ap projections run``) ran this same loop by hand. Issue 11: each
settles its collector once its application has started (``gc_tuning``): what it opened lives as long as it.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Awaitable, Callable
from pathlib import Path

from faststream import FastStream

from ap_runtime.gc_tuning import settle_for_serving
from ap_runtime.health import DEFAULT_INTERVAL_SECONDS, Heartbeat
from ap_runtime.settings import platform_settings

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


async def run_until_stopped(app: FastStream, close: Callable[[], Awaitable[None]] | None = None, *,
                            heartbeat_file: Path | None = None,
                            heartbeat_interval_seconds: float = DEFAULT_INTERVAL_SECONDS) -> None:
    """Run ``app`` until a stop signal; then ``close`` (pools, dependencies) even if the app failed.

    The handlers are removed afterwards, so a later signal is not sent to an application that ended.
    ``heartbeat_file`` (default ``AP_HEARTBEAT_FILE``) is touched from the app's start-up until its
    shutdown: the Kubernetes probe of a worker (``ap_runtime.health``). Once the app has started (its
    consumers subscribed, what it uses opened), the collector is settled for the process's life.
    """

    async def settle() -> None:
        settle_for_serving()

    app.after_startup(settle)
    beat_at = heartbeat_file or platform_settings().heartbeat_file
    if beat_at is not None:
        beating = Heartbeat(beat_at, heartbeat_interval_seconds)
        app.after_startup(beating.start)  # consumers subscribed: the process is ready
        app.on_shutdown(beating.stop)
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
