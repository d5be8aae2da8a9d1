"""Applying events straight to a projection's read model, as its runner would, for tests that check what a
service does with a read model without running Kafka (several notifications and commissioning tests did this
with their own copy of the same loop)."""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg

from ap_runtime.projection.base import Projection, ReceivedEvent
from ap_runtime.projection.store import ensure_registered


async def apply_events(pool: asyncpg.Pool, projection: Projection, events: Sequence[ReceivedEvent]) -> None:
    """Each event applied in its own transaction on the projection's registered schema."""
    schema = await ensure_registered(pool, projection)
    for event in events:
        async with pool.acquire() as conn, conn.transaction():
            await conn.execute(f"SET LOCAL search_path TO {schema}, public")
            await projection.apply(conn, event)
