"""What the deciders know about one panel, folded from its stream: members, meetings, the area's continuum
of provision, and the cases it hears (referrals, Fair Access, Children Outside of School). Pure fold."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from uuid import UUID

from ap_contracts.envelope import OrgKind
from ap_contracts.events.base import DomainEvent
from ap_contracts.events.commissioning_panels import (
    ContinuumServiceListed,
    FairAccessCaseClosed,
    FairAccessCaseOpened,
    OutsideSchoolCaseOpened,
    OutsideSchoolOutcomeRecorded,
    PanelConstituted,
    PanelKind,
    PanelMeetingHeld,
    PanelMemberAppointed,
    PanelMemberRemoved,
    PanelReferralDecided,
    PanelReferralMade,
)
from ap_contracts.events.commissioning_vocabulary import Phase


def panel_stream_id(panel_id: str) -> str:
    return f"panel-{panel_id}"


@dataclass(frozen=True, slots=True)
class ContinuumService:
    phases: frozenset[Phase]
    referrer_kinds: frozenset[OrgKind]


@dataclass(frozen=True, slots=True)
class OpenReferral:
    referred_on: date
    decided: bool = False


@dataclass(frozen=True, slots=True)
class OpenCase:
    without_place_since: date
    closed: bool = False


@dataclass(frozen=True, slots=True)
class PanelState:
    panel_id: str | None = None
    kind: PanelKind | None = None
    local_authority_id: str | None = None
    members: Mapping[str, str] = field(default_factory=dict)
    """user id -> the organisation the member sits for"""
    meetings: Mapping[UUID, date] = field(default_factory=dict)
    services: Mapping[str, ContinuumService] = field(default_factory=dict)
    referrals: Mapping[UUID, OpenReferral] = field(default_factory=dict)
    fair_access: Mapping[UUID, OpenCase] = field(default_factory=dict)
    outside_school: Mapping[UUID, bool] = field(default_factory=dict)
    """case id -> has an outcome"""


def _membership(state: PanelState, event: DomainEvent) -> PanelState:
    if isinstance(event, PanelMemberAppointed):
        return replace(state, members={**state.members, event.user_id: event.organisation_id})
    if isinstance(event, PanelMemberRemoved):
        return replace(state, members={k: v for k, v in state.members.items() if k != event.user_id})
    if isinstance(event, PanelMeetingHeld):
        return replace(state, meetings={**state.meetings, event.meeting_id: event.held_on})
    if isinstance(event, ContinuumServiceListed):
        service = ContinuumService(frozenset(event.phases), frozenset(event.referrer_kinds))
        return replace(state, services={**state.services, event.service_id: service})
    return state


def _cases(state: PanelState, event: DomainEvent) -> PanelState:
    if isinstance(event, PanelReferralMade):
        return replace(state, referrals={**state.referrals, event.referral_id: OpenReferral(event.referred_on)})
    if isinstance(event, PanelReferralDecided):
        decided = replace(state.referrals[event.referral_id], decided=True)
        return replace(state, referrals={**state.referrals, event.referral_id: decided})
    if isinstance(event, FairAccessCaseOpened):
        return replace(state, fair_access={**state.fair_access, event.case_id: OpenCase(event.without_place_since)})
    if isinstance(event, FairAccessCaseClosed):
        closed = replace(state.fair_access[event.case_id], closed=True)
        return replace(state, fair_access={**state.fair_access, event.case_id: closed})
    if isinstance(event, OutsideSchoolCaseOpened):
        return replace(state, outside_school={**state.outside_school, event.case_id: False})
    if isinstance(event, OutsideSchoolOutcomeRecorded):
        return replace(state, outside_school={**state.outside_school, event.case_id: True})
    return state


PANEL_FOLDS: frozenset[type[DomainEvent]] = frozenset({
    PanelConstituted, PanelMemberAppointed, PanelMemberRemoved, PanelMeetingHeld, ContinuumServiceListed,
    PanelReferralMade, PanelReferralDecided, FairAccessCaseOpened, FairAccessCaseClosed, OutsideSchoolCaseOpened,
    OutsideSchoolOutcomeRecorded})


def evolve_panel(state: PanelState, event: DomainEvent) -> PanelState:
    """Fold one panel event; no rule is checked here."""
    if isinstance(event, PanelConstituted):
        return replace(state, panel_id=event.panel_id, kind=event.kind, local_authority_id=event.local_authority_id)
    return _cases(_membership(state, event), event)


def fold_panel(events: Iterable[DomainEvent]) -> PanelState:
    state = PanelState()
    for event in events:
        state = evolve_panel(state, event)
    return state
