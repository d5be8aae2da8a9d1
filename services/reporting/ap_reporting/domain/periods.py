"""The fixed periods reports leaving an organisation are published for.

Rules report.fixed_period and report.year_range_limit.

Why fixed periods. A suppressed table protects its own cells; two tables for overlapping windows do
not protect each other: the figures for 1 to 31 March and for 1 to 30 March subtract to the 31st's,
which may be a suppressed 1. So an external report is published only for periods from one fixed
calendar, defined here once, and each report offers exactly one kind of period (``OFFERED``):
its periods never overlap, so no difference of two published figures isolates anything. A report
that offered a year and its terms would let the terms be subtracted from the year; where a figure
must cover several periods (the strategy data's academic years), every multi-period figure is
computed from the single-period figures already published (``domain.published.stack_rows``), so it
says nothing they do not.

The calendar (English school year as the DfE exclusion statistics count it, 1 August to 31 July).
Every period is a run of whole months, so each kind nests in the academic year:
  academic year  ``2024/25``            1 August 2024 to 31 July 2025
  term           ``2024/25-autumn``     August to December; ``-spring`` January to March;
                                        ``-summer`` April to July
  half term      ``2024/25-autumn-1``   autumn 1 August-October, autumn 2 November-December,
                                        spring 1 January-February, spring 2 March,
                                        summer 1 April-May, summer 2 June-July
  quarter        ``2024/25-q1``         quarters of the academic year: q1 August-October,
                                        q2 November-January, q3 February-April, q4 May-July
  month          ``2025-03``            a calendar month
Local authorities set their own term dates (Easter moves the spring/summer change each year);
month-aligned terms keep every period the same for every reader, which is what the rule needs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from ap_reporting.domain.errors import FixedPeriodRequired, YearRangeTooLong
from ap_reporting.domain.vocabulary import Period

MAX_ACADEMIC_YEARS = 3
YEAR_START_MONTH = 8
FIRST_YEAR, LAST_YEAR = 1990, 2998  # academic years reports may name (keeps every date in range)


class PeriodKind(StrEnum):
    ACADEMIC_YEAR = "academic_year"
    TERM = "term"
    HALF_TERM = "half_term"
    QUARTER = "quarter"
    MONTH = "month"


# The one kind of period each report leaving the organisation is published for. The strategy data
# covers up to MAX_ACADEMIC_YEARS academic years, each row the year as the annual figures give it.
OFFERED: dict[str, tuple[PeriodKind, ...]] = {
    "termly_partnership": (PeriodKind.TERM,),
    "la_annual": (PeriodKind.ACADEMIC_YEAR,),
    "exclusion_strategy": (PeriodKind.ACADEMIC_YEAR,),
}


# Months of each part of the academic year, counted from August (0) to July (11).
_TERMS = {"autumn": (0, 5), "spring": (5, 8), "summer": (8, 12)}
_HALF_TERMS = {
    "autumn-1": (0, 3), "autumn-2": (3, 5), "spring-1": (5, 7), "spring-2": (7, 8),
    "summer-1": (8, 10), "summer-2": (10, 12),
}
_QUARTERS = {"q1": (0, 3), "q2": (3, 6), "q3": (6, 9), "q4": (9, 12)}
_PARTS = {PeriodKind.TERM: _TERMS, PeriodKind.HALF_TERM: _HALF_TERMS, PeriodKind.QUARTER: _QUARTERS}
_EXAMPLES = {
    PeriodKind.ACADEMIC_YEAR: "2024/25", PeriodKind.TERM: "2024/25-autumn, -spring or -summer",
    PeriodKind.HALF_TERM: "2024/25-autumn-1 (autumn-1/2, spring-1/2, summer-1/2)",
    PeriodKind.QUARTER: "2024/25-q1 (q1 to q4)", PeriodKind.MONTH: "2025-03",
}
_YEAR = re.compile(r"^(\d{4})/(\d{2})$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True, slots=True)
class ReportingPeriod:
    """One period of the fixed calendar: its code (as written in requests), kind and days."""

    code: str
    kind: PeriodKind
    days: Period


def _month_start(year_start: int, month_index: int) -> date:
    months = YEAR_START_MONTH - 1 + month_index
    return date(year_start + months // 12, months % 12 + 1, 1)


def _months(code: str, kind: PeriodKind, year_start: int, first: int, end: int) -> ReportingPeriod:
    last_day = _month_start(year_start, end) - timedelta(days=1)
    return ReportingPeriod(code, kind, Period(_month_start(year_start, first), last_day))


def academic_year_start(academic_year: str) -> int:
    """``'2024/25'`` -> 2024; anything else (``'2024/26'``, ``'2024-25'``) is refused."""
    match = _YEAR.match(academic_year)
    if not match or (int(match[1]) + 1) % 100 != int(match[2]) or not FIRST_YEAR <= int(match[1]) <= LAST_YEAR:
        raise ValueError(f"{academic_year!r} is not an academic year written like 2024/25 "
                         f"({FIRST_YEAR} to {LAST_YEAR})")
    return int(match[1])


def academic_year_period(academic_year: str) -> Period:
    """'2024/25' -> 1 August 2024 to 31 July 2025 (the DfE exclusion statistics year)."""
    return _months(academic_year, PeriodKind.ACADEMIC_YEAR, academic_year_start(academic_year), 0, 12).days


def academic_year_of(day: date) -> str:
    start = day.year if day.month >= YEAR_START_MONTH else day.year - 1
    return f"{start}/{(start + 1) % 100:02d}"


def _parse(code: str) -> ReportingPeriod | None:
    month = _MONTH.match(code)
    if month and 1 <= int(month[2]) <= 12 and FIRST_YEAR < int(month[1]) <= LAST_YEAR:
        first = date(int(month[1]), int(month[2]), 1)
        start = academic_year_start(academic_year_of(first))
        index = (first.month - YEAR_START_MONTH) % 12
        return _months(code, PeriodKind.MONTH, start, index, index + 1)
    year, _, part = code.partition("-")
    try:
        start = academic_year_start(year)
    except ValueError:
        return None
    if not part:
        return _months(code, PeriodKind.ACADEMIC_YEAR, start, 0, 12)
    for kind, parts in _PARTS.items():
        if part in parts:
            return _months(code, kind, start, *parts[part])
    return None


def allowed_text(kinds: tuple[PeriodKind, ...]) -> tuple[str, ...]:
    return tuple(f"{kind.value} ({_EXAMPLES[kind]})" for kind in kinds)


def parse_period(field: str, code: str, kinds: tuple[PeriodKind, ...]) -> ReportingPeriod:
    """The fixed period ``code`` names, if it is one of ``kinds``; else ``FixedPeriodRequired``."""
    period = _parse(code)
    if period is None or period.kind not in kinds:
        what = "is not a period of the fixed calendar" if period is None else f"is a {period.kind.value}"
        raise FixedPeriodRequired(field, f"{code!r} {what}; this report is published only for fixed periods",
                                  allowed_text(kinds))
    return period


def periods_of(academic_year: str, kind: PeriodKind) -> list[ReportingPeriod]:
    """Every period of ``kind`` in the academic year, in order (they cover it without overlap)."""
    start = academic_year_start(academic_year)
    if kind is PeriodKind.ACADEMIC_YEAR:
        return [_months(academic_year, kind, start, 0, 12)]
    if kind is PeriodKind.MONTH:
        return [_months(f"{_month_start(start, i):%Y-%m}", kind, start, i, i + 1) for i in range(12)]
    return [_months(f"{academic_year}-{part}", kind, start, *months) for part, months in _PARTS[kind].items()]


def year_range(from_field: str, first: str, to_field: str, last: str) -> list[str]:
    """Academic years ``first`` to ``last``, at most ``MAX_ACADEMIC_YEARS`` of them (report.year_range_limit)."""
    try:
        start = academic_year_start(first)
    except ValueError as exc:
        raise FixedPeriodRequired(from_field, str(exc), allowed_text((PeriodKind.ACADEMIC_YEAR,))) from exc
    try:
        end = academic_year_start(last)
    except ValueError as exc:
        raise FixedPeriodRequired(to_field, str(exc), allowed_text((PeriodKind.ACADEMIC_YEAR,))) from exc
    if not 0 <= end - start < MAX_ACADEMIC_YEARS:
        raise YearRangeTooLong(to_field, f"{first} to {last} is not a range of 1 to {MAX_ACADEMIC_YEARS} academic "
                               "years, first to last", (f"{MAX_ACADEMIC_YEARS} academic years at most",))
    return [f"{y}/{(y + 1) % 100:02d}" for y in range(start, end + 1)]
