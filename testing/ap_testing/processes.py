"""Platform processes started by end-to-end tests as real OS processes, their output kept for reports."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess  # nosec B404 - starts the platform's own modules with a fixed argv
import sys
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from pathlib import Path

import asyncpg
import httpx
from aiokafka.admin import AIOKafkaAdminClient

from ap_runtime.kafka import client_security


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


async def wait_for_platform(check: Callable[[], Awaitable[bool]], what: str, processes: Sequence[PlatformProcess],
                            seconds: float = 90.0) -> None:
    """Poll ``check`` until true; fail at once, with every process's output, if a process has exited."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if any(p.popen.poll() is not None for p in processes):
            raise AssertionError(f"a platform process exited while waiting for {what}\n{processes_report(processes)}")
        try:
            if await check():
                return
        except (httpx.HTTPError, LookupError, asyncpg.UndefinedTableError):
            pass  # not up yet
        await asyncio.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}\n{processes_report(processes)}")


async def relay_listening(dsn: str) -> bool:
    """The relay on this event store has migrated it and listens for appends (``LISTEN``)."""
    conn = await asyncpg.connect(dsn)
    try:
        return bool(await conn.fetchval("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                                        " AND query LIKE 'LISTEN %'"))
    finally:
        await conn.close()


async def topic_exists(bootstrap: str, topic: str) -> bool:
    """Whether ``topic`` exists, asked without a metadata request that would have the broker create it."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, **client_security())
    await admin.start()
    try:
        return topic in set(await admin.list_topics())
    finally:
        await admin.close()


def incidents_process_env(dsns: dict[str, str], topics: dict[str, str], *, master_keys: dict[str, str],
                          token_public_pem: str, bootstrap: str, port: int) -> dict[str, str]:
    """The environment an incidents process needs on a test's own databases (``events``, ``audit``,
    ``keys``) and topics (``events``, ``commands``, ``results``); callers add what else they run."""
    return {
        "AP_DSN_AP_INCIDENTS": dsns["events"], "AP_DSN_AP_AUDIT": dsns["audit"], "AP_DSN_AP_KEYS": dsns["keys"],
        **master_keys, "AP_TOKEN_PUBLIC_KEY": token_public_pem,
        "KAFKA_BOOTSTRAP_SERVERS": bootstrap, "AP_HTTP_PORT": str(port), "AP_LOG_LEVEL": "WARNING",
        "AP_INCIDENTS_EVENTS_TOPIC": topics["events"], "AP_INCIDENTS_COMMANDS_TOPIC": topics["commands"],
        "AP_INCIDENTS_RESULTS_TOPIC": topics["results"],
    }
