"""A counting read model used by runtime tests, benchmarks and the demo.

It records every event it applies once per event id and fails on events marked poison, which is
what the fault tests need to prove exactly-once application and dead-lettering.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import asyncpg

from ap_runtime.projection.base import Projection, ReceivedEvent


class PoisonEventError(RuntimeError):
    pass


class CounterProjection(Projection):
    name = "counter"
    topics: tuple[str, ...] = ("ap.test.counter",)

    def __init__(self, topics: tuple[str, ...] | None = None, name: str | None = None,
                 slow_apply_seconds: float = 0.0) -> None:
        env_topics = os.environ.get("AP_TEST_TOPICS")
        if topics or env_topics:
            self.topics = topics or tuple(str(env_topics).split(","))
        if name or os.environ.get("AP_TEST_PROJECTION_NAME"):
            self.name = name or os.environ["AP_TEST_PROJECTION_NAME"]  # type: ignore[misc]
        self.slow = slow_apply_seconds or float(os.environ.get("AP_TEST_SLOW_APPLY", "0"))

    async def setup(self, conn: asyncpg.Connection) -> None:
        await conn.execute(
            """
            CREATE TABLE IF NOT EXISTS counter_events (
                counter text NOT NULL, seq integer NOT NULL, stream_version integer NOT NULL,
                applied_count integer NOT NULL DEFAULT 1, recorded_at timestamptz NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT clock_timestamp(),
                PRIMARY KEY (counter, seq)
            );
            CREATE TABLE IF NOT EXISTS counter_totals (counter text PRIMARY KEY, total bigint NOT NULL);
            """
        )

    async def apply(self, conn: asyncpg.Connection, event: ReceivedEvent) -> None:
        await self.apply_batch(conn, [event])

    async def apply_batch(self, conn: asyncpg.Connection, events: Sequence[ReceivedEvent]) -> None:
        for event in events:
            if event.payload.get("poison"):
                raise PoisonEventError(f"event {event.envelope.event_id} is poison by design")
        if self.slow:
            await conn.execute("SELECT pg_sleep($1)", self.slow * len(events))
        # A second application of the same event would bump applied_count: tests assert it stays 1.
        await conn.executemany(
            "INSERT INTO counter_events (counter, seq, stream_version, recorded_at) VALUES ($1, $2, $3, $4)"
            " ON CONFLICT (counter, seq) DO UPDATE SET applied_count = counter_events.applied_count + 1",
            [(e.payload["counter"], e.payload["seq"], e.envelope.stream_version, e.envelope.recorded_at)
             for e in events],
        )
        totals: dict[str, int] = {}
        for e in events:
            totals[e.payload["counter"]] = totals.get(e.payload["counter"], 0) + 1
        await conn.executemany(
            "INSERT INTO counter_totals VALUES ($1, $2) ON CONFLICT (counter)"
            " DO UPDATE SET total = counter_totals.total + EXCLUDED.total",
            list(totals.items()),
        )
