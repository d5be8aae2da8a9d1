"""Read model of the alert worker: each placement's parties, threshold history and alert state.

Tables live in the projection's own schema (the runner sets ``search_path``). Nothing personal is
kept: organisation ids, the pseudonymous ``pupil_ref``, dates, thresholds and session codes (and, for a looked-after
child, the id of the local authority looking after them: what the virtual school head's alerts need, opened from the
sealed ``PlacementStarted.looked_after_by`` by ``looked_after.py``).
"""

from __future__ import annotations

from uuid import UUID

import asyncpg

from ap_contracts.envelope import OrgKind
from ap_contracts.events.base import DomainEvent
from ap_contracts.events.organisations import OrganisationRegistered
from ap_contracts.events.placements import (
    AlertThresholdsAgreed,
    PlacementEnded,
    PlacementStarted,
    ReducedTimetableReviewed,
    ReviewHeld,
)
from ap_contracts.events.pupil_record import AttendanceRecorded
from ap_contracts.events.pupil_vocabulary import AttendanceCode, Severity
from ap_notifications.domain.attendance import AttendanceTally, tally_counts
from ap_notifications.domain.placement_terms import PlacementTerms, ReducedTimetable, ThresholdChange, Thresholds

DDL = """
CREATE TABLE IF NOT EXISTS placements (
    placement_id     uuid PRIMARY KEY,
    pupil_ref        uuid NOT NULL,
    provision_id     text NOT NULL,
    home_school_id   text NOT NULL,
    commissioner_id  text NOT NULL,
    partnership_id   text NOT NULL,
    start_date       date NOT NULL,
    review_date      date,
    review_set_by    uuid,
    review_alerted   boolean NOT NULL DEFAULT false,
    attendance_below boolean NOT NULL DEFAULT false,
    ended_on         date
);
-- Issue 14, overdue work: the placement's next review and the event that set it (PlacementStarted, ReviewHeld).
ALTER TABLE placements ADD COLUMN IF NOT EXISTS placement_review_date date;
ALTER TABLE placements ADD COLUMN IF NOT EXISTS placement_review_set_by uuid;
-- Issue 14: the local authority looking after a looked-after child (an organisation id; its virtual school head).
ALTER TABLE placements ADD COLUMN IF NOT EXISTS looked_after_by text;
CREATE INDEX IF NOT EXISTS placements_by_pupil ON placements (pupil_ref, start_date DESC);
CREATE TABLE IF NOT EXISTS placement_thresholds (
    seq                bigserial PRIMARY KEY,
    placement_id       uuid NOT NULL,
    effective_from     date NOT NULL,
    incident_severity  smallint NOT NULL,
    attendance_percent smallint,
    event_id           uuid NOT NULL UNIQUE
);
-- A placement may agree no attendance threshold (issue 13: the SLA in force applies); older tables had NOT NULL.
ALTER TABLE placement_thresholds ALTER COLUMN attendance_percent DROP NOT NULL;
CREATE INDEX IF NOT EXISTS thresholds_by_placement ON placement_thresholds (placement_id);
-- Issue 14: the local authority each organisation belongs to (OrganisationRegistered), for alerts to the home
-- school's LA. Organisation facts only.
CREATE TABLE IF NOT EXISTS organisation_authorities (
    organisation_id    text PRIMARY KEY,
    local_authority_id text
);
CREATE TABLE IF NOT EXISTS attendance_marks (
    placement_id uuid NOT NULL,
    session_date date NOT NULL,
    session      text NOT NULL,
    code         text NOT NULL,
    PRIMARY KEY (placement_id, session_date, session)
);
"""


async def setup(conn: asyncpg.Connection) -> None:
    await conn.execute(DDL)


async def record(conn: asyncpg.Connection, event: DomainEvent, event_id: UUID) -> None:
    """Fold one event into the read model (events of other kinds change nothing here)."""
    if isinstance(event, OrganisationRegistered):
        # A local authority belongs to itself; a later registration replaces the earlier facts.
        authority = event.organisation_id if event.kind is OrgKind.LOCAL_AUTHORITY else event.local_authority_id
        await conn.execute(
            "INSERT INTO organisation_authorities VALUES ($1, $2)"
            " ON CONFLICT (organisation_id) DO UPDATE SET local_authority_id = EXCLUDED.local_authority_id",
            event.organisation_id, authority,
        )
    elif isinstance(event, PlacementStarted):
        await _started(conn, event, event_id)
    elif isinstance(event, AlertThresholdsAgreed):
        await _thresholds(conn, event.placement_id, event.agreed_on, event.incident_severity_threshold,
                          event.attendance_threshold_percent, event_id)
    elif isinstance(event, ReviewHeld):
        await conn.execute(
            "UPDATE placements SET placement_review_date = $2, placement_review_set_by = $3 WHERE placement_id = $1",
            event.placement_id, event.next_review_date, event_id,
        )
    elif isinstance(event, ReducedTimetableReviewed):
        await conn.execute(
            "UPDATE placements SET review_date = $2, review_set_by = $3, review_alerted = false"
            " WHERE placement_id = $1", event.placement_id, event.next_review_date, event_id,
        )
    elif isinstance(event, AttendanceRecorded):
        await conn.execute(
            "INSERT INTO attendance_marks VALUES ($1, $2, $3, $4)"
            " ON CONFLICT (placement_id, session_date, session) DO UPDATE SET code = EXCLUDED.code",
            event.placement_id, event.session_date, event.session.value, event.code.value,
        )
    elif isinstance(event, PlacementEnded):
        await conn.execute("UPDATE placements SET ended_on = $2 WHERE placement_id = $1",
                           event.placement_id, event.end_date)


async def _started(conn: asyncpg.Connection, e: PlacementStarted, event_id: UUID) -> None:
    review_set_by = event_id if e.reduced_timetable_review_date is not None else None
    await conn.execute(
        "INSERT INTO placements (placement_id, pupil_ref, provision_id, home_school_id, commissioner_id,"
        " partnership_id, start_date, review_date, review_set_by, placement_review_date, placement_review_set_by,"
        " looked_after_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
        " ON CONFLICT (placement_id) DO NOTHING",
        e.placement_id, e.pupil_ref, e.provision_id, e.home_school_id, e.commissioner_id, e.partnership_id,
        e.start_date, e.reduced_timetable_review_date, review_set_by, e.planned_review_date, event_id,
        e.looked_after_by[0] if e.looked_after_by else None,
    )
    await _thresholds(conn, e.placement_id, e.start_date, e.incident_severity_threshold,
                      e.attendance_threshold_percent, event_id)


async def _thresholds(conn: asyncpg.Connection, placement_id: UUID, effective_from: object, severity: Severity,
                      attendance_percent: int | None, event_id: UUID) -> None:
    await conn.execute(
        "INSERT INTO placement_thresholds (placement_id, effective_from, incident_severity, attendance_percent,"
        " event_id) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (event_id) DO NOTHING",
        placement_id, effective_from, int(severity), attendance_percent, event_id,
    )


async def load_terms(conn: asyncpg.Connection, placement_id: UUID) -> PlacementTerms | None:
    row = await conn.fetchrow(
        "SELECT p.*, o.local_authority_id FROM placements p"
        " LEFT JOIN organisation_authorities o ON o.organisation_id = p.home_school_id WHERE p.placement_id = $1",
        placement_id,
    )
    if row is None:
        return None
    changes = await conn.fetch(
        "SELECT seq, effective_from, incident_severity, attendance_percent FROM placement_thresholds"
        " WHERE placement_id = $1 ORDER BY seq", placement_id,
    )
    reduced = None
    if row["review_date"] is not None and row["review_set_by"] is not None:
        reduced = ReducedTimetable(row["review_date"], row["review_set_by"], row["review_alerted"])
    return PlacementTerms(
        placement_id=row["placement_id"], pupil_ref=row["pupil_ref"], provision_id=row["provision_id"],
        home_school_id=row["home_school_id"], commissioner_id=row["commissioner_id"],
        partnership_id=row["partnership_id"],
        thresholds=tuple(
            ThresholdChange(c["effective_from"], c["seq"],
                            Thresholds(Severity(c["incident_severity"]), c["attendance_percent"]))
            for c in changes
        ),
        reduced_timetable=reduced, attendance_below=row["attendance_below"], ended=row["ended_on"] is not None,
        local_authority_id=row["local_authority_id"], looked_after_by=row["looked_after_by"],
    )


async def attendance_tally(conn: asyncpg.Connection, placement_id: UUID) -> AttendanceTally:
    rows = await conn.fetch(
        "SELECT code, count(*) AS marks FROM attendance_marks WHERE placement_id = $1 GROUP BY code", placement_id,
    )
    return tally_counts({AttendanceCode(r["code"]): r["marks"] for r in rows})


async def save_alert_state(conn: asyncpg.Connection, placement_id: UUID, attendance_below: bool,
                           reduced_timetable_alerted: bool) -> None:
    await conn.execute(
        "UPDATE placements SET attendance_below = $2, review_alerted = $3 WHERE placement_id = $1",
        placement_id, attendance_below, reduced_timetable_alerted,
    )


async def latest_placement_of(conn: asyncpg.Connection, pupil_ref: UUID) -> PlacementTerms | None:
    """The pupil's most recent placement (for deciding who may act on the pupil's file)."""
    placement_id = await conn.fetchval(
        "SELECT placement_id FROM placements WHERE pupil_ref = $1 ORDER BY start_date DESC LIMIT 1", pupil_ref,
    )
    return None if placement_id is None else await load_terms(conn, placement_id)
