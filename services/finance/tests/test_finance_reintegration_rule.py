"""Rule ``reintegration.successful`` (version reintegration-2026.1) and the cost per successful reintegration
(issue 13, value for money), pure: counted on the home school's recorded calendar (the example LA's term dates
recorded), two terms being the four half terms after the placement ended."""

from __future__ import annotations

from datetime import date

import pytest

from ap_contracts.envelope import OrgKind
from ap_contracts.events.organisations import OrganisationRegistered, TermDatesRecorded
from ap_contracts.events.placement_vocabulary import PlacementEndReason as End
from ap_finance.reports.reintegration import (
    EndedPlacement,
    ReintegrationOutcome,
    outcome,
    reintegration_costs,
    window_end,
)
from ap_runtime.school_days import recorded_calendars
from ap_runtime.school_days.example import term_dates_bodies

pytestmark = pytest.mark.unit

LA, SCHOOL, ELSEWHERE = "la-demo-county", "school-demo-ashgrove", "school-unregistered"
CALENDARS = recorded_calendars([
    OrganisationRegistered(organisation_id=SCHOOL, kind=OrgKind.HOME_SCHOOL, local_authority_id=LA),
    *(TermDatesRecorded.model_validate({**body, "local_authority_id": LA}) for body in term_dates_bodies()),
])
BACK = End.REINTEGRATED_TO_HOME_SCHOOL


def test_two_terms_are_the_four_half_terms_after_the_end() -> None:
    # Ended Friday 24 October 2025 (last day of autumn 1): autumn 2, spring 1, spring 2, summer 1 (to 22 May 2026).
    assert window_end(date(2025, 10, 24), CALENDARS, SCHOOL) == date(2026, 5, 22)
    # Ended in the Easter holiday: summer 1, summer 2, then autumn 1 and 2 of 2026-27 (to 18 December 2026).
    assert window_end(date(2026, 4, 1), CALENDARS, SCHOOL) == date(2026, 12, 18)


def test_excluded_within_two_terms_is_not_sustained_and_after_them_is_still_a_success() -> None:
    within = EndedPlacement(SCHOOL, date(2025, 10, 24), BACK, exclusions=(date(2026, 5, 22),))
    after = EndedPlacement(SCHOOL, date(2025, 10, 24), BACK, exclusions=(date(2026, 6, 1),))
    assert outcome(within, CALENDARS, date(2026, 7, 1)) is ReintegrationOutcome.NOT_SUSTAINED
    assert outcome(after, CALENDARS, date(2026, 7, 1)) is ReintegrationOutcome.SUCCESSFUL
    # On the window's last day it is not yet known.
    assert outcome(after, CALENDARS, date(2026, 5, 22)) is ReintegrationOutcome.PENDING


def test_a_school_in_no_recorded_area_or_an_unrecorded_year_is_not_counted() -> None:
    elsewhere = EndedPlacement(ELSEWHERE, date(2025, 10, 24), BACK)
    assert outcome(elsewhere, CALENDARS, date(2026, 7, 1)) is ReintegrationOutcome.NOT_COUNTED
    # Nor a placement that ended in an academic year (2024-25) whose term dates were never recorded.
    unrecorded_year = EndedPlacement(SCHOOL, date(2025, 7, 18), BACK)
    assert outcome(unrecorded_year, CALENDARS, date(2026, 7, 1)) is ReintegrationOutcome.NOT_COUNTED


def test_cost_per_successful_reintegration_of_the_financial_year() -> None:
    placements = [
        EndedPlacement(SCHOOL, date(2025, 10, 24), BACK),
        EndedPlacement(SCHOOL, date(2025, 9, 26), End.MANAGED_MOVE),
        EndedPlacement(SCHOOL, date(2025, 9, 5), BACK),
        EndedPlacement(SCHOOL, date(2025, 12, 19), BACK, exclusions=(date(2026, 2, 2),)),
        EndedPlacement(SCHOOL, date(2026, 3, 27), BACK),  # window to 18 December 2026: pending on 30 June
        EndedPlacement(ELSEWHERE, date(2025, 11, 7), BACK),
        EndedPlacement(SCHOOL, date(2025, 11, 7), End.PERMANENTLY_EXCLUDED),  # not back in mainstream
        EndedPlacement(SCHOOL, date(2026, 4, 24), BACK),  # ended in the next financial year
    ]
    costs = reintegration_costs(placements, CALENDARS, "2025-26", date(2026, 6, 30), actual_pence=10_000_000)
    assert (costs.reintegrations, costs.successful, costs.not_sustained, costs.pending, costs.not_counted) == (
        6, 3, 1, 1, 1)
    assert costs.cost_per_successful_reintegration_pence == 3_333_333  # 100,000.00 / 3, half up
    assert (costs.rule, costs.rule_version) == ("reintegration.successful", "reintegration-2026.1")


def test_one_or_two_successful_reintegrations_are_suppressed() -> None:
    two = [EndedPlacement(SCHOOL, date(2025, 10, 24), BACK), EndedPlacement(SCHOOL, date(2025, 9, 26), BACK)]
    costs = reintegration_costs(two, CALENDARS, "2025-26", date(2026, 6, 30), actual_pence=10_000_000)
    assert (costs.successful, costs.cost_per_successful_reintegration_pence) == ("c", "c")
    none = reintegration_costs([], CALENDARS, "2025-26", date(2026, 6, 30), actual_pence=10_000_000)
    assert (none.successful, none.cost_per_successful_reintegration_pence) == (0, None)
