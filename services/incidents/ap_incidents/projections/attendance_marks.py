"""Attendance marks: each session's mark at each provision, as it stands now (issue 16, the register page).

Rules served: the provision's register shows the marks already recorded on a day, so its staff correct a mark
instead of recording it twice (``attendance.one_mark_per_session`` is the domain's). A mark is the
``AttendanceRecorded`` entry; an amendment of its code replaces the code shown and names who amended it and
when; a mark withdrawn in error is no longer shown (the session may be marked again). The placements are kept
here too (provision, pupil, start and end), so a day's read joins nothing of another read model: which pupils
the provision had on the day is this model's own fact. No personal field is held (the mark, the pseudonymous
reference and the staff member's user id), so nothing is sealed and erasure leaves the rows.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

import asyncpg

from ap_contracts.topics import INCIDENTS_EVENTS
from ap_runtime.projection import Projection, ReceivedEvent

DDL = """
CREATE TABLE IF NOT EXISTS attendance_placements (
    placement_id uuid PRIMARY KEY,
    pupil_ref    uuid NOT NULL,
    provision_id text NOT NULL,
    start_date   date NOT NULL,
    end_date     date
);
CREATE INDEX IF NOT EXISTS attendance_placements_provision_idx ON attendance_placements (provision_id);
CREATE TABLE IF NOT EXISTS attendance_marks (
    record_id    uuid PRIMARY KEY,
    placement_id uuid NOT NULL,
    pupil_ref    uuid NOT NULL,
    session_date date NOT NULL,
    session      text NOT NULL,
    code         text NOT NULL,
    recorded_by  text NOT NULL,
    recorded_at  timestamptz NOT NULL,
    amended_by   text,
    amended_at   timestamptz,
    withdrawn    boolean NOT NULL DEFAULT false
);
CREATE INDEX IF NOT EXISTS attendance_marks_day_idx ON attendance_marks (placement_id, session_date);
"""

_MARK = "AttendanceRecorded"


def _uuid(value: Any) -> UUID:
    return UUID(str(value))


def _day(value: Any) -> date:
    return date.fromisoformat(str(value))


class AttendanceMarksProjection(Projection):
    name = "incidents_attendance_marks"
    topics: tuple[str, ...] = (INCIDENTS_EVENTS,)
    ddl = DDL

    async def apply(self, conn: asyncpg.Connection, event: ReceivedEvent) -> None:
        p, envelope = event.payload, event.envelope
        match event.event_type:
            case "PlacementStarted":
                await conn.execute(
                    "INSERT INTO attendance_placements (placement_id, pupil_ref, provision_id, start_date)"
                    " VALUES ($1, $2, $3, $4) ON CONFLICT (placement_id) DO NOTHING",
                    _uuid(p["placement_id"]), _uuid(p["pupil_ref"]), p["provision_id"], _day(p["start_date"]))
            case "PlacementEnded":
                await conn.execute("UPDATE attendance_placements SET end_date = $2 WHERE placement_id = $1",
                                   _uuid(p["placement_id"]), _day(p["end_date"]))
            case "AttendanceRecorded":
                await conn.execute(
                    "INSERT INTO attendance_marks (record_id, placement_id, pupil_ref, session_date, session, code,"
                    " recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
                    " ON CONFLICT (record_id) DO NOTHING",
                    _uuid(p["record_id"]), _uuid(p["placement_id"]), _uuid(p["pupil_ref"]),
                    _day(p["session_date"]), p["session"], p["code"], envelope.actor.user_id, envelope.recorded_at)
            case "RecordAmended" if p.get("target_event_type") == _MARK and "code" in (p.get("corrected_values") or {}):
                await conn.execute(
                    "UPDATE attendance_marks SET code = $2, amended_by = $3, amended_at = $4 WHERE record_id = $1",
                    _uuid(p["target_record_id"]), str(p["corrected_values"]["code"]), envelope.actor.user_id,
                    envelope.recorded_at)
            case "RecordWithdrawnInError" if p.get("target_event_type") == _MARK:
                await conn.execute("UPDATE attendance_marks SET withdrawn = true WHERE record_id = $1",
                                   _uuid(p["target_record_id"]))
