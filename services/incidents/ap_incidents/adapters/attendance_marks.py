"""``AttendanceMarksReadModel`` on PostgreSQL: a day's marks at a provision from the attendance-marks projection."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import asyncpg

from ap_incidents.application.ports import Row
from ap_incidents.projections.attendance_marks import AttendanceMarksProjection
from ap_runtime.projection import read_model

# A placement is the provision's on the day from its start to its end day inclusive; a withdrawn mark is not
# current, so a session whose mark was withdrawn reads as not marked.
_DAY_SELECT = """
SELECT p.pupil_ref, p.placement_id, m.record_id, m.session, m.code, m.recorded_by, m.recorded_at,
       m.amended_by, m.amended_at
  FROM attendance_placements p
  LEFT JOIN attendance_marks m
         ON m.placement_id = p.placement_id AND m.session_date = $2 AND NOT m.withdrawn
 WHERE p.provision_id = $1 AND p.start_date <= $2 AND (p.end_date IS NULL OR p.end_date >= $2)
 ORDER BY p.start_date, p.placement_id, m.recorded_at
"""


@dataclass(frozen=True, slots=True)
class PostgresAttendanceMarks:
    """``AttendanceMarksReadModel`` over the attendance-marks projection."""

    pool: asyncpg.Pool

    async def day(self, provision_id: str, session_date: date) -> list[Row]:
        async with read_model(self.pool, AttendanceMarksProjection.name) as conn:
            rows = await conn.fetch(_DAY_SELECT, provision_id, session_date)
        return [dict(row.items()) for row in rows]
