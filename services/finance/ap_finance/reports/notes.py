"""The notes every finance report carries: how figures were rounded and where they came from."""

from __future__ import annotations

from datetime import date, datetime

from ap_finance.reports.forecast import FORECAST_RULE
from ap_finance.reports.models import BudgetHeader
from ap_finance.reports.placement_costs import PLACEMENT_COST_RULE

ROUNDING_RULE = (
    "Money is held as whole pence and shown in pounds with two decimals: no figure taken from the "
    "ledger is rounded. Only derived figures (forecast outturn, cost per placement, cost per pupil-day) "
    "are rounded, half up to the penny. Surplus shares use the largest-remainder rule, so they add up "
    "exactly to the amount shared."
)
IDENTITY_RULE = "For every line and in total: budget = actual + commitments + remaining."
NO_PUPIL_DATA = "This report holds no pupil data: no names, no pupil references, counts only."


def _day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _when(moment: datetime) -> str:
    return f"{_day(moment.date())} at {moment:%H:%M} {moment.tzname() or 'UTC'}"


def standard_notes(header: BudgetHeader) -> tuple[str, ...]:
    source = header.source
    return (
        ROUNDING_RULE,
        IDENTITY_RULE,
        FORECAST_RULE,
        PLACEMENT_COST_RULE,
        # Plain language for the reader (issue 12): internal record ids stay in the JSON header's source.
        (
            f"Source: every change recorded on this budget up to event version {source.stream_version}, "
            f"the last recorded on {_when(source.recorded_at)}. Spending and commitments are year to date "
            f"as at {_day(header.as_at)}; budgets and forecasts are for the whole financial year. "
            f"Produced on {_when(header.generated_at)}."
        ),
        NO_PUPIL_DATA,
    )
