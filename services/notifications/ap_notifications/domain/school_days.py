"""School-day arithmetic for statutory deadlines.

Only weekends are skipped. School holidays and bank holidays are NOT modelled: they differ by
local authority and by school, and no term-date calendar is held yet, so a deadline that spans a
holiday comes out earlier than the statutory one (the check errs towards alerting a DSL early,
never late). KCSIE's "within the first 5 days of a new term" for moves at a term break is the
receiving DSL's judgement on such an alert.
"""

from __future__ import annotations

from datetime import date, timedelta

SATURDAY = 5


def is_school_day(day: date) -> bool:
    return day.weekday() < SATURDAY


def add_school_days(start: date, school_days: int) -> date:
    """The school day ``school_days`` school days after ``start`` (``start`` itself not counted)."""
    if school_days < 0:
        raise ValueError("school_days counts forwards")
    day, left = start, school_days
    while left:
        day += timedelta(days=1)
        if is_school_day(day):
            left -= 1
    return day
