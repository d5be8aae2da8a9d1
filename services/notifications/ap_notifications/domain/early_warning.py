"""Early warning (issue 14, seed 003 section 2.2): a per-pupil flag from trends, explainable from its events.

No model: four rules of the rule book (``early_warning_book``), each a comparison of counts over windows of school
days (``early_warning_days``), each stating in the flag the rule, its inputs and the ids of the events they were
counted from, so a person can check it ("attendance 78% over the last 20 school days, down from 93%"):

  attendance_falling    the attendance rate of the last window is below the rule book's level and has fallen by at
                        least its drop from the window before (national session code table: ``attendance.tally``)
  severe_incidents      at least N incidents at or above a severity in the last window
  repeated_suspensions  at least N suspensions starting in the last window
  engagement_falling    the average engagement score (a share of its scale, as recorded) of the last window has
                        fallen by at least the drop from the window before

A flag is raised once per (rule, pupil, window): its id is derived from them. While an earlier flag of the same
rule covers part of the window, the pupil is not flagged again for it (one flag per stretch of the trend, not one
a day); after that window has passed, a trend that persists is flagged afresh.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from uuid import UUID, uuid5

from ap_contracts.events.notifications import EarlyWarningMeasure, EarlyWarningRaised
from ap_contracts.events.pupil_vocabulary import AttendanceCode
from ap_notifications.domain.attendance import BASIS_POINTS, AttendanceTally, tally
from ap_notifications.domain.early_warning_book import EarlyWarningRuleBook
from ap_notifications.domain.early_warning_days import SchoolDayCount, Window

EARLY_WARNING_NAMESPACE = UUID("0b8f2f4e-52f7-4c67-9d0e-6a1f3e9d7c21")


@dataclass(frozen=True, slots=True)
class Fact:
    """One counted fact of a trend: the event it came from, the day it is about, and its number out of
    ``scale_max``: a session mark attended (1 or 0) out of possible (1 or 0, by the national code table:
    ``marked``), an incident's severity, an engagement score on its scale; a suspension counts as 1."""

    event_id: UUID
    day: date
    value: int = 1
    scale_max: int = 1


@dataclass(frozen=True, slots=True)
class PupilTrends:
    """What the trends read model holds of one pupil (clear fields only), and the day the trend is judged on."""

    pupil_ref: UUID
    as_of: date
    marks: tuple[Fact, ...] = ()
    incidents: tuple[Fact, ...] = ()
    suspensions: tuple[Fact, ...] = ()
    scores: tuple[Fact, ...] = ()


@dataclass(frozen=True, slots=True)
class Responsibility:
    """The placement the pupil is in and the organisations responsible for it: the only recipients of its flags."""

    placement_id: UUID
    home_school_id: str
    provision_id: str
    ended: bool = False


@dataclass(frozen=True, slots=True)
class Finding:
    """A rule's verdict before it becomes a flag: the window it covers and what it found."""

    window: Window
    explanation: str
    measures: tuple[tuple[str, int, str], ...]
    cited: tuple[UUID, ...] = field(default=())


Rule = Callable[[PupilTrends, SchoolDayCount, EarlyWarningRuleBook], Finding | None]


def flag_id_for(pupil_ref: UUID, rule_name: str, window: Window) -> UUID:
    """The same pupil, rule and window always give the same flag (raised once)."""
    return uuid5(EARLY_WARNING_NAMESPACE, f"{pupil_ref}|{rule_name}|{window.start}|{window.end}")


def _percent(basis_points: int) -> str:
    whole, rest = divmod(basis_points, 100)
    return f"{whole}%" if rest == 0 else f"{basis_points / 100:.1f}%"


def marked(event_id: UUID, day: date, code: AttendanceCode) -> Fact:
    """A session mark as a fact: attended out of possible, as the national code table counts the code."""
    counted = tally((code,))
    return Fact(event_id, day, counted.attended, counted.possible)


def _tally_in(marks: Iterable[Fact], window: Window) -> tuple[AttendanceTally, tuple[UUID, ...]]:
    inside = [m for m in marks if m.day in window.days]
    return (AttendanceTally(sum(m.value for m in inside), sum(m.scale_max for m in inside)),
            tuple(m.event_id for m in inside))


def _fallen(metric: str, now: int, before: int, window: Window, explanation: str, cited: tuple[UUID, ...]) -> Finding:
    """A rate that fell: the window it fell over, its value now and before (basis points), and what it counted."""
    return Finding(window, explanation, ((metric, now, "basis_points"), (f"{metric}_before", before, "basis_points")),
                   cited)


def _recent_and_earlier(t: PupilTrends, days: SchoolDayCount, school_days: int) -> tuple[Window, Window]:
    """The last ``school_days`` school days up to the day judged, and as many just before them."""
    recent = days.back(t.as_of, school_days)
    return recent, days.before(recent, school_days)


def attendance_falling(t: PupilTrends, days: SchoolDayCount, book: EarlyWarningRuleBook) -> Finding | None:
    recent_window, earlier_window = _recent_and_earlier(t, days, book.attendance_window_school_days)
    recent, recent_ids = _tally_in(t.marks, recent_window)
    earlier, earlier_ids = _tally_in(t.marks, earlier_window)
    if min(recent.possible, earlier.possible) < book.attendance_min_possible_sessions:
        return None
    now, before = recent.rate_basis_points(), earlier.rate_basis_points()
    if now is None or before is None:  # no possible session: nothing to compare
        return None
    below = book.attendance_below_percent * (BASIS_POINTS // 100)
    if now >= below or before - now < book.attendance_drop_points * (BASIS_POINTS // 100):
        return None
    explanation = (
        f"attendance {_percent(now)} over the last {recent_window.describe()} ({recent.attended} of {recent.possible}"
        f" sessions), down from {_percent(before)} over the {earlier_window.describe()} before ({earlier.attended} of"
        f" {earlier.possible}); the rule: below {book.attendance_below_percent}% and down at least"
        f" {book.attendance_drop_points} points")
    return _fallen("attendance_rate", now, before, recent_window, explanation, earlier_ids + recent_ids)


def severe_incidents(t: PupilTrends, days: SchoolDayCount, book: EarlyWarningRuleBook) -> Finding | None:
    window = days.back(t.as_of, book.incident_window_school_days)
    severe = [i for i in t.incidents if i.day in window.days and i.value >= book.incident_min_severity]
    if len(severe) < book.incident_count:
        return None
    explanation = (
        f"{len(severe)} incidents of severity {int(book.incident_min_severity)}+ in the last {window.describe()};"
        f" the rule: {book.incident_count} or more")
    return Finding(window, explanation, (("severe_incidents", len(severe), "incidents"),),
                   tuple(i.event_id for i in severe))


def repeated_suspensions(t: PupilTrends, days: SchoolDayCount, book: EarlyWarningRuleBook) -> Finding | None:
    window = days.back(t.as_of, book.suspension_window_school_days)
    inside = [s for s in t.suspensions if window.start <= s.day <= window.end]
    if len(inside) < book.suspension_count:
        return None
    explanation = (f"{len(inside)} suspensions starting in the last {window.describe()};"
                   f" the rule: {book.suspension_count} or more")
    return Finding(window, explanation, (("suspensions", len(inside), "suspensions"),),
                   tuple(s.event_id for s in inside))


def _average_share(scores: Iterable[Fact], window: Window) -> tuple[int | None, tuple[UUID, ...], int]:
    inside = [s for s in scores if s.day in window.days]
    if not inside:
        return None, (), 0
    share = sum(s.value * BASIS_POINTS // s.scale_max for s in inside) // len(inside)
    return share, tuple(s.event_id for s in inside), len(inside)


def engagement_falling(t: PupilTrends, days: SchoolDayCount, book: EarlyWarningRuleBook) -> Finding | None:
    recent_window, earlier_window = _recent_and_earlier(t, days, book.engagement_window_school_days)
    now, recent_ids, recent_n = _average_share(t.scores, recent_window)
    before, earlier_ids, earlier_n = _average_share(t.scores, earlier_window)
    if now is None or before is None or min(recent_n, earlier_n) < book.engagement_min_scores:
        return None
    if before - now < book.engagement_drop_points * (BASIS_POINTS // 100):
        return None
    explanation = (
        f"average engagement score {_percent(now)} of the scale over the last {recent_window.describe()}"
        f" ({recent_n} scores), down from {_percent(before)} over the {earlier_window.describe()} before"
        f" ({earlier_n} scores); the rule: down at least {book.engagement_drop_points} points")
    return _fallen("engagement_share", now, before, recent_window, explanation, earlier_ids + recent_ids)


RULES: Mapping[str, Rule] = {
    "attendance_falling": attendance_falling,
    "severe_incidents": severe_incidents,
    "repeated_suspensions": repeated_suspensions,
    "engagement_falling": engagement_falling,
}


def decide_flags(trends: PupilTrends, days: SchoolDayCount, book: EarlyWarningRuleBook,
                 last_flagged: Mapping[str, date], responsible: Responsibility) -> tuple[EarlyWarningRaised, ...]:
    """The flags a pupil's trends raise on ``trends.as_of``; ``last_flagged`` is the last day of the window of the
    pupil's latest flag of each rule (module docstring: not raised again while that window overlaps)."""
    flags = []
    for name, rule in RULES.items():
        finding = rule(trends, days, book)
        if finding is None:
            continue
        previous_end = last_flagged.get(name)
        if previous_end is not None and previous_end >= finding.window.start:
            continue
        flags.append(EarlyWarningRaised(
            notification_id=flag_id_for(trends.pupil_ref, name, finding.window), pupil_ref=trends.pupil_ref,
            placement_id=responsible.placement_id, rule_name=name, rule_version=book.version,
            window_start=finding.window.start, window_end=finding.window.end, counted_with=days.counted_with,
            explanation=finding.explanation,
            measures=tuple(EarlyWarningMeasure(metric=m, value=v, unit=u) for m, v, u in finding.measures),
            cited_event_ids=finding.cited, home_school_id=responsible.home_school_id,
            provision_id=responsible.provision_id,
        ))
    return tuple(flags)
