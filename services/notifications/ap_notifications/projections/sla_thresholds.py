"""Read model of the alert worker: the attendance threshold of each service level agreement version in force
(issue 13), from ``SlaVersionAgreed`` on ``ap.commissioning.events``.

Kept in the alert projection's own schema and transaction, so the attendance rule reads it beside the
placement's terms. Nothing personal: organisation ids, dates and a percentage.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

import asyncpg

from ap_contracts.events.commissioning_sla import SlaVersionAgreed

DDL = """
CREATE TABLE IF NOT EXISTS sla_attendance_thresholds (
    provision_id       text NOT NULL,
    commissioner_id    text NOT NULL,
    version            integer NOT NULL,
    in_force_from      date NOT NULL,
    ends_on            date NOT NULL,
    attendance_percent smallint NOT NULL,
    event_id           uuid NOT NULL UNIQUE,
    PRIMARY KEY (provision_id, commissioner_id, version)
);
"""


async def setup(conn: asyncpg.Connection) -> None:
    await conn.execute(DDL)


async def record(conn: asyncpg.Connection, event: SlaVersionAgreed, event_id: UUID) -> None:
    await conn.execute(
        "INSERT INTO sla_attendance_thresholds VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
        event.provision_id, event.commissioner_id, event.version, event.in_force_from, event.ends_on,
        event.attendance_threshold_percent, event_id,
    )


async def attendance_threshold_on(conn: asyncpg.Connection, provision_id: str, commissioner_id: str,
                                  day: date) -> int | None:
    """The attendance threshold of the SLA version in force on ``day`` between the provision and the
    commissioner: the highest-numbered agreed version whose period covers the day (a later version supersedes)."""
    value = await conn.fetchval(
        "SELECT attendance_percent FROM sla_attendance_thresholds WHERE provision_id = $1 AND commissioner_id = $2"
        " AND in_force_from <= $3 AND $3 <= ends_on ORDER BY version DESC LIMIT 1",
        provision_id, commissioner_id, day,
    )
    return None if value is None else int(value)
