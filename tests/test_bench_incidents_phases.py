"""bench.incidents_ingest keeps its phases apart: the Kafka burst's disk writeback is done before the HTTP phase.

Issue 11: on this one machine the broker's log and PostgreSQL share a disk, and the kernel wrote the burst's
pages back 30 s later, inside the HTTP open loop, where each commit's WAL flush waited behind them
(``settle_disk``'s docstring has the measurements). Each phase here is replaced by a recorder, so the
test sees the order ``one_repeat`` runs them in, and nothing else.
"""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import pytest

from bench import incidents_ingest as bench


class _Platform:
    made: list[str] = []

    async def close(self) -> None:
        return None


def _record(order: list[str], name: str, result: Any) -> Any:
    async def step(*_args: Any, **_kwargs: Any) -> Any:
        order.append(name)
        return result

    return step


def _phases(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    order: list[str] = []
    monkeypatch.setattr(bench, "fresh_platform", _record(order, "platform", _Platform()))
    monkeypatch.setattr(bench, "place_pupils", _record(order, "pupils", [uuid4() for _ in range(300)]))
    monkeypatch.setattr(bench, "measure_kafka", _record(order, "kafka", ({}, {})))
    monkeypatch.setattr(bench, "settle_disk", _record(order, "settle_disk", None))
    monkeypatch.setattr(bench, "http_figures", _record(order, "http", {}))
    monkeypatch.setattr(bench, "measure_baseline", _record(order, "baseline", {}))
    monkeypatch.setattr(bench, "drop_databases", _record(order, "drop", None))
    return order


async def test_the_disk_is_settled_after_the_kafka_phase_and_before_the_http_one(
        monkeypatch: pytest.MonkeyPatch) -> None:
    order = _phases(monkeypatch)
    await bench.one_repeat("postgresql://unused", "unused:9092", bench.Options(burst=200, paced=10))
    assert order == ["platform", "pupils", "kafka", "settle_disk", "http", "baseline", "drop"]


async def test_without_a_kafka_phase_there_is_nothing_to_settle(monkeypatch: pytest.MonkeyPatch) -> None:
    order = _phases(monkeypatch)
    await bench.one_repeat("postgresql://unused", "unused:9092", bench.Options(only=("http", "baseline")))
    assert order == ["platform", "pupils", "http", "baseline", "drop"]
