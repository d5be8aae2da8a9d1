"""bench.incidents_ingest keeps its phases apart: the Kafka burst's upkeep is done before the HTTP phase.

Issue 11: on this one machine the broker's log and PostgreSQL share a disk, and the kernel wrote the burst's
pages back 30 s later, inside the HTTP open loop, where each commit's WAL flush waited behind them
(``settle_disk``'s docstring has the measurements), as did autovacuum of the burst's tables. Each phase here
is replaced by a recorder, so the test sees the order ``one_repeat`` runs them in, and nothing else; the
settle itself runs on a real database.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from uuid import uuid4

import asyncpg
import pytest

from bench import incidents_ingest as bench


class _Platform:
    made: list[str] = []
    databases: list[str] = []

    def __init__(self, logs: Path) -> None:
        self.logs = logs
        logs.mkdir()

    async def close(self) -> None:
        return None


def _record(order: list[str], name: str, result: Any) -> Any:
    async def step(*_args: Any, **_kwargs: Any) -> Any:
        order.append(name)
        return result

    return step


def _phases(monkeypatch: pytest.MonkeyPatch, logs: Path) -> list[str]:
    order: list[str] = []
    monkeypatch.setattr(bench, "fresh_platform", _record(order, "platform", _Platform(logs)))
    monkeypatch.setattr(bench, "place_pupils", _record(order, "pupils", [uuid4() for _ in range(300)]))
    monkeypatch.setattr(bench, "measure_kafka", _record(order, "kafka", ({}, {})))
    monkeypatch.setattr(bench, "settle_disk", _record(order, "settle_disk", None))
    monkeypatch.setattr(bench, "http_figures", _record(order, "http", {}))
    monkeypatch.setattr(bench, "measure_baseline", _record(order, "baseline", {}))
    monkeypatch.setattr(bench, "drop_databases", _record(order, "drop", None))
    return order


async def test_the_disk_is_settled_after_the_kafka_phase_and_before_the_http_one(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    order = _phases(monkeypatch, tmp_path / "logs")
    await bench.one_repeat("postgresql://unused", "unused:9092", bench.Options(burst=200, paced=10))
    assert order == ["platform", "pupils", "kafka", "settle_disk", "http", "baseline", "drop"]


async def test_without_a_kafka_phase_there_is_nothing_to_settle(monkeypatch: pytest.MonkeyPatch,
                                                                tmp_path: Path) -> None:
    order = _phases(monkeypatch, tmp_path / "logs")
    await bench.one_repeat("postgresql://unused", "unused:9092", bench.Options(only=("http", "baseline")))
    assert order == ["platform", "pupils", "http", "baseline", "drop"]


async def test_a_repeat_removes_its_process_logs_once_it_succeeded_and_keeps_a_failed_ones(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _phases(monkeypatch, tmp_path / "passed")
    await bench.one_repeat("postgresql://unused", "unused:9092", bench.Options(only=("http",)))
    assert not (tmp_path / "passed").exists()

    _phases(monkeypatch, tmp_path / "failed")

    async def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError("the API process ended at start-up")

    monkeypatch.setattr(bench, "http_figures", broken)
    with pytest.raises(RuntimeError):
        await bench.one_repeat("postgresql://unused", "unused:9092", bench.Options(only=("http",)))
    assert (tmp_path / "failed").is_dir()


async def test_settling_leaves_autovacuum_nothing_of_the_burst_to_do(
        new_database: Callable[[str], Awaitable[str]], postgres_admin_dsn: str) -> None:
    """The settle vacuums and analyses the burst's tables (autovacuum did it inside the HTTP phase)."""
    dsn = await new_database("bench_settle")
    writer = await asyncpg.connect(dsn)
    await writer.execute("CREATE TABLE burst (id bigint PRIMARY KEY, body text)")
    await writer.execute("INSERT INTO burst SELECT n, repeat('x', 100) FROM generate_series(1, 5000) AS n")
    await writer.close()  # a session's counters reach the statistics when it ends
    await bench.settle_disk(postgres_admin_dsn, [urlsplit(dsn).path.lstrip("/")])
    reader = await asyncpg.connect(dsn)
    try:
        row = await reader.fetchrow("SELECT n_ins_since_vacuum, n_mod_since_analyze, vacuum_count, analyze_count"
                                    " FROM pg_stat_user_tables WHERE relname = 'burst'")
    finally:
        await reader.close()
    assert row is not None
    assert (row["n_ins_since_vacuum"], row["n_mod_since_analyze"]) == (0, 0)
    assert (row["vacuum_count"], row["analyze_count"]) == (1, 1)


async def test_the_upkeep_beside_the_open_loop_is_counted(
        new_database: Callable[[str], Awaitable[str]], postgres_admin_dsn: str) -> None:
    """Checkpoints and WAL written between two readings are counted; no autovacuum ran on a table that has none."""
    dsn = await new_database("bench_upkeep")
    database = urlsplit(dsn).path.lstrip("/")
    connection = await asyncpg.connect(dsn)
    await connection.execute("CREATE TABLE quiet (id bigint PRIMARY KEY, body text) WITH (autovacuum_enabled = off)")
    before = await bench.upkeep_counters(postgres_admin_dsn, [database])
    await connection.execute("INSERT INTO quiet SELECT n, repeat('x', 1000) FROM generate_series(1, 3000) AS n")
    await connection.execute("CHECKPOINT")
    await connection.close()  # a session's counters reach the statistics when it ends
    during = bench.upkeep_during(before, await bench.upkeep_counters(postgres_admin_dsn, [database]))
    assert set(during) == {"autovacuums_during", "checkpoints_during", "wal_mb_during"}
    assert during["autovacuums_during"] == 0
    assert during["checkpoints_during"] >= 1
    assert during["wal_mb_during"] >= 3.0  # 3,000 rows of 1 kB, and more from other clients of the server


def test_the_upkeep_during_is_the_difference_of_the_readings() -> None:
    before = {"autovacuums": 2.0, "checkpoints": 10.0, "wal_mb": 100.04}
    after = {"autovacuums": 5.0, "checkpoints": 10.0, "wal_mb": 112.56}
    assert bench.upkeep_during(before, after) == {"autovacuums_during": 3.0, "checkpoints_during": 0.0,
                                                  "wal_mb_during": 12.5}


_LISTENER = """
import socket, sys, time
with socket.socket() as server:
    server.bind(("127.0.0.1", 0))
    server.listen()
    print(server.getsockname()[1], flush=True)
    if sys.argv[1] == "serve":
        connection, _ = server.accept()
    time.sleep(60)
"""


@pytest.mark.integration
@pytest.mark.parametrize("mode", ["serve", "listen only"])
def test_a_worker_serves_once_it_holds_an_accepted_connection(mode: str) -> None:
    """The API counts as ready when each worker holds a connection: one that only listens (a supervisor, or a
    worker still starting) is not counted, one that accepted is."""
    listener = subprocess.Popen([sys.executable, "-c", _LISTENER, mode], stdout=subprocess.PIPE, text=True)
    try:
        assert listener.stdout is not None
        port = int(listener.stdout.readline())
        assert bench.serving_workers(listener.pid, port) == set()
        with socket.create_connection(("127.0.0.1", port)):
            expected = {listener.pid} if mode == "serve" else set()
            for _ in range(50):  # the accept happens in the other process, soon
                if bench.serving_workers(listener.pid, port) == expected:
                    break
                time.sleep(0.05)
            assert bench.serving_workers(listener.pid, port) == expected
    finally:
        listener.kill()
        listener.wait()
