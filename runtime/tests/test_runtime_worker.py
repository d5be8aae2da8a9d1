"""A worker runs its FastStream application until SIGTERM, then closes what it used, and leaves no
signal handler behind (issue 10, "Copies": the loop every worker process repeated, now one); once the
application has started it settles the process's collector (issue 11, ``ap_runtime.gc_tuning``)."""

from __future__ import annotations

import asyncio
import gc
import os
import signal

import pytest

from ap_runtime.gc_tuning import SERVING_THRESHOLDS
from ap_runtime.projection.runner import build_app
from ap_runtime.settings import Settings
from ap_runtime.worker import run_until_stopped
from ap_testing.collector import collector_restored  # noqa: F401 - a fixture, found by its name

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("collector_restored")]


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


async def test_a_worker_settles_its_collector_once_its_app_has_started() -> None:
    gc.set_threshold(700, 10, 10)
    at_start_up: list[tuple[int, int, int]] = []

    async def opening() -> None:  # the app's own start-up (a consumer opening its producer, say)
        at_start_up.append(gc.get_threshold())

    app = build_app([], Settings.from_env("incidents").kafka_bootstrap)
    app.on_startup(opening)
    worker = asyncio.create_task(run_until_stopped(app))
    for _ in range(300):
        if gc.get_threshold() == SERVING_THRESHOLDS or worker.done():
            break
        await asyncio.sleep(0.1)
    assert gc.get_threshold() == SERVING_THRESHOLDS
    assert gc.get_freeze_count() > 0
    assert at_start_up == [(700, 10, 10)]  # settled after the app's start-up, so what it opened is frozen too
    os.kill(os.getpid(), signal.SIGTERM)
    await asyncio.wait_for(worker, timeout=30)
