"""How far into its topic the reporting facts read model has applied: the last offset per partition.

Rule served (issue 15, provenance): a published report records the event positions it was built from. The
positions are read in the report's own snapshot, so they are those of the facts it counted: the report is
what the events up to these offsets give when only those recorded by the report's moment are counted.
Kept once per batch (the highest offset per partition), not per event, so a rebuild pays one statement a
batch for it.
"""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg

from ap_contracts.events.reports import TopicPosition
from ap_runtime.projection import ReceivedEvent

DDL = """
CREATE TABLE IF NOT EXISTS positions (
    topic       text NOT NULL,
    "partition" integer NOT NULL,
    "offset"    bigint NOT NULL,
    PRIMARY KEY (topic, "partition")
);
"""


async def advance(conn: asyncpg.Connection, events: Sequence[ReceivedEvent]) -> None:
    """Record the highest offset of ``events`` in each of their partitions (never moving one back)."""
    highest: dict[tuple[str, int], int] = {}
    for event in events:
        key = (event.topic, event.partition)
        highest[key] = max(highest.get(key, -1), event.offset)
    await conn.executemany(
        'INSERT INTO positions (topic, "partition", "offset") VALUES ($1, $2, $3) ON CONFLICT (topic, "partition")'
        ' DO UPDATE SET "offset" = greatest(positions."offset", EXCLUDED."offset")',
        [(topic, partition, offset) for (topic, partition), offset in sorted(highest.items())])


async def read_positions(conn: asyncpg.Connection) -> tuple[TopicPosition, ...]:
    rows = await conn.fetch('SELECT topic, "partition", "offset" FROM positions ORDER BY topic, "partition"')
    return tuple(TopicPosition(topic=r["topic"], partition=r["partition"], offset=r["offset"]) for r in rows)
