"""Read model of the self-audit check (issue 14): each requested provider self-audit, its due date, its template's
statement count, and which statements the provider has rated, from ``SelfAuditRequested``,
``SelfAuditDueDateChanged`` (the commissioner moved the due date: the latest date counts) and
``SelfAuditStatementRated`` on ``ap.commissioning.events``. An audit's events share its stream (one per provider,
commissioner and year), so ratings are counted against the stream they were recorded on, never against another
provider's audit whatever a payload names. Organisation ids, dates, statement ids and event ids only.

A request recorded before requests stated their due date and statement count is not kept: whether it is due or
done cannot be told from the events, and an alert that may be false is worse than none (the audit screens still
show it).
"""

from __future__ import annotations

from datetime import date
from typing import ClassVar

import asyncpg

from ap_contracts.topics import COMMISSIONING_EVENTS
from ap_notifications.domain.self_audit_due import SelfAuditProgress
from ap_runtime.projection import Projection, ReceivedEvent

SELF_AUDITS_DDL = """
CREATE TABLE IF NOT EXISTS self_audits_requested (
    stream_id        text PRIMARY KEY,
    provider_id      text NOT NULL,
    commissioner_id  text NOT NULL,
    academic_year    text NOT NULL,
    due_on           date NOT NULL,
    statement_count  integer NOT NULL,
    requested_by     uuid NOT NULL
);
CREATE TABLE IF NOT EXISTS self_audit_statements_rated (
    stream_id    text NOT NULL,
    statement_id text NOT NULL,
    PRIMARY KEY (stream_id, statement_id)
);
"""

_NOT_DONE = """
SELECT a.*, count(r.statement_id) AS rated FROM self_audits_requested a
LEFT JOIN self_audit_statements_rated r USING (stream_id)
GROUP BY a.stream_id HAVING count(r.statement_id) < a.statement_count
ORDER BY a.provider_id, a.commissioner_id, a.academic_year
"""


_STATED = ("due_on", "statement_count")  # on every request since issue 14


class SelfAuditsProjection(Projection):
    name: ClassVar[str] = "notification_self_audits"
    topics = (COMMISSIONING_EVENTS,)
    ddl: ClassVar[str] = SELF_AUDITS_DDL

    async def apply(self, conn: asyncpg.Connection, event: ReceivedEvent) -> None:
        payload, stream_id = event.payload, event.envelope.stream_id
        if event.event_type == "SelfAuditStatementRated":
            await conn.execute("INSERT INTO self_audit_statements_rated VALUES ($1, $2) ON CONFLICT DO NOTHING",
                               stream_id, str(payload["statement_id"]))
        elif event.event_type == "SelfAuditDueDateChanged":
            # Matched by the stream the change was recorded on, never by the provider a payload names.
            await conn.execute("UPDATE self_audits_requested SET due_on = $2 WHERE stream_id = $1",
                               stream_id, date.fromisoformat(str(payload["due_on"])))
        elif event.event_type == "SelfAuditRequested" and all(payload.get(f) is not None for f in _STATED):
            await conn.execute(
                "INSERT INTO self_audits_requested VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
                stream_id, str(payload["provider_id"]), str(payload["commissioner_id"]),
                str(payload["academic_year"]), date.fromisoformat(str(payload["due_on"])),
                int(payload["statement_count"]), event.envelope.event_id)


async def audits_not_done(conn: asyncpg.Connection) -> list[SelfAuditProgress]:
    """Every requested audit with a statement still to rate (the domain says which are past due on a day)."""
    return [SelfAuditProgress(r["provider_id"], r["commissioner_id"], r["academic_year"], r["due_on"],
                              r["statement_count"], r["rated"], r["requested_by"])
            for r in await conn.fetch(_NOT_DONE)]
