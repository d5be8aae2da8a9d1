"""Fair Access cases: the school days a child is without a place, and how a case is closed (seed 004's
Fair Access data; the DfE Fair Access Protocols; issue 13).

Rules served: the wait is the school days from the first day without a place up to the day before the
child starts at the new place (or the day before the case is closed without one), counted with the LA's
calendar (``ap_runtime.school_days``: half terms, INSET days and bank holidays are not school days); a
case is closed with a placement or a recorded reason (``fair_access.closed_with_placement_or_reason``)
by a member of the panel (``panel.decided_by_member``). How waits are banded is ``fair_access_bands``.
"""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID

from pydantic import model_validator

from ap_commissioning.domain.context import DecisionContext
from ap_commissioning.domain.fair_access_bands import DEFAULT_BANDS
from ap_commissioning.domain.panel_errors import (
    ClosedWithoutPlacementOrReason,
    DateBeforeCase,
)
from ap_commissioning.domain.panel_state import PanelState
from ap_commissioning.domain.panels import PanelCommand, case_to_conclude, check_new_case, event_fields
from ap_contracts.events.commissioning_panels import FairAccessCaseClosed, FairAccessCaseOpened, PanelKind
from ap_contracts.events.commissioning_vocabulary import CommissioningEvent, LongText, Phase
from ap_contracts.identifiers import OrganisationId
from ap_runtime.school_days import SchoolCalendar, school_days_between


class OpenFairAccessCase(PanelCommand):
    case_id: UUID
    pupil_ref: UUID
    phase: Phase
    without_place_since: date
    opened_on: date


class CloseFairAccessCase(PanelCommand):
    """Closed with a placement (``placed_at`` and ``placed_on`` together) or a ``reason``, by the calling member."""

    case_id: UUID
    closed_on: date
    placed_at: OrganisationId | None = None
    placed_on: date | None = None
    reason: LongText = ""

    @model_validator(mode="after")
    def _placement_whole(self) -> CloseFairAccessCase:
        if (self.placed_at is None) != (self.placed_on is None):
            raise ValueError("placed_at and placed_on name the placement together: give both or neither")
        return self


def school_days_without_place(without_place_since: date, until: date, calendar: SchoolCalendar) -> int:
    """School days ``d`` with ``without_place_since <= d < until``: the first day without a place counts,
    the first day at the new place (or the day the wait is measured) does not."""
    days: int = school_days_between(without_place_since - timedelta(days=1), until - timedelta(days=1), calendar)
    return max(0, days)


def open_case(command: OpenFairAccessCase, state: PanelState, context: DecisionContext) -> list[CommissioningEvent]:
    check_new_case(state, command, PanelKind.BEHAVIOUR_ATTENDANCE, "Fair Access cases", command.case_id, context,
                   opened_on=command.opened_on)
    if command.without_place_since > command.opened_on:
        raise DateBeforeCase("opened_on", f"the first day without a place, {command.without_place_since}")
    return [FairAccessCaseOpened(**event_fields(command), opened_by=context.user_id)]


def close_case(command: CloseFairAccessCase, state: PanelState, context: DecisionContext) -> list[CommissioningEvent]:
    """Close with a placement or a reason; the wait in school days and whether it passed the expectation."""
    case = case_to_conclude(state, command.panel_id, state.fair_access, command.case_id, context,
                            lambda open_case: open_case.closed, closed_on=command.closed_on)
    if command.placed_at is None and not command.reason.strip():
        raise ClosedWithoutPlacementOrReason()
    ended = command.placed_on or command.closed_on
    if ended < case.without_place_since or command.closed_on < case.without_place_since:
        raise DateBeforeCase("placed_on" if command.placed_on else "closed_on",
                             f"the first day without a place, {case.without_place_since}")
    wait = school_days_without_place(case.without_place_since, ended, context.calendar)
    return [FairAccessCaseClosed(
        **event_fields(command), closed_by=context.user_id, school_days_without_place=wait,
        beyond_expectation=DEFAULT_BANDS.beyond_expectation(wait),
        expectation_school_days=DEFAULT_BANDS.expectation_school_days, counted_with=context.counted_with)]
