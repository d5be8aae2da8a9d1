"""English financial years (1 April to 31 March) and the budget stream they name."""

from __future__ import annotations

from datetime import date


def first_day(financial_year: str) -> date:
    """1 April of the year a financial year such as '2026-27' starts in."""
    return date(int(financial_year[:4]), 4, 1)


def last_day(financial_year: str) -> date:
    """31 March of the following calendar year."""
    return date(int(financial_year[:4]) + 1, 3, 31)


def contains(financial_year: str, day: date) -> bool:
    return first_day(financial_year) <= day <= last_day(financial_year)


def financial_year_of(day: date) -> str:
    """The financial year a date falls in: 31 March 2027 is in '2026-27', 1 April 2027 in '2027-28'."""
    start = day.year if day.month >= 4 else day.year - 1
    return f"{start}-{(start + 1) % 100:02d}"


def next_financial_year(financial_year: str) -> str:
    return financial_year_of(date(int(financial_year[:4]) + 1, 4, 1))


def budget_stream_id(provision_id: str, financial_year: str) -> str:
    """One event stream per provision and financial year: ``budget-<provision_id>-<financial_year>``."""
    return f"budget-{provision_id}-{financial_year}"
