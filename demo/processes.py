"""The demo's running processes: started as the end-to-end tests start them, stopped together."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ap_runtime.testing.processes import PlatformProcess


@dataclass
class Fleet:
    processes: list[PlatformProcess] = field(default_factory=list)

    def start(self, name: str, args: list[str], env: dict[str, str], logs: Path) -> PlatformProcess:
        logs.mkdir(parents=True, exist_ok=True)
        process = PlatformProcess(name, args, env, logs)
        self.processes.append(process)
        return process

    def dead(self) -> list[str]:
        return [p.name for p in self.processes if p.popen.poll() is not None]

    def stop(self) -> None:
        for process in reversed(self.processes):
            process.stop()
