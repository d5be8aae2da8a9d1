"""A worker touches its heartbeat file once its FastStream application has started, and removes it
when it stops (issue 11, the ``deploy/`` bullet: the workers' Kubernetes liveness and readiness
probes read this file; see ``ap_runtime.health``)."""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path

import pytest

from ap_runtime.health import check
from ap_runtime.projection.runner import build_app
from ap_runtime.settings import Settings
from ap_runtime.worker import run_until_stopped
from ap_testing.collector import collector_restored  # noqa: F401 - a fixture, found by its name

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("collector_restored")]  # a worker settles it


async def test_a_running_worker_keeps_its_heartbeat_fresh_and_removes_it_when_stopped(tmp_path: Path) -> None:
    beat = tmp_path / "heartbeat"
    app = build_app([], Settings.from_env("incidents").kafka_bootstrap)
    worker = asyncio.create_task(run_until_stopped(app, heartbeat_file=beat, heartbeat_interval_seconds=0.1))
    for _ in range(300):  # the broker connects, then the start-up hooks run
        if beat.exists() or worker.done():
            break
        await asyncio.sleep(0.1)
    assert check(beat, 5.0) is None
    os.utime(beat, (1_000.0, 1_000.0))
    await asyncio.sleep(0.5)
    assert check(beat, 5.0) is None  # touched again while the app runs
    os.kill(os.getpid(), signal.SIGTERM)
    await asyncio.wait_for(worker, timeout=30)
    assert not beat.exists()  # a stopped worker is not live
