"""A stand-in for aiokafka's consumer in tests of how a batch subscriber polls (``ap_runtime.kafka_polling``)."""

from __future__ import annotations

import asyncio
import contextlib

__all__ = ["GetmanyConsumer"]


class GetmanyConsumer:
    """``getmany`` as aiokafka's behaves: it returns the records as soon as they are there (``arrived`` set),
    else ``{}`` when its wait is over (``at_once``: at once, as a consumer that cannot wait yet)."""

    RECORDS = {"t-0": ["r1", "r2"], "t-1": ["r3"]}

    def __init__(self, at_once: bool = False) -> None:
        self.arrived = asyncio.Event()
        self.at_once = at_once
        self.polls: list[tuple[float, int]] = []

    async def getmany(self, timeout_ms: float, max_records: int) -> dict[str, list[str]]:
        self.polls.append((timeout_ms, max_records))
        if not self.at_once:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.arrived.wait(), timeout_ms / 1000)
        return self.RECORDS if self.arrived.is_set() else {}
