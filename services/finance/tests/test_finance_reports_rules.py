"""The reports' own rules, without I/O: forecast outturn, report periods, pupil-days and placement costs
with small-number suppression, and half-up rounding."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ap_finance.reports.arithmetic import divide_half_up
from ap_finance.reports.forecast import forecast_outturn_pence
from ap_finance.reports.periods import Term, quarter, report_date, term
from ap_finance.reports.placement_costs import PlacementPeriod, placement_costs, published, weekdays_between

YEAR = "2025-26"


@pytest.mark.parametrize(("numerator", "denominator", "expected"),
                         [(5, 2, 3), (4, 2, 2), (7, 3, 2), (1, 3, 0), (3, 2, 2), (0, 5, 0), (-5, 2, -3)])
def test_division_rounds_half_up_to_the_penny(numerator: int, denominator: int, expected: int) -> None:
    assert divide_half_up(numerator, denominator) == expected


@given(st.integers(0, 10**12), st.integers(1, 10**6))
def test_half_up_is_within_half_a_penny(numerator: int, denominator: int) -> None:
    result = divide_half_up(numerator, denominator)
    assert abs(result * denominator - numerator) * 2 <= denominator


def test_forecast_projects_actual_straight_line_and_adds_commitments() -> None:
    # 30 September: 183 of 365 days gone; £1,830.00 spent projects to £3,650.00.
    assert forecast_outturn_pence(183_000, 10_000, YEAR, date(2025, 9, 30)) == 365_000 + 10_000


def test_forecast_after_the_year_end_or_once_closed_is_actual_plus_commitments() -> None:
    assert forecast_outturn_pence(100_000, 5_000, YEAR, date(2026, 5, 1)) == 105_000
    assert forecast_outturn_pence(100_000, 5_000, YEAR, date(2025, 6, 1), closed=True) == 105_000


def test_forecast_before_the_year_starts_is_actual_plus_commitments() -> None:
    assert forecast_outturn_pence(0, 5_000, YEAR, date(2025, 3, 1)) == 5_000


def test_quarters_and_terms_cover_the_financial_year() -> None:
    assert (quarter(YEAR, 1).start, quarter(YEAR, 4).end) == (date(2025, 4, 1), date(2026, 3, 31))
    days = sum((p.end - p.start).days + 1 for p in (term(YEAR, t) for t in Term))
    assert days == 365
    assert term(YEAR, Term.SPRING).label == "spring term 2026"
    with pytest.raises(ValueError, match="quarters 1 to 4"):
        quarter(YEAR, 5)


def test_report_date_is_the_period_end_unless_today_comes_first() -> None:
    assert report_date(date(2025, 6, 30), date(2026, 11, 26)) == date(2025, 6, 30)
    assert report_date(date(2026, 12, 31), date(2026, 11, 26)) == date(2026, 11, 26)
    assert report_date(date(2026, 12, 31), date(2026, 11, 26), date(2026, 10, 1)) == date(2026, 10, 1)


@pytest.mark.parametrize(("start", "end", "expected"), [
    (date(2025, 9, 1), date(2025, 9, 7), 5),  # Monday to Sunday
    (date(2025, 9, 6), date(2025, 9, 7), 0),  # a weekend
    (date(2025, 9, 5), date(2025, 9, 8), 2),  # Friday to Monday
    (date(2025, 9, 8), date(2025, 9, 1), 0),
    (date(2025, 4, 1), date(2026, 3, 31), 261),
])
def test_weekdays_between(start: date, end: date, expected: int) -> None:
    assert weekdays_between(start, end) == expected


@given(st.dates(date(2020, 1, 1), date(2030, 1, 1)), st.integers(0, 800))
def test_weekdays_match_counting_day_by_day(start: date, length: int) -> None:
    end = date.fromordinal(start.toordinal() + length)
    counted = sum(1 for n in range(length + 1) if date.fromordinal(start.toordinal() + n).weekday() < 5)
    assert weekdays_between(start, end) == counted


def test_placement_costs_clip_placements_to_the_year_and_the_report_date() -> None:
    periods = [
        PlacementPeriod(date(2025, 3, 3), date(2025, 4, 4)),  # 1 to 4 April 2025: 4 weekdays in the year
        PlacementPeriod(date(2025, 9, 1), date(2025, 9, 12)),  # 10 weekdays
        PlacementPeriod(date(2026, 1, 5), None),  # open: runs to the report date, 16 January: 10 weekdays
        PlacementPeriod(date(2026, 2, 2), None),  # starts after the report date: not counted
        PlacementPeriod(date(2024, 9, 2), date(2025, 2, 28)),  # ended before the year
    ]
    costs = placement_costs(periods, YEAR, date(2026, 1, 16), actual_pence=1_000_000)
    assert (costs.placements, costs.pupil_days) == (3, 24)
    assert costs.cost_per_placement_pence == 333_333
    assert costs.cost_per_pupil_day_pence == 41_667  # 1,000,000 / 24 = 41,666.67, half up
    assert published(costs).placements == 3


@pytest.mark.parametrize("count", [1, 2])
def test_placement_costs_resting_on_one_or_two_placements_are_suppressed(count: int) -> None:
    periods = [PlacementPeriod(date(2025, 9, 1), date(2025, 9, 30))] * count
    shown = published(placement_costs(periods, YEAR, date(2026, 3, 31), actual_pence=500_000))
    assert (shown.placements, shown.pupil_days, shown.cost_per_placement_pence,
            shown.cost_per_pupil_day_pence) == ("c", "c", "c", "c")


def test_no_placements_gives_no_cost_rather_than_a_division_by_zero() -> None:
    costs = placement_costs([], YEAR, date(2026, 3, 31), actual_pence=500_000)
    assert (costs.cost_per_placement_pence, costs.cost_per_pupil_day_pence) == (None, None)
    assert published(costs).placements == 0
