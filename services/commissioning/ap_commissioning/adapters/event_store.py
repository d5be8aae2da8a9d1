"""The commissioning event store on PostgreSQL (database ``ap_commissioning``): pool, migrations, and the index
of agreements by party the reads use (the first event of each agreement names its parties)."""

from __future__ import annotations

import asyncpg

from ap_commissioning.adapters.record_index import create_record_indexes
from ap_runtime.commands import migrate_commands
from ap_runtime.eventstore import migrate
from ap_runtime.settings import database_dsn

COMMISSIONING_DATABASE = "ap_commissioning"


def commissioning_dsn() -> str:
    """``$AP_DSN_AP_COMMISSIONING``, else the ``ap_commissioning`` database on the ``$DATABASE_URL`` server."""
    return database_dsn(COMMISSIONING_DATABASE)


async def migrate_commissioning(pool: asyncpg.Pool) -> None:
    """Event store and processed commands; the party index below reads the events table itself."""
    await migrate(pool)
    await migrate_commands(pool)
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock(hashtext('ap_commissioning.migrate'))")
        await conn.execute(
            "CREATE INDEX IF NOT EXISTS sla_parties ON events ((payload->>'provision_id'),"
            " (payload->>'commissioner_id')) WHERE event_type = 'SlaVersionDrafted' AND stream_version = 1")
        await create_record_indexes(conn)


async def sla_parties(pool: asyncpg.Pool, organisation_id: str,
                      provision_id: str | None = None) -> list[tuple[str, str]]:
    """(provision, commissioner) of every agreement the organisation is a party to (optionally of one provision)."""
    rows = await pool.fetch(
        "SELECT payload->>'provision_id' AS provision_id, payload->>'commissioner_id' AS commissioner_id"
        " FROM events WHERE event_type = 'SlaVersionDrafted' AND stream_version = 1"
        " AND ($1 IN (payload->>'provision_id', payload->>'commissioner_id'))"
        " AND ($2::text IS NULL OR payload->>'provision_id' = $2) ORDER BY 1, 2",
        organisation_id, provision_id)
    return [(str(r["provision_id"]), str(r["commissioner_id"])) for r in rows]
