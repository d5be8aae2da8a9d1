"""Fair Access cases, their waits in school days, the bands and the table (seed 004; issue 13). Every wait
expected here is counted by hand from the example calendar's dates, never with the function under test."""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid4

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ap_commissioning.domain.fair_access import CloseFairAccessCase, OpenFairAccessCase, close_case, open_case
from ap_commissioning.domain.fair_access_bands import FairAccessBands
from ap_commissioning.domain.fair_access_table import FairAccessCaseRow, fair_access_table
from ap_commissioning.domain.panel_state import fold_panel
from ap_contracts.events.commissioning_panels import FairAccessCaseClosed, FairAccessCaseOpened
from ap_contracts.events.commissioning_vocabulary import CommissioningEvent
from ap_runtime.school_days import EXAMPLE_DEMO_CALENDAR

from .commissioning_panel_history import BATH, COSP, MEMBER, STRANGER, as_user, bath_panel, cosp_panel, refused

CASE = UUID("00000000-0000-0000-0000-00000000d001")
PUPIL = UUID("00000000-0000-0000-0000-00000000c002")


def _open(**overrides: object) -> OpenFairAccessCase:
    fields: dict[str, object] = {"command_id": uuid4(), "panel_id": BATH, "case_id": CASE, "pupil_ref": PUPIL,
                                 "phase": "secondary", "without_place_since": "2026-04-27", "opened_on": "2026-04-28"}
    return OpenFairAccessCase.model_validate({**fields, **overrides})


def _close(**overrides: object) -> CloseFairAccessCase:
    fields: dict[str, object] = {"command_id": uuid4(), "panel_id": BATH, "case_id": CASE,
                                 "closed_on": "2026-06-03", "placed_at": "school-demo-secondary",
                                 "placed_on": "2026-06-08"}
    return CloseFairAccessCase.model_validate({**fields, **overrides})


def _opened() -> list[CommissioningEvent]:
    return [*bath_panel(), *open_case(_open(), fold_panel(bath_panel()), as_user("officer-1"))]


def test_a_case_is_opened_on_an_area_panel_by_the_caller() -> None:
    [event] = open_case(_open(), fold_panel(bath_panel()), as_user("officer-1"))
    assert isinstance(event, FairAccessCaseOpened) and event.opened_by == "officer-1"
    refused("panel.hears_its_kind", open_case, _open(panel_id=COSP), cosp_panel(), as_user("officer-1"))
    refused("panel.case_opened_once", open_case, _open(), _opened(), as_user("officer-1"))
    refused("panel.dates_in_order", open_case, _open(opened_on="2026-04-20"), bath_panel(), as_user("officer-1"))


def test_placed_across_a_bank_holiday_and_a_half_term_the_wait_is_counted_in_school_days() -> None:
    [event] = close_case(_close(), fold_panel(_opened()), as_user(MEMBER))
    # Without a place from Monday 27 April 2026 until the first day at the new school, Monday 8 June.
    # By hand from the example calendar: 27 Apr-1 May 5; 4 May is the early May bank holiday, 5-8 May 4;
    # 11-15 May 5; 18-22 May 5 (summer 1 ends Friday 22 May); 25-29 May half term (and the spring bank
    # holiday) 0; 1-5 June 5. 24 school days (30 weekdays), past the 20-school-day expectation.
    assert isinstance(event, FairAccessCaseClosed)
    assert (event.school_days_without_place, event.beyond_expectation, event.expectation_school_days) == (
        24, True, 20)
    assert (event.placed_at, event.closed_by, event.counted_with) == (
        "school-demo-secondary", MEMBER, "la-demo-county (example)")


def test_a_case_closed_without_a_placement_or_a_reason_is_refused() -> None:
    command = _close(placed_at=None, placed_on=None, reason="  ")
    refused("fair_access.closed_with_placement_or_reason", close_case, command, _opened(), as_user(MEMBER))


def test_a_case_closed_with_a_reason_counts_the_wait_to_the_closing_day() -> None:
    command = _close(placed_at=None, placed_on=None, reason="family moved out of the county", closed_on="2026-05-11")
    [event] = close_case(command, fold_panel(_opened()), as_user(MEMBER))
    # 27 Apr-1 May 5, 5-8 May 4 (4 May bank holiday): 9 school days before Monday 11 May.
    assert isinstance(event, FairAccessCaseClosed)
    assert (event.school_days_without_place, event.beyond_expectation, event.placed_at) == (9, False, None)


def test_closing_is_the_panels_act_once_and_never_before_the_wait_began() -> None:
    refused("panel.decided_by_member", close_case, _close(), _opened(), as_user(STRANGER))
    closed = [*_opened(), *close_case(_close(), fold_panel(_opened()), as_user(MEMBER))]
    refused("panel.case_concluded_once", close_case, _close(), closed, as_user(MEMBER))
    refused("panel.dates_in_order", close_case, _close(placed_on="2026-04-20"), _opened(), as_user(MEMBER))
    refused("panel.case_exists", close_case, _close(case_id=str(uuid4())), _opened(), as_user(MEMBER))


def test_a_placement_names_its_school_and_first_day_together() -> None:
    with pytest.raises(ValueError, match="placed_at and placed_on"):
        _close(placed_on=None)


@pytest.mark.parametrize(("wait", "cumulative", "exclusive"), [
    (20, (), ()), (37, (), ()), (38, (38,), (38,)), (70, (38, 69), (69,)), (100, (38, 69, 100), (100,)),
])
def test_bands_are_cumulative_by_default_and_exclusive_on_request(
        wait: int, cumulative: tuple[int, ...], exclusive: tuple[int, ...]) -> None:
    assert FairAccessBands().bands_of(wait) == cumulative
    assert FairAccessBands(cumulative=False).bands_of(wait) == exclusive


def test_the_expectation_is_twenty_school_days_and_a_parameter() -> None:
    assert not FairAccessBands().beyond_expectation(20)
    assert FairAccessBands().beyond_expectation(21)
    assert FairAccessBands(expectation_school_days=25).beyond_expectation(21) is False
    with pytest.raises(ValueError, match="increasing"):
        FairAccessBands(thresholds=(69, 38))


def test_the_table_has_the_seeds_shape_per_panel_area_with_a_total() -> None:
    cases = [
        # 24 school days (counted above).
        FairAccessCaseRow(BATH, "Bath Panel", date(2026, 4, 27), date(2026, 6, 8)),
        # From Monday 23 March: 23-27 Mar 5, Easter holidays 30 Mar-10 Apr 0, 13-24 Apr 10, then the 24
        # above: 39 school days, in the 38+ band.
        FairAccessCaseRow(BATH, "Bath Panel", date(2026, 3, 23), date(2026, 6, 8)),
        # Still open: from Monday 1 June, seven weeks to Friday 17 July (35) and Mon 20, Tue 21 July: 37
        # school days before Wednesday 22 July (the last day of the year), 38 counted on 23 July.
        FairAccessCaseRow("panel-keynsham", "Keynsham and Chew Valley Panel", date(2026, 6, 1), None),
    ]
    table = fair_access_table(cases, date(2026, 7, 22), EXAMPLE_DEMO_CALENDAR)
    bath, keynsham = table.rows
    assert (bath.panel_name, bath.cases, bath.by_band, bath.beyond_expectation, bath.still_open) == (
        "Bath Panel", 2, {38: 1, 69: 0, 100: 0}, 2, 0)
    assert (keynsham.cases, keynsham.by_band, keynsham.beyond_expectation, keynsham.still_open) == (
        1, {38: 0, 69: 0, 100: 0}, 1, 1)
    assert (table.total.cases, table.total.by_band, table.cumulative) == (3, {38: 1, 69: 0, 100: 0}, True)
    a_day_later = fair_access_table(cases, date(2026, 7, 23), EXAMPLE_DEMO_CALENDAR)
    assert a_day_later.total.by_band == {38: 2, 69: 0, 100: 0}


def test_a_wait_over_years_without_term_dates_is_not_counted_in_any_band() -> None:
    # 2024-25 is not in the example calendar: the case is in the table's cases, and in no band.
    cases = [FairAccessCaseRow(BATH, "Bath Panel", date(2024, 9, 2), None),
             FairAccessCaseRow(BATH, "Bath Panel", date(2026, 4, 27), date(2026, 6, 8))]
    [bath] = fair_access_table(cases, date(2026, 7, 22), EXAMPLE_DEMO_CALENDAR).rows
    assert (bath.cases, bath.not_counted, bath.beyond_expectation, bath.by_band) == (
        2, 1, 1, {38: 0, 69: 0, 100: 0})


def test_a_case_is_closed_on_a_past_day_though_the_placement_may_start_later() -> None:
    on_the_third = as_user(MEMBER, today=date(2026, 6, 3))
    refused("panel.dated_today_or_earlier", close_case, _close(closed_on="2026-06-04"), _opened(), on_the_third)
    refused("panel.dated_today_or_earlier", open_case, _open(case_id=str(uuid4()), opened_on="2026-06-04"),
            bath_panel(), on_the_third)
    [event] = close_case(_close(), fold_panel(_opened()), on_the_third)
    assert isinstance(event, FairAccessCaseClosed) and event.placed_on == date(2026, 6, 8)


@settings(derandomize=True)
@given(st.integers(min_value=0, max_value=400),
       st.lists(st.integers(min_value=1, max_value=300), min_size=1, max_size=5, unique=True))
def test_a_wait_is_in_every_band_it_reached_or_in_the_highest_only(wait: int, thresholds: list[int]) -> None:
    cumulative = FairAccessBands(tuple(sorted(thresholds))).bands_of(wait)
    exclusive = FairAccessBands(tuple(sorted(thresholds)), cumulative=False).bands_of(wait)
    assert cumulative == tuple(t for t in sorted(thresholds) if wait >= t)
    assert exclusive == cumulative[-1:]
