"""Periodic duties survive a failing tick and run once more on stop."""

from __future__ import annotations

import asyncio

from ap_runtime.periodic import Periodic


async def test_a_failing_tick_does_not_stop_the_loop_and_stop_ticks_once_more() -> None:
    calls: list[int] = []
    three = asyncio.Event()

    async def tick() -> None:
        calls.append(len(calls))
        if len(calls) == 3:
            three.set()
        if len(calls) == 1:
            raise ConnectionError("the server is down for the first tick")

    periodic = Periodic("test", tick, interval_seconds=0.01)
    periodic.start()
    await asyncio.wait_for(three.wait(), timeout=5)
    await periodic.stop()
    ticked_while_running = len(calls)
    await asyncio.sleep(0.05)
    assert len(calls) == ticked_while_running  # stopped: nothing more after the final tick
    assert ticked_while_running >= 4  # three in the loop (the first failed), one on stop
