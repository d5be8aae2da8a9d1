"""A placement's current terms from its start and the later entries that changed them (pure).

Reviews set the next review date, reduced-timetable reviews change the timetable, agreements
change the alert thresholds. An entry withdrawn in error stops counting and an amendment replaces
the values it names, so the terms are recomputed from the start rather than patched.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

FULL_TIME = "full_time"
RETURNED_TO_FULL_TIME = "returned_to_full_time"

# Entries that change a placement's terms, and the fields of theirs that matter.
CHANGE_FIELDS: dict[str, tuple[str, ...]] = {
    "ReviewHeld": ("next_review_date",),
    "ReducedTimetableReviewed": ("outcome", "next_review_date"),
    "AlertThresholdsAgreed": ("incident_severity_threshold", "attendance_threshold_percent"),
}


@dataclass(frozen=True, slots=True)
class Terms:
    timetable: str
    reduced_timetable_review_date: str | None
    next_review_date: str | None
    incident_severity_threshold: int | None
    attendance_threshold_percent: int | None


def current_terms(start: Mapping[str, Any], changes: Sequence[Mapping[str, Any]]) -> Terms:
    """``start``: the placement's initial terms; ``changes``: {event_type, values, withdrawn} in order."""
    timetable = str(start["timetable"])
    review_date = start.get("reduced_timetable_review_date")
    next_review = start.get("planned_review_date")
    severity = start.get("incident_severity_threshold")
    attendance = start.get("attendance_threshold_percent")
    for change in changes:
        if change.get("withdrawn"):
            continue
        values = change["values"]
        match change["event_type"]:
            case "ReviewHeld":
                next_review = values.get("next_review_date")
            case "ReducedTimetableReviewed":
                if values.get("outcome") == RETURNED_TO_FULL_TIME:
                    timetable, review_date = FULL_TIME, None
                else:
                    review_date = values.get("next_review_date")
            case "AlertThresholdsAgreed":
                severity = values.get("incident_severity_threshold")
                attendance = values.get("attendance_threshold_percent")
    return Terms(timetable, review_date, next_review, severity, attendance)
