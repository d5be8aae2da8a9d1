"""The Kafka command consumer runs on uvloop, as the API (uvicorn) and the projections do (issue 11)."""

from __future__ import annotations

import asyncio

import pytest

from ap_incidents.entrypoints import commands

pytestmark = pytest.mark.unit


def test_the_command_consumer_runs_on_uvloop(monkeypatch: pytest.MonkeyPatch) -> None:
    loops: list[type] = []

    async def process() -> None:  # stands for the consumer's life: which loop does it run on?
        loops.append(type(asyncio.get_running_loop()))

    monkeypatch.setattr(commands, "_main", process)
    commands.main()
    assert [loop.__module__.split(".")[0] for loop in loops] == ["uvloop"]
