"""Value for money: the cost per successful reintegration (seed 001 section 5, seed 003 section 3.1; issue 13).

Rule ``reintegration.successful`` (version ``reintegration-2026.1``, stated on every answer):
- a placement is a reintegration when it ended back in mainstream: reintegrated to the home school, or a managed
  move to another mainstream school;
- it is successful when the pupil is not excluded again (no suspension starting, no permanent exclusion taking
  effect) within two terms of the placement's end: after the end date, up to the last day of the fourth half term
  that starts after it, on the pupil's home school's recorded calendar (two terms are four half terms of school);
- until that day has passed it is pending; a pupil excluded within it is not sustained; where the calendar records
  no term dates for the window it is not counted (the calendar never guesses, rule ``calendar.recorded``);
- the reintegrations of a financial year are those whose placement at the provision ended in it; cost per
  successful reintegration = actual spend of the provision-year / successful reintegrations, rounded half up to the
  penny; with 1 or 2 successful reintegrations the count and the cost are suppressed ("c"), as every figure
  resting on 1 or 2 pupils leaving an organisation is.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from ap_contracts.events.placement_vocabulary import PlacementEndReason
from ap_finance.domain.financial_year import first_day, last_day
from ap_finance.reports.arithmetic import divide_half_up
from ap_finance.reports.placement_costs import Published
from ap_runtime.privacy.suppression import SUPPRESSED, suppress_count
from ap_runtime.school_days import CalendarRefused, SchoolCalendars, next_half_term

REINTEGRATION_RULE = "reintegration.successful"
REINTEGRATION_RULE_VERSION = "reintegration-2026.1"
BACK_IN_MAINSTREAM = frozenset({PlacementEndReason.REINTEGRATED_TO_HOME_SCHOOL, PlacementEndReason.MANAGED_MOVE})
HALF_TERMS_WITHOUT_EXCLUSION = 4


class ReintegrationOutcome(StrEnum):
    SUCCESSFUL = "successful"
    NOT_SUSTAINED = "not_sustained"
    PENDING = "pending"
    NOT_COUNTED = "not_counted"


@dataclass(frozen=True, slots=True)
class EndedPlacement:
    """A placement that ended, with the days the same pupil was later excluded (no pupil data beyond the dates)."""

    home_school_id: str
    end_date: date
    reason: PlacementEndReason
    exclusions: tuple[date, ...] = ()


def window_end(end_date: date, calendars: SchoolCalendars, school: str) -> date | None:
    """The last day of the fourth half term starting after ``end_date`` on the school's recorded calendar, or None
    when the calendar does not record them (the school in no recorded area, or a year not recorded)."""
    calendar = calendars.for_school(school)
    if calendar is None:
        return None
    day = end_date
    try:
        for _ in range(HALF_TERMS_WITHOUT_EXCLUSION):
            day = next_half_term(day, calendar, school).last_day
    except CalendarRefused:
        return None
    return day


def outcome(placement: EndedPlacement, calendars: SchoolCalendars, as_at: date) -> ReintegrationOutcome:
    """The placement's reintegration outcome on ``as_at`` (rule ``reintegration.successful``)."""
    until = window_end(placement.end_date, calendars, placement.home_school_id)
    if until is None:
        return ReintegrationOutcome.NOT_COUNTED
    if any(placement.end_date < day <= min(until, as_at) for day in placement.exclusions):
        return ReintegrationOutcome.NOT_SUSTAINED
    return ReintegrationOutcome.SUCCESSFUL if as_at > until else ReintegrationOutcome.PENDING


@dataclass(frozen=True, slots=True)
class ReintegrationCosts:
    rule: str
    rule_version: str
    financial_year: str
    as_at: date
    actual_pence: int
    reintegrations: int
    successful: Published
    not_sustained: int
    pending: int
    not_counted: int
    cost_per_successful_reintegration_pence: Published


def reintegration_costs(placements: Iterable[EndedPlacement], calendars: SchoolCalendars, financial_year: str,
                        as_at: date, actual_pence: int) -> ReintegrationCosts:
    """The financial year's reintegrations by outcome and the cost per successful one, as it may be published."""
    start, end = first_day(financial_year), min(last_day(financial_year), as_at)
    counts = dict.fromkeys(ReintegrationOutcome, 0)
    for placement in placements:
        if placement.reason in BACK_IN_MAINSTREAM and start <= placement.end_date <= end:
            counts[outcome(placement, calendars, as_at)] += 1
    successful = counts[ReintegrationOutcome.SUCCESSFUL]
    cost: Published = divide_half_up(actual_pence, successful) if successful else None
    shown: Published = successful
    if successful and suppress_count(successful) == SUPPRESSED:
        shown = cost = SUPPRESSED
    return ReintegrationCosts(
        rule=REINTEGRATION_RULE, rule_version=REINTEGRATION_RULE_VERSION, financial_year=financial_year,
        as_at=as_at, actual_pence=actual_pence, reintegrations=sum(counts.values()), successful=shown,
        not_sustained=counts[ReintegrationOutcome.NOT_SUSTAINED], pending=counts[ReintegrationOutcome.PENDING],
        not_counted=counts[ReintegrationOutcome.NOT_COUNTED], cost_per_successful_reintegration_pence=cost)
