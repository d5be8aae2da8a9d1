"""The demo's running processes: started as the end-to-end tests start them, stopped together."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ap_testing.processes import PlatformProcess

# Master keys go only to the processes that encrypt or decrypt personal fields (issue 9): relays
# publish ciphertext, finance and reporting never see personal fields.
KEY_HOLDERS = frozenset({"incidents-api", "incidents-commands", "incidents-projections", "notifications-worker",
                         "notifications-api"})
MASTER_KEY_VARIABLES = ("AP_MASTER_KEYS", "AP_ACTIVE_MASTER_KEY")


def process_env(name: str, env: dict[str, str]) -> dict[str, str]:
    """The environment of process ``name``: without the master keys unless it holds them."""
    if name in KEY_HOLDERS:
        return dict(env)
    return {key: value for key, value in env.items() if key not in MASTER_KEY_VARIABLES}


@dataclass
class Fleet:
    processes: list[PlatformProcess] = field(default_factory=list)

    def start(self, name: str, args: list[str], env: dict[str, str], logs: Path) -> PlatformProcess:
        logs.mkdir(parents=True, exist_ok=True)
        process = PlatformProcess(name, args, process_env(name, env), logs)
        self.processes.append(process)
        return process

    def dead(self) -> list[str]:
        return [p.name for p in self.processes if p.popen.poll() is not None]

    def stop(self) -> None:
        for process in reversed(self.processes):
            process.stop()
