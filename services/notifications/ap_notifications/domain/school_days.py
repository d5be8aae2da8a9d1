"""The safeguarding file transfer's deadline in school days (KCSIE: 5 school days; issue 13).

Counted with the receiving setting's school calendar (``ap_runtime.school_days``): its half terms,
INSET days and the bank holidays of its nation, so a transfer across a half term, a bank holiday
or an INSET day is due on the right day.

When the receiving setting is in no recorded calendar, or the count runs into an academic year
its calendar does not record, the deadline falls back to counting weekdays. The fallback is
chosen over refusing because the offer follows a placement's end (a refusal would stop the
transfer being tracked at all), and it is safe: every school day is a weekday, so a weekday
deadline is never later than the school-day one; the check errs towards alerting the DSLs early,
never late. ``TransferDeadline.counted_with`` says which count was used.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from ap_runtime.school_days import SchoolCalendarNotRecorded, SchoolCalendars, add_school_days

SATURDAY = 5
WEEKDAYS_ONLY = "weekdays"
"""``counted_with`` when no calendar could count the deadline."""


def is_weekday(day: date) -> bool:
    return day.weekday() < SATURDAY


def add_weekdays(start: date, weekdays: int) -> date:
    """The weekday ``weekdays`` weekdays after ``start`` (``start`` itself not counted): the fallback count."""
    if weekdays < 0:
        raise ValueError("school_days counts forwards")
    day, left = start, weekdays
    while left:
        day += timedelta(days=1)
        if is_weekday(day):
            left -= 1
    return day


@dataclass(frozen=True, slots=True)
class TransferDeadline:
    due_by: date
    counted_with: str
    """The calendar's area id, or ``weekdays`` for the fallback."""


def transfer_deadline(offer_day: date, school_days: int, receiving_setting: str,
                      calendars: SchoolCalendars) -> TransferDeadline:
    """The last school day for receipt: ``school_days`` school days of the receiving setting after ``offer_day``."""
    return school_days_after(offer_day, school_days, receiving_setting, calendars)


def school_days_after(start: date, school_days: int, organisation_id: str,
                      calendars: SchoolCalendars) -> TransferDeadline:
    """The day ``school_days`` school days after ``start`` on ``organisation_id``'s calendar (a school's, or a local
    authority's own: an LA is in its own area), else weekdays, never later (the module docstring)."""
    calendar = calendars.for_school(organisation_id)
    if calendar is not None:
        try:
            return TransferDeadline(add_school_days(start, school_days, calendar, organisation_id), calendar.area_id)
        except SchoolCalendarNotRecorded:
            pass  # the module docstring: an unrecorded year falls back to weekdays, never later
    return TransferDeadline(add_weekdays(start, school_days), WEEKDAYS_ONLY)
