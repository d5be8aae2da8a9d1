"""Where the self-audit and panel reads find their streams: the first event of each names its parties
(``SelfAuditRequested``: provider and commissioner; ``PanelConstituted``: its local authority), read from the
events table itself (issue 13). Each stream found is still authorised on its stored facts by the query."""

from __future__ import annotations

import asyncpg

RECORD_INDEXES = {
    "self_audit_requests": "SelfAuditRequested",
    "panels_constituted": "PanelConstituted",
}
"""Partial indexes on the first event of each self-audit and panel: the reads below scan these few rows,
never the whole events table."""


async def create_record_indexes(conn: asyncpg.Connection) -> None:
    """Run inside ``migrate_commissioning``'s locked transaction."""
    for name, event_type in RECORD_INDEXES.items():
        await conn.execute(f"CREATE INDEX IF NOT EXISTS {name} ON events (stream_id)"
                           f" WHERE event_type = '{event_type}' AND stream_version = 1")


async def self_audits_of(pool: asyncpg.Pool, organisation_id: str) -> list[tuple[str, str, str]]:
    """(provider, commissioner, academic year) of every self-audit the organisation is a party to."""
    rows = await pool.fetch(
        "SELECT payload->>'provider_id' AS provider_id, payload->>'commissioner_id' AS commissioner_id,"
        " payload->>'academic_year' AS academic_year FROM events"
        " WHERE event_type = 'SelfAuditRequested' AND stream_version = 1"
        " AND $1 IN (payload->>'provider_id', payload->>'commissioner_id') ORDER BY 1, 2, 3",
        organisation_id)
    return [(str(r["provider_id"]), str(r["commissioner_id"]), str(r["academic_year"])) for r in rows]


async def panels_of_authority(pool: asyncpg.Pool, local_authority_id: str) -> list[str]:
    """The ids of the panels the local authority constituted, in id order."""
    rows = await pool.fetch(
        "SELECT payload->>'panel_id' AS panel_id FROM events WHERE event_type = 'PanelConstituted'"
        " AND stream_version = 1 AND payload->>'local_authority_id' = $1 ORDER BY 1", local_authority_id)
    return [str(r["panel_id"]) for r in rows]
