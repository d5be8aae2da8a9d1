"""The early-warning rule book (issue 14, seed 003 section 2.2): every threshold and window as data with a version.

A flag is raised when a pupil's trend crosses one of these rules; the flag states the rule book's version, so a
reader can check it against the numbers that were in force. Windows are counted in school days on the home school's
recorded calendar (``early_warning_days``). Change ``version`` whenever a value changes.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from ap_contracts.events.pupil_vocabulary import Severity


class EarlyWarningRuleBook(BaseModel):
    """Thresholds of the four early-warning rules: attendance, incidents, suspensions and engagement trends."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str = Field(default="early-warning-2026.1", min_length=1, max_length=60, pattern=r"^[a-z][a-z0-9_.-]*$")

    # attendance_falling: the rate over the last 20 school days (4 weeks) is below 90% and at least 10 percentage
    # points below the rate over the 20 school days before; each window needs a school week of possible sessions.
    attendance_window_school_days: int = Field(default=20, ge=1, le=200)
    attendance_below_percent: int = Field(default=90, ge=1, le=100)
    attendance_drop_points: int = Field(default=10, ge=1, le=100)
    attendance_min_possible_sessions: int = Field(default=10, ge=1)

    # severe_incidents: at least 3 incidents of severity 3 or more in the last 10 school days.
    incident_window_school_days: int = Field(default=10, ge=1, le=200)
    incident_min_severity: Severity = Severity(3)
    incident_count: int = Field(default=3, ge=1)

    # repeated_suspensions: at least 2 suspensions starting in the last 30 school days.
    suspension_window_school_days: int = Field(default=30, ge=1, le=200)
    suspension_count: int = Field(default=2, ge=1)

    # engagement_falling: the average engagement score (as a share of its scale) over the last 10 school days is at
    # least 15 percentage points below the 10 school days before; each window needs 3 scores.
    engagement_window_school_days: int = Field(default=10, ge=1, le=200)
    engagement_drop_points: int = Field(default=15, ge=1, le=100)
    engagement_min_scores: int = Field(default=3, ge=1)


DEFAULT_EARLY_WARNING_BOOK = EarlyWarningRuleBook()
