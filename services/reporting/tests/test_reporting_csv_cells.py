"""The reporting CSVs cannot carry a formula: text cells beginning with = + - @ tab or CR are quoted,
counts stay numbers (issue 9, CSV/xlsx exports)."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from uuid import uuid4

from ap_reporting.adapters.csv_render import tables_csv, weekly_csv
from ap_reporting.domain.published import Table
from ap_reporting.domain.weekly import LearnerWeek, WeeklyReport


def read(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_table_labels_that_look_like_formulas_are_quoted_and_counts_are_not() -> None:
    table = Table(name="=HYPERLINK(\"http://evil\")", title="t", unit="@pupils", row_labels=("+row", "Row"),
                  column_labels=("-col",), cells=((3,), ("c",)), row_totals=(3, "c"), column_totals=(5,),
                  grand_total=5)
    rows = read(tables_csv([table]))
    assert rows[1] == ["'=HYPERLINK(\"http://evil\")", "'@pupils", "'+row", "'-col", "3"]
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_weekly_provision_ids_that_look_like_formulas_are_quoted() -> None:
    learner = LearnerWeek(pupil_ref=uuid4(), placement_id=uuid4(), provision_id="=cmd|' /C calc'!A0",
                          sessions_possible=5, sessions_attended=4, attendance_percent=Decimal("80.0"),
                          incidents_by_severity={1: 1}, incidents_total=1, rewards_by_kind={}, rewards_total=0)
    report = WeeklyReport(home_school_id="school-a", week_start=date(2025, 3, 10), week_end=date(2025, 3, 14),
                          learners=(learner,))
    [_, line] = read(weekly_csv(report))
    assert line[3] == "'=cmd|' /C calc'!A0" and line[4:7] == ["5", "4", "80.0"]
