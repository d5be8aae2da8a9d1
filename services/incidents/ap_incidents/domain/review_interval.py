"""How long a placement may go until its next review: rule ``placement.reviewed_half_termly`` (issue 13).

AP statutory guidance: placements are reviewed at least half-termly. From rule book england-2026.1
"half-termly" is read on the provision's school calendar (``ap_runtime.school_days``, the calendar of
the local authority the provision is registered in, with the provision's own overrides): the next
review falls on or before the last school day of the next half term (the half term after the one the
review or start falls in; from a holiday, the coming one). INSET days and bank holidays at the end of
that half term are not school days, so they bring the limit forward.

Where no calendar is recorded (the provision's LA has none, or not for the years concerned) the
fixed ``max_days_between_reviews`` applies, as it did before the calendar: the pupil's review is not
refused for want of term dates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from ap_incidents.domain.context import DecisionContext
from ap_runtime.school_days import (
    SchoolCalendarNotRecorded,
    add_school_days,
    half_term_of,
    last_school_day_of,
    next_half_term,
)


@dataclass(frozen=True, slots=True)
class ReviewLimit:
    latest: date
    reason: str
    """How ``latest`` was set, for the refusal's message."""


def latest_next_review(from_day: date, provision_id: str, context: DecisionContext) -> ReviewLimit:
    """The last day the next review may be held on, counted from a review or a placement's start on ``from_day``."""
    rules = context.rules
    area = context.organisations.local_authority_of(provision_id)
    calendar = context.calendars.for_area(area) if area is not None else None
    if rules.reviews_by_half_term and calendar is not None:
        try:
            current = half_term_of(from_day, calendar, provision_id)
            following = next_half_term(current.last_day if current else from_day, calendar, provision_id)
            return ReviewLimit(last_school_day_of(following, calendar, provision_id),
                               f"the last school day of the next half term, {following.label}")
        except SchoolCalendarNotRecorded:
            pass  # the module docstring: no recorded term dates, so the fixed interval applies
    days = rules.max_days_between_reviews
    return ReviewLimit(from_day + timedelta(days=days), f"{days} days, no school calendar being recorded")


def latest_reduced_timetable_review(from_day: date, provision_id: str, context: DecisionContext) -> ReviewLimit:
    """The last day a reduced timetable's next review may fall on (rule ``placement.reduced_timetable_reviewed``).

    From rule book england-2026.2 the limit is ``reduced_timetable_max_review_school_days`` of the provision's
    school days (holidays, INSET days and bank holidays do not use up the time a part-time timetable is allowed);
    where no calendar records them, ``reduced_timetable_max_review_days`` calendar days as before.
    """
    rules = context.rules
    area = context.organisations.local_authority_of(provision_id)
    calendar = context.calendars.for_area(area) if area is not None else None
    if calendar is not None:
        school_days = rules.reduced_timetable_max_review_school_days
        try:
            return ReviewLimit(add_school_days(from_day, school_days, calendar, provision_id),
                               f"{school_days} school days of the provision")
        except SchoolCalendarNotRecorded:
            pass  # no recorded term dates for the days concerned: the calendar-day limit applies
    days = rules.reduced_timetable_max_review_days
    return ReviewLimit(from_day + timedelta(days=days), f"{days} days, no school calendar being recorded")
