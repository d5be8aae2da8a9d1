"""The weekly report to the home school (BRIEF.md section 4): per learner, attendance, incidents by
severity and rewards for one week.

It stays with the home school, which is responsible for these pupils, so counts are exact and
each learner appears by pseudonymous ``pupil_ref`` (the school matches it to its own roll).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from ap_contracts.events.pupil_vocabulary import RewardKind, Severity
from ap_reporting.domain.facts import AttendanceFact, IncidentFact, PlacementFact, RewardFact
from ap_reporting.domain.vocabulary import Period


class LearnerWeek(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    pupil_ref: UUID
    placement_id: UUID
    provision_id: str
    sessions_possible: int
    sessions_attended: int
    attendance_percent: Decimal | None
    incidents_by_severity: dict[int, int]
    incidents_total: int
    rewards_by_kind: dict[str, int]
    rewards_total: int


class WeeklyReport(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    report: str = "weekly_home_school"
    home_school_id: str
    week_start: date
    week_end: date
    learners: tuple[LearnerWeek, ...]


def percent(part: int, whole: int) -> Decimal | None:
    """``part / whole`` as a percentage to one decimal place (half up), None when nothing was possible."""
    if whole == 0:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _in(period: Period, day: date) -> bool:
    return period.first_day <= day <= period.last_day


def _learner(placement: PlacementFact, week: Period, attendance: Iterable[AttendanceFact],
             incidents: Iterable[IncidentFact], rewards: Iterable[RewardFact]) -> LearnerWeek:
    marks = [a for a in attendance if a.placement_id == placement.placement_id and _in(week, a.session_date)]
    found = [i for i in incidents if i.placement_id == placement.placement_id and _in(week, i.happened_on)]
    earned = [r for r in rewards if r.placement_id == placement.placement_id and _in(week, r.granted_on)]
    possible = sum(a.possible for a in marks)
    attended = sum(a.attended for a in marks)
    by_kind = {k.value: sum(r.quantity for r in earned if r.kind is k) for k in RewardKind}
    return LearnerWeek(
        pupil_ref=placement.pupil_ref, placement_id=placement.placement_id, provision_id=placement.provision_id,
        sessions_possible=possible, sessions_attended=attended, attendance_percent=percent(attended, possible),
        incidents_by_severity={int(s): sum(1 for i in found if i.severity is s) for s in Severity},
        incidents_total=len(found), rewards_by_kind=by_kind, rewards_total=sum(by_kind.values()),
    )


def assemble_weekly(home_school_id: str, week: Period, placements: Sequence[PlacementFact],
                    attendance: Sequence[AttendanceFact], incidents: Sequence[IncidentFact],
                    rewards: Sequence[RewardFact]) -> WeeklyReport:
    """One line per placement of the home school's pupils that was open during the week."""
    mine = sorted((p for p in placements if p.home_school_id == home_school_id and p.active_during(week)),
                  key=lambda p: (str(p.pupil_ref), p.start_date))
    return WeeklyReport(
        home_school_id=home_school_id, week_start=week.first_day, week_end=week.last_day,
        learners=tuple(_learner(p, week, attendance, incidents, rewards) for p in mine),
    )
