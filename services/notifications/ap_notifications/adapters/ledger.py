"""The delivery ledger in the notifications database: which notification went out on which channel."""

from __future__ import annotations

from uuid import UUID

import asyncpg

from ap_contracts.events.notifications import Channel, DeliveryFailure

DDL = """
CREATE TABLE IF NOT EXISTS notification_deliveries (
    notification_id uuid PRIMARY KEY,
    channel         text NOT NULL,
    attempts        integer NOT NULL DEFAULT 0,
    delivered_at    timestamptz,
    last_failure    text
);
"""


async def migrate_ledger(pool: asyncpg.Pool) -> None:
    """Create the ledger if missing, safe from several workers and APIs starting at once on a new database
    (issue 11): ``CREATE TABLE IF NOT EXISTS`` alone is not, the second session fails on the catalogue."""
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock(hashtext('ap_notifications.ledger.migrate'))")
        await conn.execute(DDL)


class PostgresDeliveryLedger:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def delivered(self, notification_id: UUID) -> bool:
        value = await self._pool.fetchval(
            "SELECT delivered_at IS NOT NULL FROM notification_deliveries WHERE notification_id = $1",
            notification_id,
        )
        return bool(value)

    async def record_delivered(self, notification_id: UUID, channel: Channel) -> None:
        await self._pool.execute(
            "INSERT INTO notification_deliveries (notification_id, channel, attempts, delivered_at)"
            " VALUES ($1, $2, 1, now()) ON CONFLICT (notification_id) DO UPDATE"
            " SET attempts = notification_deliveries.attempts + 1, delivered_at = now(), channel = $2",
            notification_id, channel.value,
        )

    async def record_failed(self, notification_id: UUID, channel: Channel, failure: DeliveryFailure) -> int:
        value = await self._pool.fetchval(
            "INSERT INTO notification_deliveries (notification_id, channel, attempts, last_failure)"
            " VALUES ($1, $2, 1, $3) ON CONFLICT (notification_id) DO UPDATE"
            " SET attempts = notification_deliveries.attempts + 1, last_failure = $3, channel = $2"
            " RETURNING attempts",
            notification_id, channel.value, failure.value,
        )
        return int(value)
