"""Liveness of processes that serve no HTTP port: a heartbeat file and the probe that reads it.

Rule served (issue 11, "More than one of everything", the ``deploy/`` bullet): every process kind
runs under Kubernetes with readiness and liveness probes. The APIs answer ``/healthz`` and
``/readyz``; the workers (command consumer, projection runners, notifications worker, relays) have
no port, so each one, when ``AP_HEARTBEAT_FILE`` names a file, touches that file every
``interval_seconds`` from its event loop once it has started, and removes it when it stops. The
probe (``python -m ap_runtime.health check FILE --max-age SECONDS``) succeeds only while the file
was touched within ``--max-age``: a process whose event loop is blocked or dead, or that never got
through its start-up, is not live and is restarted.

What it proves, honestly: the process started (its consumers subscribed, its relay loop began) and
its event loop still turns. It does not prove that messages flow: a consumer group's lag is for
monitoring (``ap projections status``), not for a restart loop.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import time
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

from ap_runtime.tasks import cancel_and_wait

DEFAULT_INTERVAL_SECONDS = 5.0
DEFAULT_MAX_AGE_SECONDS = 30.0


class Heartbeat:
    """Touches ``path`` every ``interval_seconds`` between ``start`` and ``stop``."""

    def __init__(self, path: Path, interval_seconds: float = DEFAULT_INTERVAL_SECONDS) -> None:
        if interval_seconds <= 0:
            raise ValueError(f"heartbeat interval must be positive, got {interval_seconds}")
        self.path = path
        self.interval_seconds = interval_seconds
        self._task: asyncio.Task[None] | None = None

    def beat(self) -> None:
        """Set the file's modification time to now (creating it, and its directory, if needed)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.touch()

    async def start(self) -> None:
        """Beat now, then every interval from a task of the running loop (a FastStream start-up hook)."""
        if self._task is None:
            self.beat()
            self._task = asyncio.create_task(self._run(), name=f"heartbeat {self.path}")

    async def stop(self) -> None:
        """Stop beating and remove the file: a stopped process is not live."""
        await cancel_and_wait(self._task)
        self._task = None
        self.path.unlink(missing_ok=True)

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.interval_seconds)
            self.beat()


@contextlib.asynccontextmanager
async def heartbeat(path: Path | None, interval_seconds: float = DEFAULT_INTERVAL_SECONDS) -> AsyncIterator[None]:
    """Beat ``path`` while the block runs (nothing when ``path`` is None: no probe configured)."""
    if path is None:
        yield
        return
    beating = Heartbeat(path, interval_seconds)
    await beating.start()
    try:
        yield
    finally:
        await beating.stop()


def heartbeat_age(path: Path, now: float | None = None) -> float | None:
    """Seconds since ``path`` was last touched, or None when there is no such file."""
    try:
        touched = path.stat().st_mtime
    except FileNotFoundError:
        return None
    return (time.time() if now is None else now) - touched


def check(path: Path, max_age_seconds: float, now: float | None = None) -> str | None:
    """None when the heartbeat is fresh; otherwise what is wrong, naming the file."""
    age = heartbeat_age(path, now)
    if age is None:
        return f"no heartbeat file {path}: the process has not started or has stopped"
    if age > max_age_seconds:
        return f"heartbeat file {path} is {age:.1f} s old (limit {max_age_seconds:g} s): the event loop is stuck"
    return None


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ap_runtime.health",
                                     description="Probe a worker's heartbeat file (Kubernetes exec probe).")
    sub = parser.add_subparsers(dest="command", required=True)
    probe = sub.add_parser("check", help="exit 0 if FILE was touched within --max-age seconds, else 1")
    probe.add_argument("file", type=Path)
    probe.add_argument("--max-age", type=float, default=DEFAULT_MAX_AGE_SECONDS, help="seconds (default 30)")
    args = parser.parse_args(argv)
    problem = check(args.file, args.max_age)
    if problem is not None:
        print(problem, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
