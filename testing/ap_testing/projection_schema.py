"""A projection's read model in a schema of the test's own, fed as the runner applies it: one transaction per event,
the schema first on the search path. For tests that apply events in an order Kafka would not give them."""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg

from ap_runtime.projection.base import Projection, ReceivedEvent


async def fresh_schema(conn: asyncpg.Connection, schema: str, projection: Projection) -> None:
    """``schema`` emptied and set up by ``projection`` (the test's own schema name, never a caller's)."""
    await conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}; SET search_path TO {schema}")
    await projection.setup(conn)


async def apply_each(conn: asyncpg.Connection, schema: str, projection: Projection,
                     events: Sequence[ReceivedEvent]) -> None:
    """Each event applied in a transaction of its own, as the runner applies it."""
    for event in events:
        async with conn.transaction():
            await conn.execute(f"SET LOCAL search_path TO {schema}")
            await projection.apply(conn, event)
