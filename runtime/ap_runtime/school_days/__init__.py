"""The platform's one school-days calendar (issue 13): pure counting over term dates kept as data."""

from ap_runtime.school_days.calendar import (
    NO_CALENDARS,
    HalfTerm,
    Nation,
    SchoolCalendar,
    SchoolCalendars,
    SchoolOverride,
    Term,
    academic_year_of,
    add_school_days,
    half_term_of,
    is_school_day,
    last_school_day_of,
    next_half_term,
    school_days_between,
)
from ap_runtime.school_days.errors import (
    CalendarRefused,
    InsetDayOutsideTerms,
    SchoolCalendarNotRecorded,
    TermDatesIncomplete,
    TermDatesOverlap,
    TermDatesRunBackwards,
)
from ap_runtime.school_days.example import EXAMPLE_CALENDARS, EXAMPLE_DEMO_CALENDAR
from ap_runtime.school_days.recorded import RecordedCalendars, check_recording, half_terms_of, recorded_calendars

__all__ = [
    "EXAMPLE_CALENDARS",
    "EXAMPLE_DEMO_CALENDAR",
    "NO_CALENDARS",
    "CalendarRefused",
    "HalfTerm",
    "InsetDayOutsideTerms",
    "Nation",
    "RecordedCalendars",
    "SchoolCalendar",
    "SchoolCalendarNotRecorded",
    "SchoolCalendars",
    "SchoolOverride",
    "Term",
    "TermDatesIncomplete",
    "TermDatesOverlap",
    "TermDatesRunBackwards",
    "academic_year_of",
    "add_school_days",
    "check_recording",
    "half_term_of",
    "half_terms_of",
    "is_school_day",
    "last_school_day_of",
    "next_half_term",
    "recorded_calendars",
    "school_days_between",
]
