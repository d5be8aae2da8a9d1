"""Read model of the alert worker: open Fair Access cases and their panels' local authorities (issue 14), from
``ap.commissioning.events``, for the overdue-work check (``domain/overdue.py``). In the alert projection's own
schema and transaction. Nothing personal: organisation ids, the pseudonymous ``pupil_ref``, dates, event ids."""

from __future__ import annotations

from uuid import UUID

import asyncpg

from ap_contracts.events.base import DomainEvent
from ap_contracts.events.commissioning_panels import FairAccessCaseClosed, FairAccessCaseOpened, PanelConstituted

DDL = """
CREATE TABLE IF NOT EXISTS panels (
    panel_id           text PRIMARY KEY,
    local_authority_id text NOT NULL
);
CREATE TABLE IF NOT EXISTS fair_access_cases (
    case_id             uuid PRIMARY KEY,
    panel_id            text NOT NULL,
    pupil_ref           uuid NOT NULL,
    without_place_since date NOT NULL,
    opened_by_event     uuid NOT NULL,
    closed_on           date
);
"""

FAIR_ACCESS_EVENTS = (PanelConstituted, FairAccessCaseOpened, FairAccessCaseClosed)


async def setup(conn: asyncpg.Connection) -> None:
    await conn.execute(DDL)


async def record(conn: asyncpg.Connection, event: DomainEvent, event_id: UUID) -> None:
    if isinstance(event, PanelConstituted):
        await conn.execute("INSERT INTO panels VALUES ($1, $2) ON CONFLICT (panel_id) DO UPDATE"
                           " SET local_authority_id = EXCLUDED.local_authority_id",
                           event.panel_id, event.local_authority_id)
    elif isinstance(event, FairAccessCaseOpened):
        await conn.execute("INSERT INTO fair_access_cases VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
                           event.case_id, event.panel_id, event.pupil_ref, event.without_place_since, event_id)
    elif isinstance(event, FairAccessCaseClosed):
        await conn.execute("UPDATE fair_access_cases SET closed_on = $2 WHERE case_id = $1",
                           event.case_id, event.closed_on)


async def open_cases(conn: asyncpg.Connection) -> list[asyncpg.Record]:
    """Every case still open, with its panel's local authority (None while the panel is unknown); none of a pupil
    the alert worker saw erased (``erased_pupils``): no alert about the pupil after the erasure."""
    return list(await conn.fetch(
        "SELECT c.case_id, c.panel_id, c.pupil_ref, c.without_place_since, c.opened_by_event, p.local_authority_id"
        " FROM fair_access_cases c LEFT JOIN panels p ON p.panel_id = c.panel_id WHERE c.closed_on IS NULL"
        " AND c.pupil_ref NOT IN (SELECT pupil_ref FROM erased_pupils)"
        " ORDER BY c.case_id"))

