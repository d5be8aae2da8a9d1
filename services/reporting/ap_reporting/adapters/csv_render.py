"""CSV forms of the reports: published tables in long form, the weekly report one line per learner.

Every cell goes through ``ap_runtime.spreadsheet`` (text that a spreadsheet would run as a formula is
quoted; counts stay numbers).
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from ap_contracts.events.engagement import TargetProgress
from ap_reporting.domain.published import Table
from ap_reporting.domain.weekly import LearnerWeek, WeeklyReport
from ap_runtime.spreadsheet import SafeCsvWriter

TOTAL = "Total"


def tables_csv(tables: Sequence[Table]) -> str:
    """``table,unit,row,column,value`` for every cell and total; suppressed values read ``c``."""
    out = io.StringIO()
    writer = SafeCsvWriter(out, lineterminator="\n")
    writer.writerow(["table", "unit", "row", "column", "value"])
    for t in tables:
        for i, row in enumerate(t.row_labels):
            for j, column in enumerate(t.column_labels):
                writer.writerow([t.name, t.unit, row, column, t.cells[i][j]])
            writer.writerow([t.name, t.unit, row, TOTAL, t.row_totals[i]])
        for j, column in enumerate(t.column_labels):
            writer.writerow([t.name, t.unit, TOTAL, column, t.column_totals[j]])
        writer.writerow([t.name, t.unit, TOTAL, TOTAL, t.grand_total])
    return out.getvalue()


def _engagement_cells(learner: LearnerWeek) -> list[object]:
    """The week's engagement in one line: scores given, their average, targets open and targets exceeded."""
    week = learner.engagement
    exceeded = sum(1 for t in week.targets if t.latest_progress is TargetProgress.EXCEEDED)
    return [len(week.scores), "" if week.average_score is None else week.average_score, len(week.targets), exceeded]


def weekly_csv(report: WeeklyReport) -> str:
    out = io.StringIO()
    writer = SafeCsvWriter(out, lineterminator="\n")
    severities = sorted({s for learner in report.learners for s in learner.incidents_by_severity} or {1, 2, 3, 4, 5})
    writer.writerow(["week_start", "pupil_ref", "placement_id", "provision_id", "sessions_possible",
                     "sessions_attended", "attendance_percent", *(f"incidents_severity_{s}" for s in severities),
                     "incidents_total", "rewards_total", "engagement_scores", "engagement_average", "targets_open",
                     "targets_exceeded"])
    for learner in report.learners:
        writer.writerow([report.week_start, learner.pupil_ref, learner.placement_id, learner.provision_id,
                         learner.sessions_possible, learner.sessions_attended,
                         "" if learner.attendance_percent is None else learner.attendance_percent,
                         *(learner.incidents_by_severity.get(s, 0) for s in severities), learner.incidents_total,
                         learner.rewards_total, *_engagement_cells(learner)])
    return out.getvalue()
