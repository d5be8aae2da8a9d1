"""The weekly report to the home school (BRIEF.md section 4): per learner, attendance, incidents by
severity, rewards, and (seed 002 section 5.1, issue 14) the week's engagement scores, targets and progress
(``domain/engagement.py``) for one week.

It stays with the home school, which is responsible for these pupils, so counts are exact and
each learner appears by pseudonymous ``pupil_ref`` (the school matches it to its own roll).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from uuid import UUID

from ap_contracts.events.pupil_vocabulary import RewardKind, Severity
from ap_reporting.domain.engagement import EngagementFacts, EngagementWeek, engagement_week
from ap_reporting.domain.facts import AttendanceFact, IncidentFact, PlacementFact, RewardFact
from ap_reporting.domain.published import ReportModel
from ap_reporting.domain.vocabulary import Period


class LearnerWeek(ReportModel):
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
    engagement: EngagementWeek = EngagementWeek()


class WeeklyReport(ReportModel):
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


def _learner(placement: PlacementFact, week: Period, attendance: Iterable[AttendanceFact],
             incidents: Iterable[IncidentFact], rewards: Iterable[RewardFact],
             engagement: EngagementFacts) -> LearnerWeek:
    marks = [a for a in attendance if a.placement_id == placement.placement_id and a.session_date in week]
    found = [i for i in incidents if i.placement_id == placement.placement_id and i.happened_on in week]
    earned = [r for r in rewards if r.placement_id == placement.placement_id and r.granted_on in week]
    possible = sum(a.possible for a in marks)
    attended = sum(a.attended for a in marks)
    by_kind = {k.value: sum(r.quantity for r in earned if r.kind is k) for k in RewardKind}
    return LearnerWeek(
        pupil_ref=placement.pupil_ref, placement_id=placement.placement_id, provision_id=placement.provision_id,
        sessions_possible=possible, sessions_attended=attended, attendance_percent=percent(attended, possible),
        incidents_by_severity={int(s): sum(1 for i in found if i.severity is s) for s in Severity},
        incidents_total=len(found), rewards_by_kind=by_kind, rewards_total=sum(by_kind.values()),
        engagement=engagement_week(placement.placement_id, week, engagement),
    )


def assemble_weekly(home_school_id: str, week: Period, placements: Sequence[PlacementFact],
                    attendance: Sequence[AttendanceFact], incidents: Sequence[IncidentFact],
                    rewards: Sequence[RewardFact], engagement: EngagementFacts = EngagementFacts()) -> WeeklyReport:
    """One line per placement of the home school's pupils that was open during the week."""
    mine = sorted((p for p in placements if p.home_school_id == home_school_id and p.active_during(week)),
                  key=lambda p: (str(p.pupil_ref), p.start_date))
    return WeeklyReport(
        home_school_id=home_school_id, week_start=week.first_day, week_end=week.last_day,
        learners=tuple(_learner(p, week, attendance, incidents, rewards, engagement) for p in mine),
    )
