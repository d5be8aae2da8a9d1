"""Windows of school days for the early-warning rules (issue 14), counted on the home school's calendar.

The count uses the shared calendar (``ap_runtime.school_days``): the home school's LA's recorded term dates, its own
INSET days and the bank holidays of its nation. When the home school is in no recorded calendar, or the window
reaches into a year its calendar does not record, the window counts weekdays instead and the flag says so
(``counted_with`` is ``weekdays``): a weekday window of the same length is never longer in time than the school-day
one, so a trend is judged over no more history than the rule book names (the transfer check's fallback, too).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from ap_notifications.domain.school_days import WEEKDAYS_ONLY, is_weekday
from ap_runtime.school_days import SchoolCalendarNotRecorded, SchoolCalendars, is_school_day

IsSchoolDay = Callable[[date], bool]


@dataclass(frozen=True, slots=True)
class Window:
    """Consecutive school days, oldest first (never empty)."""

    days: tuple[date, ...]

    @property
    def start(self) -> date:
        return self.days[0]

    @property
    def end(self) -> date:
        return self.days[-1]

    def describe(self) -> str:
        return f"{len(self.days)} school days {self.start.isoformat()} to {self.end.isoformat()}"


@dataclass(frozen=True, slots=True)
class SchoolDayCount:
    """Which days are school days for one pupil's windows, and the calendar that says so."""

    is_school_day: IsSchoolDay
    counted_with: str

    def back(self, end: date, school_days: int) -> Window:
        """The last ``school_days`` school days on or before ``end``."""
        days: list[date] = []
        day = end
        while len(days) < school_days:
            if self.is_school_day(day):
                days.append(day)
            day -= timedelta(days=1)
        return Window(tuple(reversed(days)))

    def before(self, window: Window, school_days: int) -> Window:
        """The ``school_days`` school days just before ``window``."""
        return self.back(window.start - timedelta(days=1), school_days)


WEEKDAY_COUNT = SchoolDayCount(is_weekday, WEEKDAYS_ONLY)


def school_day_count(calendars: SchoolCalendars, home_school_id: str, end: date, reach: int) -> SchoolDayCount:
    """The home school's calendar when it records every one of the ``reach`` school days up to ``end``, else
    weekdays (module docstring)."""
    calendar = calendars.for_school(home_school_id)
    if calendar is None:
        return WEEKDAY_COUNT
    count = SchoolDayCount(lambda day: is_school_day(day, calendar, home_school_id), calendar.area_id)
    try:
        count.back(end, reach)
    except SchoolCalendarNotRecorded:
        return WEEKDAY_COUNT
    return count
