"""Platform processes started by end-to-end tests as real OS processes, their output kept for reports."""

from __future__ import annotations

import os
import socket
import subprocess  # nosec B404 - starts the platform's own modules with a fixed argv
import sys
from collections.abc import Iterable
from pathlib import Path


class PlatformProcess:
    """One platform process (``python -m ...``), its output in ``logs/<name>.log``."""

    def __init__(self, name: str, args: list[str], env: dict[str, str], logs: Path) -> None:
        self.name = name
        self.log = logs / f"{name}.log"
        self._out = self.log.open("wb")
        self.popen = subprocess.Popen(  # noqa: S603  # nosec B603 - argv is our own module names
            [sys.executable, *args], env={**os.environ, **env}, stdout=self._out, stderr=subprocess.STDOUT)

    def tail(self, lines: int = 30) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(15)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(5)
        self._out.close()


def processes_report(processes: Iterable[PlatformProcess]) -> str:
    """The last lines of each process's output, for an assertion message."""
    return "\n\n".join(f"--- {p.name} (exit {p.popen.poll()}) ---\n{p.tail()}" for p in processes)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
