"""Refusals of the school-days calendar, each named after the rule it protects (issue 13), on the shared
refusal template (``ap_runtime.refusal.Refusal``)."""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from ap_runtime.refusal import Refusal, RefusalKind


class CalendarRefused(Refusal, ValueError):
    """Base of every refusal by the calendar; a ``ValueError`` so pydantic reports it as bad input."""

    kind: ClassVar[RefusalKind] = RefusalKind.BREAKS_RULE


class TermDatesRunBackwards(CalendarRefused):
    """A half term starts on or before it ends, inside its academic year (1 September to 31 August)."""

    rule_id = "calendar.term_dates_in_order"
    says = "half term {label} from {first_day} to {last_day}: {why}"
    label: str
    first_day: date
    last_day: date
    why: str


class TermDatesOverlap(CalendarRefused):
    """Two half terms of one calendar never share a day."""

    rule_id = "calendar.terms_do_not_overlap"
    says = "half terms {earlier} and {later} overlap"
    earlier: str
    later: str


class SchoolCalendarNotRecorded(CalendarRefused):
    """A day is counted only against recorded term dates: an unrecorded academic year is refused, not guessed.

    Guessing (weekdays, say) would move statutory deadlines silently; the caller decides what an
    unrecorded year means for its rule and says so.
    """

    rule_id = "calendar.recorded"
    kind = RefusalKind.NOT_FOUND
    says = "no term dates recorded for {whose} in academic year {academic_year}"
    area_id: str
    school_id: str | None
    academic_year: str

    @property
    def whose(self) -> str:
        return f"school {self.school_id} in {self.area_id}" if self.school_id else self.area_id


class InsetDayOutsideTerms(CalendarRefused):
    """A non-teaching (INSET) day is a day of a half term: one in a holiday or another year changes nothing and
    is most likely a typing error."""

    rule_id = "calendar.inset_days_in_terms"
    says = "INSET day {day} is not inside a half term of academic year {academic_year}"
    day: date
    academic_year: str


class TermDatesIncomplete(CalendarRefused):
    """A local authority records a whole year: six half terms, two to each of autumn, spring and summer."""

    rule_id = "calendar.whole_year"
    says = "term dates for {academic_year}: {why}"
    academic_year: str
    why: str
