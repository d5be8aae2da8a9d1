"""Start the platform's processes for the demo and stop them again, logs kept under .demo/logs."""

from __future__ import annotations

import os
import subprocess  # nosec B404 - starts the platform's own modules with a fixed argv
import sys
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Process:
    name: str
    args: list[str]
    env: dict[str, str]
    logs: Path
    popen: subprocess.Popen[bytes] | None = field(default=None, init=False)

    def start(self) -> Process:
        self.logs.mkdir(parents=True, exist_ok=True)
        out = (self.logs / f"{self.name}.log").open("ab")
        self.popen = subprocess.Popen(  # noqa: S603  # nosec B603 - argv is our own module names
            [sys.executable, *self.args], env={**os.environ, **self.env},
                                      stdout=out, stderr=subprocess.STDOUT)
        return self

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def stop(self) -> None:
        if self.popen is None or self.popen.poll() is not None:
            return
        self.popen.terminate()
        try:
            self.popen.wait(15)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait(5)


@dataclass
class Fleet:
    processes: list[Process] = field(default_factory=list)

    def start(self, name: str, args: list[str], env: dict[str, str], logs: Path) -> Process:
        process = Process(name, args, env, logs).start()
        self.processes.append(process)
        return process

    def dead(self) -> list[str]:
        return [p.name for p in self.processes if not p.alive()]

    def stop(self) -> None:
        for process in reversed(self.processes):
            process.stop()
