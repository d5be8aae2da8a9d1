"""The notes every finance report carries: how figures were rounded and where they came from."""

from __future__ import annotations

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


def standard_notes(header: BudgetHeader) -> tuple[str, ...]:
    source = header.source
    return (
        ROUNDING_RULE,
        IDENTITY_RULE,
        FORECAST_RULE,
        PLACEMENT_COST_RULE,
        (
            f"Source: ledger of stream {source.stream_id} up to event version {source.stream_version} "
            f"(event {source.event_id}, recorded {source.recorded_at.isoformat()}); "
            f"report as at {header.as_at.isoformat()}, generated {header.generated_at.isoformat()}."
        ),
        NO_PUPIL_DATA,
    )
