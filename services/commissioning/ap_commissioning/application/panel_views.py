"""What the panel reads show (seed 003 2.1, seed 004; issue 13): a panel's members, meetings, continuum of
provision and the cases before it, each Fair Access case with its wait in school days (to today while open)
and the bands it reached. Pure: built from the panel's events and the calendar the LA counts with."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from uuid import UUID

from ap_commissioning.domain.fair_access import school_days_without_place
from ap_commissioning.domain.fair_access_bands import DEFAULT_BANDS, FairAccessBands
from ap_commissioning.domain.fair_access_table import FairAccessCaseRow
from ap_contracts.events import commissioning_panels as pe
from ap_contracts.events.base import DomainEvent
from ap_runtime.school_days import SchoolCalendar, SchoolCalendarNotRecorded


@dataclass(frozen=True, slots=True)
class ReferralView:
    referral_id: UUID
    pupil_ref: UUID
    phase: str
    service_id: str
    referred_on: date
    referred_by_organisation_id: str
    decision: str | None = None
    decided_on: date | None = None
    decided_by: str | None = None
    days_taken: int | None = None
    school_days_taken: int | None = None
    expected_wait_school_days: int | None = None
    """the service's expected wait as the continuum listed it when the referral was made"""

    @property
    def within_expected_wait(self) -> bool | None:
        """Decided within the service's expected wait (None while undecided)."""
        if self.school_days_taken is None or self.expected_wait_school_days is None:
            return None
        return self.school_days_taken <= self.expected_wait_school_days


@dataclass(frozen=True, slots=True)
class FairAccessCaseView:
    case_id: UUID
    pupil_ref: UUID
    phase: str
    without_place_since: date
    opened_on: date
    open: bool = True
    closed_on: date | None = None
    placed_at: str | None = None
    placed_on: date | None = None
    reason: str = ""
    school_days_without_place: int | None = None
    """to the placement or closing; while open, to today (None when the calendar has no term dates for it)"""
    bands: tuple[int, ...] = ()
    beyond_expectation: bool | None = None


@dataclass(frozen=True, slots=True)
class OutsideSchoolCaseView:
    case_id: UUID
    pupil_ref: UUID
    phase: str
    reason: str
    opened_on: date
    outcome: str | None = None
    school_id: str | None = None
    recorded_on: date | None = None


@dataclass
class PanelView:
    panel_id: str
    kind: str
    name: str
    area_id: str
    local_authority_id: str
    members: dict[str, dict[str, str]] = field(default_factory=dict)
    meetings: list[dict[str, object]] = field(default_factory=list)
    continuum: dict[str, dict[str, object]] = field(default_factory=dict)
    referrals: dict[UUID, ReferralView] = field(default_factory=dict)
    fair_access_cases: dict[UUID, FairAccessCaseView] = field(default_factory=dict)
    outside_school_cases: dict[UUID, OutsideSchoolCaseView] = field(default_factory=dict)

    def case_rows(self) -> list[FairAccessCaseRow]:
        return [FairAccessCaseRow(self.panel_id, self.name, c.without_place_since, c.placed_on or c.closed_on)
                for c in self.fair_access_cases.values()]


def _membership(view: PanelView, event: DomainEvent) -> None:
    if isinstance(event, pe.PanelMemberAppointed):
        view.members[event.user_id] = {"organisation_id": event.organisation_id, "sits_as": event.sits_as}
    elif isinstance(event, pe.PanelMemberRemoved):
        view.members.pop(event.user_id, None)
    elif isinstance(event, pe.PanelMeetingHeld):
        view.meetings.append({"meeting_id": event.meeting_id, "held_on": event.held_on,
                              "attended_by": list(event.attended_by)})
    elif isinstance(event, pe.ContinuumServiceListed):
        view.continuum[event.service_id] = event.model_dump(exclude={"panel_id"})


def _cases(view: PanelView, event: DomainEvent) -> None:
    if isinstance(event, pe.PanelReferralMade):
        service = view.continuum.get(event.service_id, {})
        wait = service.get("expected_wait_school_days")
        view.referrals[event.referral_id] = ReferralView(
            event.referral_id, event.pupil_ref, event.phase.value, event.service_id, event.referred_on,
            event.referred_by_organisation_id, expected_wait_school_days=wait if isinstance(wait, int) else None)
    elif isinstance(event, pe.PanelReferralDecided):
        view.referrals[event.referral_id] = replace(
            view.referrals[event.referral_id], decision=event.decision.value, decided_on=event.decided_on,
            decided_by=event.decided_by, days_taken=event.days_taken, school_days_taken=event.school_days_taken)
    elif isinstance(event, pe.FairAccessCaseOpened):
        view.fair_access_cases[event.case_id] = FairAccessCaseView(
            event.case_id, event.pupil_ref, event.phase.value, event.without_place_since, event.opened_on)
    elif isinstance(event, pe.FairAccessCaseClosed):
        view.fair_access_cases[event.case_id] = replace(
            view.fair_access_cases[event.case_id], open=False, closed_on=event.closed_on, placed_at=event.placed_at,
            placed_on=event.placed_on, reason=event.reason, school_days_without_place=event.school_days_without_place)
    elif isinstance(event, pe.OutsideSchoolCaseOpened):
        view.outside_school_cases[event.case_id] = OutsideSchoolCaseView(
            event.case_id, event.pupil_ref, event.phase.value, event.reason.value, event.opened_on)
    elif isinstance(event, pe.OutsideSchoolOutcomeRecorded):
        view.outside_school_cases[event.case_id] = replace(
            view.outside_school_cases[event.case_id], outcome=event.outcome.value, school_id=event.school_id,
            recorded_on=event.recorded_on)


def _with_wait(case: FairAccessCaseView, today: date, calendar: SchoolCalendar,
               bands: FairAccessBands) -> FairAccessCaseView:
    wait = case.school_days_without_place
    if case.open:
        try:
            wait = school_days_without_place(case.without_place_since, today, calendar)
        except SchoolCalendarNotRecorded:
            return case
    assert wait is not None  # a closed case recorded its wait
    return replace(case, school_days_without_place=wait, bands=bands.bands_of(wait),
                   beyond_expectation=bands.beyond_expectation(wait))


def panel_view(events: Iterable[DomainEvent], today: date, calendar: SchoolCalendar,
               bands: FairAccessBands = DEFAULT_BANDS) -> PanelView | None:
    """The panel as its events record it, Fair Access waits counted to ``today`` while open; None if never
    constituted."""
    view: PanelView | None = None
    for event in events:
        if isinstance(event, pe.PanelConstituted):
            view = PanelView(event.panel_id, event.kind.value, event.name, event.area_id, event.local_authority_id)
        elif view is not None:
            _membership(view, event)
            _cases(view, event)
    if view is not None:
        view.fair_access_cases = {k: _with_wait(c, today, calendar, bands) for k, c in view.fair_access_cases.items()}
    return view
