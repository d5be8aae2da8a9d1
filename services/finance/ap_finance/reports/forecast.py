"""Forecast outturn of a budget line: what it will have cost by 31 March if spending goes on as so far.

Rule (stated in every return's notes): actual spend to date is projected straight-line over the
days of the financial year (actual x days in year / days elapsed, rounded half up to the penny),
then open commitments are added, since they will be paid. Once the report date is at or after
the year end, or the year is closed, the forecast is simply actual + commitments.
"""

from __future__ import annotations

from datetime import date

from ap_finance.domain.financial_year import first_day, last_day
from ap_finance.reports.arithmetic import divide_half_up

FORECAST_RULE = (
    "Forecast outturn = actual spend to date projected straight-line to 31 March "
    "(actual x days in the financial year / days elapsed, rounded half up to the penny) "
    "+ open commitments; after the year end, or once the year is closed, actual + commitments."
)


def forecast_outturn_pence(actual_pence: int, committed_pence: int, financial_year: str, as_at: date,
                           closed: bool = False) -> int:
    start, end = first_day(financial_year), last_day(financial_year)
    days_in_year = (end - start).days + 1
    elapsed = (min(as_at, end) - start).days + 1
    if closed or elapsed >= days_in_year or elapsed <= 0:
        return actual_pence + committed_pence
    return divide_half_up(actual_pence * days_in_year, elapsed) + committed_pence
