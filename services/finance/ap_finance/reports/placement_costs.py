"""Cost per placement and per pupil-day of a provision's year, from placement dates and actual spend.

Rules (stated in every report's notes):
- a placement counts for the year when any of its days falls in the financial year, up to the
  report date;
- pupil-days are the school weekdays (Monday to Friday) a placement ran within the financial year
  and up to the report date (an open placement runs to the report date). Term dates and bank
  holidays are not known to the platform, so they are not taken off;
- cost per placement = actual spend of the provision-year / placements; cost per pupil-day =
  actual spend / pupil-days; both rounded half up to the penny.
- small numbers: these figures describe a handful of pupils when the year has 1 or 2 placements,
  so then the placement count, pupil-days and both costs are published as "c"
  (``ap_runtime.privacy.suppression``), as every report leaving an organisation must.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from ap_finance.domain.financial_year import first_day, last_day
from ap_finance.reports.arithmetic import divide_half_up
from ap_runtime.privacy.suppression import SUPPRESSED, suppress_count

PLACEMENT_COST_RULE = (
    "Pupil-days are weekdays (Mon-Fri) each placement ran within the financial year, up to the report date; "
    "term dates and bank holidays are not deducted. Cost per placement and per pupil-day = actual spend / "
    "placements or pupil-days, rounded half up to the penny. With 1 or 2 placements these figures are "
    "suppressed ('c')."
)

Published = int | Literal["c"] | None


@dataclass(frozen=True, slots=True)
class PlacementPeriod:
    """When one placement ran at the provision (no pupil data)."""

    start_date: date
    end_date: date | None


@dataclass(frozen=True, slots=True)
class PlacementCosts:
    placements: int
    pupil_days: int
    actual_pence: int
    cost_per_placement_pence: int | None
    cost_per_pupil_day_pence: int | None


def weekdays_between(start: date, end: date) -> int:
    """Monday-to-Friday days from ``start`` to ``end`` inclusive (0 when end precedes start)."""
    if end < start:
        return 0
    days = (end - start).days + 1
    full_weeks, rest = divmod(days, 7)
    extra = sum(1 for offset in range(rest) if (start + timedelta(days=full_weeks * 7 + offset)).weekday() < 5)
    return full_weeks * 5 + extra


def placement_costs(periods: Iterable[PlacementPeriod], financial_year: str, as_at: date,
                    actual_pence: int) -> PlacementCosts:
    year_start, year_end = first_day(financial_year), min(last_day(financial_year), as_at)
    placements = pupil_days = 0
    for period in periods:
        start = max(period.start_date, year_start)
        end = min(period.end_date or year_end, year_end)
        if end < start:
            continue
        placements += 1
        pupil_days += weekdays_between(start, end)
    return PlacementCosts(
        placements=placements,
        pupil_days=pupil_days,
        actual_pence=actual_pence,
        cost_per_placement_pence=divide_half_up(actual_pence, placements) if placements else None,
        cost_per_pupil_day_pence=divide_half_up(actual_pence, pupil_days) if pupil_days else None,
    )


@dataclass(frozen=True, slots=True)
class PublishedPlacementCosts:
    """``PlacementCosts`` as they may leave the organisation: "c" where resting on 1 or 2 placements."""

    placements: Published
    pupil_days: Published
    cost_per_placement_pence: Published
    cost_per_pupil_day_pence: Published


def published(costs: PlacementCosts) -> PublishedPlacementCosts:
    if suppress_count(costs.placements) == SUPPRESSED:
        return PublishedPlacementCosts(SUPPRESSED, SUPPRESSED, SUPPRESSED, SUPPRESSED)
    return PublishedPlacementCosts(
        costs.placements, costs.pupil_days, costs.cost_per_placement_pence, costs.cost_per_pupil_day_pence
    )
