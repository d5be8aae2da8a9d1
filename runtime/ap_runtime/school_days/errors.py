"""Refusals of the school-days calendar, each named after the rule it protects (issue 13)."""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from ap_runtime.refusal import RefusalKind


class CalendarRefused(ValueError):
    """Base of every refusal by the calendar; a ``ValueError`` so pydantic reports it as bad input."""

    rule: ClassVar[str]
    kind: ClassVar[RefusalKind] = RefusalKind.BREAKS_RULE


class TermDatesRunBackwards(CalendarRefused):
    """A half term starts on or before it ends, inside its academic year (1 September to 31 August)."""

    rule = "calendar.term_dates_in_order"

    def __init__(self, label: str, first_day: date, last_day: date, why: str) -> None:
        super().__init__(f"half term {label} from {first_day} to {last_day}: {why}")


class TermDatesOverlap(CalendarRefused):
    """Two half terms of one calendar never share a day."""

    rule = "calendar.terms_do_not_overlap"

    def __init__(self, earlier: str, later: str) -> None:
        super().__init__(f"half terms {earlier} and {later} overlap")


class SchoolCalendarNotRecorded(CalendarRefused):
    """A day is counted only against recorded term dates: an unrecorded academic year is refused, not guessed.

    Guessing (weekdays, say) would move statutory deadlines silently; the caller decides what an
    unrecorded year means for its rule and says so.
    """

    rule = "calendar.recorded"
    kind = RefusalKind.NOT_FOUND

    def __init__(self, area_id: str, school_id: str | None, academic_year: str) -> None:
        whose = f"school {school_id} in {area_id}" if school_id else area_id
        super().__init__(f"no term dates recorded for {whose} in academic year {academic_year}")
        self.area_id = area_id
        self.school_id = school_id
        self.academic_year = academic_year
