"""A day's marks at a provision as the read gives them (issue 16): one entry per placement open that day, its
morning and afternoon marks as they stand, a placement with no mark yet listed with none (pure, no server)."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

from ap_incidents.application.attendance_marks_query import day_sheet

AT = datetime(2025, 3, 4, 9, 5, tzinfo=UTC)


def _row(pupil: object, placement: object, session: str | None, code: str | None = None,
         amended_by: str | None = None) -> dict[str, object]:
    marked = session is not None
    return {"pupil_ref": pupil, "placement_id": placement, "record_id": uuid4() if marked else None,
            "session": session, "code": code, "recorded_by": "staff-1" if marked else None,
            "recorded_at": AT if marked else None, "amended_by": amended_by,
            "amended_at": AT if amended_by else None}


def test_each_placement_once_with_its_morning_and_afternoon_marks() -> None:
    pupil, placement, other, other_placement = uuid4(), uuid4(), uuid4(), uuid4()
    rows = [_row(pupil, placement, "AM", "/"), _row(pupil, placement, "PM", "O", amended_by="manager-1"),
            _row(other, other_placement, None)]
    sheet = day_sheet(rows)
    assert [entry["pupil_ref"] for entry in sheet] == [str(pupil), str(other)]
    first = sheet[0]
    assert first["am"]["code"] == "/" and first["am"]["amended_by"] is None
    assert first["pm"] == {"record_id": str(rows[1]["record_id"]), "code": "O", "recorded_by": "staff-1",
                           "recorded_at": AT.isoformat(), "amended_by": "manager-1", "amended_at": AT.isoformat()}
    assert sheet[1] == {"pupil_ref": str(other), "placement_id": str(other_placement), "am": None, "pm": None}
