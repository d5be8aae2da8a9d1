"""One school-days calendar for every rule that counts school days (issue 13, "School days").

A school day is a weekday inside a recorded half term that is neither a bank holiday of the
calendar's nation (England or Wales, from the ``holidays`` package, offline) nor a non-teaching
(INSET) day. Term dates are kept per local authority; a school may add its own INSET days, and an
academy may record its own half terms, which then replace the LA's for the academic years it records.

Refusing to guess: a day is judged only within an academic year (1 September to 31 August) the
calendar records; any other day raises ``SchoolCalendarNotRecorded``. A calendar with no terms
refuses every day. Callers decide, and document, what an unrecorded year means for their rule.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from itertools import pairwise

import holidays

from ap_contracts.events.organisations import CalendarNation, SchoolTerm
from ap_runtime.school_days.errors import SchoolCalendarNotRecorded, TermDatesOverlap, TermDatesRunBackwards

SATURDAY = 5
_ACADEMIC_YEAR = re.compile(r"^(\d{4})-(\d{2})$")


# The calendar's vocabulary is the term-dates contract's (TermDatesRecorded): whose bank holidays apply (the
# ``holidays`` package's subdivision of GB) and the three school terms.
Nation = CalendarNation
Term = SchoolTerm


def academic_year_of(day: date) -> str:
    """The academic year ``day`` falls in, as ``2025-26``: 1 September to 31 August."""
    start = day.year if day.month >= 9 else day.year - 1
    return f"{start}-{(start + 1) % 100:02d}"


def _academic_year_bounds(label: str) -> tuple[date, date]:
    matched = _ACADEMIC_YEAR.match(label)
    if matched is None or (int(matched[1]) + 1) % 100 != int(matched[2]):
        raise ValueError(f"academic year {label!r} is not of the form 2025-26")
    start = int(matched[1])
    return date(start, 9, 1), date(start + 1, 8, 31)


@dataclass(frozen=True, slots=True)
class HalfTerm:
    """One half term's teaching span, first and last day included (INSET days inside it are listed apart)."""

    academic_year: str
    term: Term
    half: int
    first_day: date
    last_day: date

    def __post_init__(self) -> None:
        if self.half not in (1, 2):
            raise ValueError(f"half term {self.academic_year} {self.term}: half is 1 or 2, not {self.half}")
        year_starts, year_ends = _academic_year_bounds(self.academic_year)
        if self.first_day > self.last_day:
            raise TermDatesRunBackwards(self.label, self.first_day, self.last_day, "it ends before it starts")
        if self.first_day < year_starts or self.last_day > year_ends:
            raise TermDatesRunBackwards(self.label, self.first_day, self.last_day,
                                        f"outside academic year {self.academic_year}")

    @property
    def label(self) -> str:
        return f"{self.academic_year} {self.term} {self.half}"

    def contains(self, day: date) -> bool:
        return self.first_day <= day <= self.last_day


def _checked_half_terms(half_terms: Iterable[HalfTerm]) -> tuple[HalfTerm, ...]:
    ordered = tuple(sorted(half_terms, key=lambda h: h.first_day))
    for earlier, later in pairwise(ordered):
        if later.first_day <= earlier.last_day:
            raise TermDatesOverlap(earlier.label, later.label)
    return ordered


@dataclass(frozen=True, slots=True)
class SchoolOverride:
    """Where a school differs from its LA: its own INSET days, and (academies) its own half terms.

    ``half_terms`` replace the LA's for every academic year they cover, and the LA's INSET days do
    not apply in those years (they are the LA's schools' days, not the academy's).
    """

    half_terms: tuple[HalfTerm, ...] = ()
    non_teaching_days: frozenset[date] = frozenset()

    def __post_init__(self) -> None:
        object.__setattr__(self, "half_terms", _checked_half_terms(self.half_terms))


@dataclass(frozen=True, slots=True)
class SchoolCalendar:
    """A local authority's term dates, INSET days and nation, with its schools' overrides."""

    area_id: str
    nation: Nation
    half_terms: tuple[HalfTerm, ...]
    non_teaching_days: frozenset[date] = frozenset()
    schools: Mapping[str, SchoolOverride] = field(default_factory=dict)
    example: bool = False
    """True for packaged example data (the demo LA): never a real authority's dates."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "half_terms", _checked_half_terms(self.half_terms))


@lru_cache(maxsize=64)
def _bank_holidays(nation: Nation, year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("GB", subdiv=nation.value, years=year))


def _terms_for(day: date, calendar: SchoolCalendar, school: str | None) -> tuple[tuple[HalfTerm, ...], bool]:
    """The half terms that govern ``day``'s academic year, and whether the LA's INSET days apply."""
    year = academic_year_of(day)
    override = calendar.schools.get(school) if school is not None else None
    if override is not None and override.half_terms:
        own = tuple(h for h in override.half_terms if h.academic_year == year)
        if own:
            return own, False
        if any(h.academic_year == year for h in calendar.half_terms):
            # An academy that keeps its own terms has not recorded this year: the LA's are not its.
            raise SchoolCalendarNotRecorded(calendar.area_id, school, year)
    la_terms = tuple(h for h in calendar.half_terms if h.academic_year == year)
    if not la_terms:
        raise SchoolCalendarNotRecorded(calendar.area_id, school, year)
    return la_terms, True


def half_term_of(day: date, calendar: SchoolCalendar, school: str | None = None) -> HalfTerm | None:
    """The half term ``day`` falls in, or None in a holiday of a recorded academic year."""
    terms, _ = _terms_for(day, calendar, school)
    return next((h for h in terms if h.contains(day)), None)


def next_half_term(day: date, calendar: SchoolCalendar, school: str | None = None) -> HalfTerm:
    """The first half term that starts after ``day`` (in its academic year or the next, which must be recorded)."""
    terms, _ = _terms_for(day, calendar, school)
    later = [h for h in terms if h.first_day > day]
    if later:
        return later[0]
    following_year_starts = date(int(academic_year_of(day)[:4]) + 1, 9, 1)
    return _terms_for(following_year_starts, calendar, school)[0][0]


def last_school_day_of(half_term: HalfTerm, calendar: SchoolCalendar, school: str | None = None) -> date:
    """The last school day of ``half_term`` (its last day may be an INSET day or a bank holiday)."""
    day = half_term.last_day
    while day >= half_term.first_day:
        if is_school_day(day, calendar, school):
            return day
        day -= timedelta(days=1)
    raise SchoolCalendarNotRecorded(calendar.area_id, school, f"{half_term.academic_year} (no school day in "
                                                             f"{half_term.label})")


def is_school_day(day: date, calendar: SchoolCalendar, school: str | None = None) -> bool:
    """A weekday in a recorded half term that is neither a bank holiday nor a non-teaching day."""
    terms, la_inset_applies = _terms_for(day, calendar, school)
    if day.weekday() >= SATURDAY or not any(h.contains(day) for h in terms):
        return False
    if day in _bank_holidays(calendar.nation, day.year):
        return False
    if la_inset_applies and day in calendar.non_teaching_days:
        return False
    override = calendar.schools.get(school) if school is not None else None
    return override is None or day not in override.non_teaching_days


def add_school_days(start: date, school_days: int, calendar: SchoolCalendar, school: str | None = None) -> date:
    """The school day ``school_days`` school days after ``start`` (``start`` itself not counted)."""
    if school_days < 0:
        raise ValueError("school_days counts forwards")
    day, left = start, school_days
    while left:
        day += timedelta(days=1)
        if is_school_day(day, calendar, school):
            left -= 1
    return day


def school_days_between(first: date, second: date, calendar: SchoolCalendar, school: str | None = None) -> int:
    """School days after ``first`` up to and including ``second``; negative when ``second`` is earlier."""
    if second < first:
        return -school_days_between(second, first, calendar, school)
    days = (first + timedelta(days=n) for n in range(1, (second - first).days + 1))
    return sum(1 for day in days if is_school_day(day, calendar, school))


@dataclass(frozen=True, slots=True)
class SchoolCalendars:
    """Every LA's calendar and which LA each school belongs to."""

    by_area: Mapping[str, SchoolCalendar] = field(default_factory=dict)
    area_of_school: Mapping[str, str] = field(default_factory=dict)

    def for_area(self, area_id: str) -> SchoolCalendar | None:
        return self.by_area.get(area_id)

    def overlaid(self, recorded: SchoolCalendars) -> SchoolCalendars:
        """These calendars with ``recorded``'s: an area's recorded calendar replaces a configured one."""
        return SchoolCalendars(by_area={**self.by_area, **recorded.by_area},
                               area_of_school={**self.area_of_school, **recorded.area_of_school})

    def for_school(self, school_id: str) -> SchoolCalendar | None:
        """The calendar a school counts with, or None when the school is in no recorded area."""
        area = self.area_of_school.get(school_id)
        return self.by_area.get(area) if area is not None else None


NO_CALENDARS = SchoolCalendars()
