"""The value-for-money read (issue 13; seed 001 section 5, seed 003 section 3.1): the cost per successful
reintegration next to the cost per placement and per pupil-day, all of one provision-year's actual spend up to the
day asked, each with the rule it is computed by."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import asdict
from datetime import date
from typing import Any

from ap_finance.reports.figures import category_figures, placement_figures
from ap_finance.reports.placement_costs import PLACEMENT_COST_RULE
from ap_finance.reports.reintegration import EndedPlacement, reintegration_costs
from ap_finance.reports.snapshot import LedgerSnapshot
from ap_runtime.school_days import SchoolCalendars

ReintegrationReads = Callable[[str], Awaitable[tuple[Sequence[EndedPlacement], SchoolCalendars]]]
"""provision id -> its ended placements with their pupils' later exclusions, and the recorded calendars"""


def value_for_money(snapshot: LedgerSnapshot, placements: Sequence[EndedPlacement], calendars: SchoolCalendars,
                    as_at: date) -> dict[str, Any]:
    """The three costs of the provision-year on ``as_at``, as JSON (figures on 1 or 2 pupils suppressed)."""
    _, total = category_figures(snapshot, as_at)
    budget = snapshot.budget
    reintegrations = reintegration_costs(placements, calendars, budget.financial_year, as_at, total.actual_pence)
    return {
        "provision_id": budget.provision_id, "financial_year": budget.financial_year, "as_at": as_at.isoformat(),
        "actual_pence": total.actual_pence,
        "placement_costs": {**placement_figures(snapshot, total.actual_pence, as_at).model_dump(mode="json"),
                            "rule": PLACEMENT_COST_RULE},
        "reintegrations": {**asdict(reintegrations), "as_at": as_at.isoformat()},
    }
