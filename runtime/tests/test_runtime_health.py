"""A worker's heartbeat file and its probe (issue 11, the ``deploy/`` bullet: liveness and readiness
probes for every process kind; workers serve no HTTP port, so Kubernetes runs this probe)."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from ap_runtime.health import Heartbeat, check, heartbeat, heartbeat_age, main

pytestmark = pytest.mark.unit


def test_the_probe_fails_naming_the_file_when_there_is_no_heartbeat(tmp_path: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "beat"
    assert main(["check", str(missing)]) == 1
    assert f"no heartbeat file {missing}" in capsys.readouterr().err


def test_the_probe_fails_on_a_stale_heartbeat_and_passes_on_a_fresh_one(tmp_path: Path) -> None:
    beat = tmp_path / "beat"
    beat.touch()
    os.utime(beat, (1_000.0, 1_000.0))
    assert heartbeat_age(beat, now=1_031.0) == pytest.approx(31.0)
    problem = check(beat, 30.0, now=1_031.0)
    assert problem is not None and "31.0 s old (limit 30 s)" in problem
    assert check(beat, 30.0, now=1_029.0) is None
    assert main(["check", str(beat), "--max-age", "30"]) == 1  # touched in 1970: stale now
    beat.touch()
    assert main(["check", str(beat), "--max-age", "30"]) == 0


async def test_a_heartbeat_beats_while_it_runs_and_removes_its_file_when_stopped(tmp_path: Path) -> None:
    path = tmp_path / "run" / "beat"  # the directory is created: an emptyDir mount may be empty
    beating = Heartbeat(path, interval_seconds=0.05)
    await beating.start()
    assert path.exists()
    os.utime(path, (1_000.0, 1_000.0))
    await asyncio.sleep(0.2)
    assert path.stat().st_mtime > 1_000.0  # touched again by the loop
    await beating.stop()
    assert not path.exists()


async def test_the_context_beats_only_inside_its_block_and_does_nothing_without_a_path(tmp_path: Path) -> None:
    path = tmp_path / "beat"
    async with heartbeat(path, interval_seconds=0.05):
        assert check(path, 5.0) is None
    assert not path.exists()
    async with heartbeat(None):
        pass  # no file configured: no probe, nothing written


def test_a_non_positive_interval_is_refused() -> None:
    with pytest.raises(ValueError, match="heartbeat interval must be positive, got 0"):
        Heartbeat(Path("beat"), interval_seconds=0)
