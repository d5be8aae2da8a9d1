"""A suspension's school days on the home school's calendar (issue 13; DfE suspension guidance, STATUTORY.md).

Rules served: suspensions are totalled per term, and a term total over 5 school days is told to the local
authority and the governing board at once, with the board considering representations (over 15 it must
meet to consider reinstatement); from the sixth school day of a suspension the school arranges suitable
full-time education, and from the sixth of a permanent exclusion the LA does. All of it is counted in the
home school's school days (``ap_runtime.school_days``: its half terms, INSET days, bank holidays), so a
suspension over a half term or a bank holiday ends on the right
day. A suspension is put in the term it starts in (its first school day on or after ``first_day``).

Where the home school's calendar does not record the days, nothing is counted: the per-term fields stay
empty rather than guessed (the yearly cap, counted in half days, still applies).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ap_contracts.events.school_exclusions import GovernorsDuty
from ap_incidents.domain.rules import RuleBook
from ap_runtime.school_days import (
    SchoolCalendarNotRecorded,
    SchoolCalendars,
    add_school_days,
    half_term_of,
    is_school_day,
)


@dataclass(frozen=True, slots=True)
class SuspensionDays:
    """Where a suspension falls on the calendar."""

    term: str
    last_day: date
    full_time_education_from: date | None
    counted_with: str


def sixth_school_day(effective_from: date, school_id: str, calendars: SchoolCalendars,
                     rules: RuleBook) -> tuple[date, str] | None:
    """A permanent exclusion's sixth school day (the LA arranges full-time education from it) and the calendar
    counted on; None when no calendar records the days."""
    days = count_suspension(effective_from, rules.suspension_provision_from_school_day * 2, school_id, calendars,
                            rules)
    if days is None or days.full_time_education_from is None:
        return None
    return days.full_time_education_from, days.counted_with


def count_suspension(first_day: date, half_days: int, school_id: str, calendars: SchoolCalendars,
                     rules: RuleBook) -> SuspensionDays | None:
    """The term, last school day and (over 5 days) the sixth school day; None when no calendar records them."""
    calendar = calendars.for_school(school_id)
    if calendar is None:
        return None
    try:
        start = first_day if is_school_day(first_day, calendar, school_id) else add_school_days(
            first_day, 1, calendar, school_id)
        half_term = half_term_of(start, calendar, school_id)
        assert half_term is not None  # a school day is inside a half term
        whole_days = (half_days + 1) // 2  # a half day still takes a day of the calendar
        last_day = add_school_days(start, whole_days - 1, calendar, school_id)
        provision_day = rules.suspension_provision_from_school_day
        provision_from = (add_school_days(start, provision_day - 1, calendar, school_id)
                          if half_days > (provision_day - 1) * 2 else None)
    except SchoolCalendarNotRecorded:
        return None
    return SuspensionDays(f"{half_term.academic_year} {half_term.term.value}", last_day, provision_from,
                          calendar.area_id)


def governors_duty(term_total_half_days: int, rules: RuleBook) -> GovernorsDuty:
    """What the term's total asks of the governing board."""
    if term_total_half_days > rules.suspension_term_governors_meet_over_days * 2:
        return GovernorsDuty.MEET
    if term_total_half_days > rules.suspension_term_told_at_once_over_days * 2:
        return GovernorsDuty.CONSIDER_REPRESENTATIONS
    return GovernorsDuty.NONE


def told_at_once(term_total_half_days: int, rules: RuleBook) -> bool:
    """A term total over 5 school days is told to the LA and the governing board without delay."""
    return term_total_half_days > rules.suspension_term_told_at_once_over_days * 2
