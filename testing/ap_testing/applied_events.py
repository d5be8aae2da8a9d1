"""A read model of every event applied, of any type: what multi-instance fault tests check against the store.

Each event id is one row; a second application bumps ``applied_count`` (tests assert it stays 1).
``applied_order`` comes from a sequence at insert time: within a stream, a later version inserted by
another runner after a rebalance waits for the earlier one's row (the runner's ``processed_events``),
so ordering rows by it shows the order a stream's events were applied in.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import asyncpg

from ap_runtime.projection.base import Projection, ReceivedEvent


class AppliedEventsProjection(Projection):
    name = "applied_events"
    topics: tuple[str, ...] = ("ap.test.applied",)
    ddl = """
    CREATE TABLE IF NOT EXISTS applied_events (
        event_id uuid PRIMARY KEY, stream_id text NOT NULL, stream_version integer NOT NULL,
        applied_count integer NOT NULL DEFAULT 1, applied_order bigserial NOT NULL
    );
    """

    def __init__(self, topics: Sequence[str] | None = None) -> None:
        env_topics = os.environ.get("AP_TEST_TOPICS")
        super().__init__(topics or (tuple(env_topics.split(",")) if env_topics else None))

    async def apply(self, conn: asyncpg.Connection, event: ReceivedEvent) -> None:
        await self.apply_batch(conn, [event])

    async def apply_batch(self, conn: asyncpg.Connection, events: Sequence[ReceivedEvent]) -> None:
        await conn.executemany(
            "INSERT INTO applied_events (event_id, stream_id, stream_version) VALUES ($1, $2, $3)"
            " ON CONFLICT (event_id) DO UPDATE SET applied_count = applied_events.applied_count + 1",
            [(e.envelope.event_id, e.envelope.stream_id, e.envelope.stream_version) for e in events],
        )
