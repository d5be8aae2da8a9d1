"""Referrals to an area panel and the panel's decision, its date and the time taken (seed 003 2.1,
seed 004: "delays in deciding the placement of young people referred to Panels"; issue 13).

Rules served: a referral names a service of the area's continuum (``panel.service_in_continuum``) that
serves the child's phase (``panel.phase_served``) and that the referrer's kind of organisation may refer to
(``panel.referrer_on_pathway``); only a member of the panel decides (``panel.decided_by_member``), once, on
or after the referral; the time taken is recorded in calendar days and in school days counted with the
LA's calendar.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from ap_commissioning.domain.context import DecisionContext
from ap_commissioning.domain.panel_errors import (
    DateBeforeCase,
    MeetingNotRecorded,
    PhaseNotServed,
    ReferrerNotOnPathway,
    ServiceNotInContinuum,
)
from ap_commissioning.domain.panel_state import PanelState
from ap_commissioning.domain.panels import PanelCommand, case_to_conclude, check_new_case, event_fields
from ap_contracts.events.commissioning_panels import PanelDecision, PanelKind, PanelReferralDecided, PanelReferralMade
from ap_contracts.events.commissioning_vocabulary import CommissioningEvent, Phase
from ap_contracts.identifiers import OrganisationId
from ap_runtime.school_days import school_days_between


class MakePanelReferral(PanelCommand):
    """Who refers, for which organisation and of which kind comes from the verified token."""

    referral_id: UUID
    pupil_ref: UUID
    phase: Phase
    service_id: OrganisationId
    referred_on: date


class DecidePanelReferral(PanelCommand):
    """The member deciding is the caller (verified token)."""

    referral_id: UUID
    decision: PanelDecision
    decided_on: date
    meeting_id: UUID | None = None


def make_referral(command: MakePanelReferral, state: PanelState, context: DecisionContext) -> list[CommissioningEvent]:
    check_new_case(state, command, PanelKind.BEHAVIOUR_ATTENDANCE, "referrals to the continuum", command.referral_id,
                   context, referred_on=command.referred_on)
    service = state.services.get(command.service_id)
    if service is None:
        raise ServiceNotInContinuum(command.service_id)
    if command.phase not in service.phases:
        raise PhaseNotServed(command.service_id, command.phase.value)
    if context.organisation_kind not in service.referrer_kinds:
        kind = context.organisation_kind.value if context.organisation_kind else "caller of unknown kind"
        raise ReferrerNotOnPathway(command.service_id, kind)
    return [PanelReferralMade(**event_fields(command), referred_by=context.user_id,
                              referred_by_organisation_id=context.organisation_id)]


def decide_referral(command: DecidePanelReferral, state: PanelState,
                    context: DecisionContext) -> list[CommissioningEvent]:
    """The panel's decision by one of its members, with the time taken since the referral."""
    referral = case_to_conclude(state, command.panel_id, state.referrals, command.referral_id, context,
                                lambda open_referral: open_referral.decided, decided_on=command.decided_on)
    if command.decided_on < referral.referred_on:
        raise DateBeforeCase("decided_on", f"the referral on {referral.referred_on}")
    if command.meeting_id is not None and command.meeting_id not in state.meetings:
        raise MeetingNotRecorded(command.meeting_id)
    return [PanelReferralDecided(
        **event_fields(command), decided_by=context.user_id,
        days_taken=(command.decided_on - referral.referred_on).days,
        school_days_taken=school_days_between(referral.referred_on, command.decided_on, context.calendar),
        counted_with=context.counted_with)]
