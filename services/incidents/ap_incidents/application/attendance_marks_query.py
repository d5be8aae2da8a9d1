"""Reading a day's attendance marks at a provision (issue 16, the register page), for that provision's staff.

Rules served: the provision's staff see the marks they have recorded on a day, so a mark is corrected instead of
recorded twice; who may read is the policy's (ATT-READ-1: the provision's own staff, the provision as the
placement's stored fact). Each placement open at the provision on the day is listed (a placement that ended before
it is not), with its morning and afternoon marks as they stand now (an amended code replaces the first, naming who
amended it and when). Pupils are named by ``pupil_ref`` only; each pupil served is audited.
"""

from __future__ import annotations

import asyncio
from datetime import date, datetime
from typing import Any
from uuid import UUID

from ap_incidents.application.ports import AttendanceMarksReadModel, Row
from ap_runtime.access import AccessGuard, Principal, ResourceContext

READ_ATTENDANCE_MARKS = "incidents.read_attendance_marks"


def _moment(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _mark(row: Row) -> dict[str, Any]:
    return {"record_id": str(row["record_id"]), "code": row["code"], "recorded_by": row["recorded_by"],
            "recorded_at": _moment(row["recorded_at"]), "amended_by": row["amended_by"],
            "amended_at": _moment(row["amended_at"])}


def day_sheet(rows: list[Row]) -> list[dict[str, Any]]:
    """One entry per placement, in the read's order, with its ``am`` and ``pm`` mark (None: not marked)."""
    pupils: dict[UUID, dict[str, Any]] = {}
    for row in rows:
        pupil = pupils.setdefault(row["placement_id"], {
            "pupil_ref": str(row["pupil_ref"]), "placement_id": str(row["placement_id"]), "am": None, "pm": None})
        if row["record_id"] is not None:
            pupil[str(row["session"]).lower()] = _mark(row)
    return list(pupils.values())


async def read_attendance_marks(
    guard: AccessGuard, marks: AttendanceMarksReadModel, principal: Principal, provision_id: str,
    session_date: date, *, correlation_id: UUID | None = None,
) -> dict[str, Any]:
    """The marks of ``session_date`` at ``provision_id``, once the guard allows the caller."""
    await guard.check(principal, READ_ATTENDANCE_MARKS, ResourceContext(provision_id=provision_id),
                      correlation_id=correlation_id)
    pupils = day_sheet(await marks.day(provision_id, session_date))
    await asyncio.gather(*(guard.check(principal, READ_ATTENDANCE_MARKS, ResourceContext(
        pupil_ref=UUID(ref), provision_id=provision_id), correlation_id=correlation_id)
        for ref in dict.fromkeys(p["pupil_ref"] for p in pupils)))
    return {"provision_id": provision_id, "session_date": session_date.isoformat(), "pupils": pupils,
            "count": len(pupils)}
