"""A worker runs its FastStream application until SIGTERM, then closes what it used, and leaves no
signal handler behind (issue 10, "Copies": the loop every worker process repeated, now one)."""

from __future__ import annotations

import asyncio
import os
import signal

import pytest

from ap_runtime.projection.runner import build_app
from ap_runtime.settings import Settings
from ap_runtime.worker import run_until_stopped

pytestmark = pytest.mark.integration


async def test_sigterm_stops_the_worker_and_closes_its_resources_once() -> None:
    closed: list[str] = []

    async def close() -> None:
        closed.append("pool")

    app = build_app([], Settings.from_env("incidents").kafka_bootstrap)
    worker = asyncio.create_task(run_until_stopped(app, close))
    await asyncio.sleep(1.0)  # the broker connects and the app runs
    assert not worker.done()
    os.kill(os.getpid(), signal.SIGTERM)
    await asyncio.wait_for(worker, timeout=30)
    assert closed == ["pool"]
    # The handler went with the worker: the loop no longer routes SIGTERM to the finished app.
    assert not asyncio.get_running_loop().remove_signal_handler(signal.SIGTERM)
