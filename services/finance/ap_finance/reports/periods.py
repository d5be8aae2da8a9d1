"""Report periods inside an English financial year (1 April to 31 March).

Quarters: Q1 April-June, Q2 July-September, Q3 October-December, Q4 January-March.
Terms, as they fall in a financial year: summer (1 April to 31 August, the summer term and its
holiday), autumn (1 September to 31 December), spring (1 January to 31 March). Together the terms
cover every day of the year once, so termly spend adds up to the year's spend.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from ap_finance.domain.financial_year import first_day, last_day
from ap_runtime.reports.provenance import ENGLAND as ENGLAND  # shared with reporting
from ap_runtime.reports.provenance import end_of_day_in_england as end_of_day_in_england


class Term(StrEnum):
    SUMMER = "summer"
    AUTUMN = "autumn"
    SPRING = "spring"


@dataclass(frozen=True, slots=True)
class Period:
    label: str
    start: date
    end: date

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


def quarter(financial_year: str, number: int) -> Period:
    if number not in (1, 2, 3, 4):
        raise ValueError("a financial year has quarters 1 to 4")
    start_year = first_day(financial_year).year
    starts = {1: date(start_year, 4, 1), 2: date(start_year, 7, 1), 3: date(start_year, 10, 1),
              4: date(start_year + 1, 1, 1)}
    ends = {1: date(start_year, 6, 30), 2: date(start_year, 9, 30), 3: date(start_year, 12, 31),
            4: last_day(financial_year)}
    return Period(f"Q{number} {financial_year}", starts[number], ends[number])


def term(financial_year: str, which: Term) -> Period:
    start_year = first_day(financial_year).year
    match which:
        case Term.SUMMER:
            return Period(f"summer term {start_year}", date(start_year, 4, 1), date(start_year, 8, 31))
        case Term.AUTUMN:
            return Period(f"autumn term {start_year}", date(start_year, 9, 1), date(start_year, 12, 31))
        case Term.SPRING:
            return Period(f"spring term {start_year + 1}", date(start_year + 1, 1, 1), last_day(financial_year))
    raise ValueError(f"unknown term {which}")


def report_date(period_end: date, today: date, as_at: date | None = None) -> date:
    """The date a report is as at: the one asked for, else the period's end or today, whichever is first."""
    return as_at if as_at is not None else min(period_end, today)
