"""The end of a placement: a Year 6 transition plan, the home school's confirmation of reintegration, the
ending itself (domain brief section 2, step 6)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from uuid import UUID

from pydantic import Field

from ap_contracts.events.placements import (
    PlacementEnded,
    ReintegrationConfirmed,
    TransitionPlanRecorded,
    TransitionVisit,
)
from ap_contracts.events.pupil_vocabulary import PlacementEndReason
from ap_contracts.events.pupils import PupilEvent
from ap_contracts.identifiers import OrganisationId, StaffId
from ap_incidents.domain.commands import PlacementCommand, Text
from ap_incidents.domain.context import DecisionContext
from ap_incidents.domain.correction_policy import Correction
from ap_incidents.domain.errors import (
    CommissionerDecisionRequired,
    EndReasonNeedsCommissioner,
    PermanentExclusionRequired,
    ReintegrationNotConfirmed,
    TooFewTransitionVisits,
    TransitionOnlyForFinalPrimaryYear,
    TransitionPlanRequired,
)
from ap_incidents.domain.folding import NOTHING, Applied, update_placement, with_placement
from ap_incidents.domain.guards import placement_entry, require_text, within_placement
from ap_incidents.domain.identity import record_id_for
from ap_incidents.domain.state import Placement, PupilRecord, TransitionPlanned
from ap_incidents.domain.theme import CommandDeclaration, EventRule, Theme

# ----------------------------------------------------------------------------- commands


class RecordTransitionPlan(PlacementCommand):
    receiving_school_id: OrganisationId
    planned_visits: tuple[TransitionVisit, ...] = Field(min_length=1)
    information_shared: bool
    lead_professional: StaffId
    needs_and_support: Text
    parental_involvement: Text


class ConfirmReintegration(PlacementCommand):
    confirmed_on: date


class EndPlacement(PlacementCommand):
    end_date: date
    reason: PlacementEndReason
    destination_id: OrganisationId | None = None
    summary: Text = ""


# ----------------------------------------------------------------------------- decisions


def record_transition_plan(
    command: RecordTransitionPlan, state: PupilRecord, context: DecisionContext
) -> list[PupilEvent]:
    """A pupil in the final primary year gets a transition plan with at least the minimum number of
    visits to the secondary school, on different days."""
    placement_entry(command, state)
    rules = context.rules
    if state.year_group is not rules.transition_year_group:
        raise TransitionOnlyForFinalPrimaryYear(
            f"transition plans are for year {rules.transition_year_group.value} pupils"
        )
    visit_days = {visit.visit_date for visit in command.planned_visits}
    if len(visit_days) < rules.min_transition_visits:
        raise TooFewTransitionVisits(
            f"plan at least {rules.min_transition_visits} visits on different days (found {len(visit_days)})"
        )
    return [TransitionPlanRecorded(
        pupil_ref=command.pupil_ref, record_id=record_id_for(command.command_id),
        placement_id=command.placement_id, receiving_school_id=command.receiving_school_id,
        year_group=state.year_group, planned_visits=command.planned_visits,
        information_shared=command.information_shared, lead_professional=command.lead_professional,
        needs_and_support=require_text(command.needs_and_support, "needs and support"),
        parental_involvement=command.parental_involvement, rule_version=rules.version,
    )]


def confirm_reintegration(
    command: ConfirmReintegration, state: PupilRecord, context: DecisionContext
) -> list[PupilEvent]:
    """The home school confirms it takes its pupil back; only then may the place end as a reintegration.

    Which school that is (the one the pupil is on roll at now, after any move) is the access policy's PLC-3;
    it was once also checked here, against the school named when the placement started."""
    placement = placement_entry(command, state)
    within_placement(placement, command.confirmed_on, context, "the confirmation")
    return [ReintegrationConfirmed(
        pupil_ref=command.pupil_ref, record_id=record_id_for(command.command_id),
        placement_id=command.placement_id, confirmed_on=command.confirmed_on, rule_version=context.rules.version,
    )]


def end_placement(command: EndPlacement, state: PupilRecord, context: DecisionContext) -> list[PupilEvent]:
    """A place is withdrawn only after the commissioner upheld the provider's proposal (and the provider
    cannot end it at all while its proposal awaits the decision); an end by permanent exclusion follows
    the home school head's exclusion; a move to secondary follows a transition plan. Which reasons the
    provider gives alone, and which need the home school's confirmation, is in the rule book; every other
    reason is the commissioner's to give."""
    placement = placement_entry(command, state)
    within_placement(placement, command.end_date, context, "the end date")
    by_provider = context.caller.acts_for(placement.provision_id)
    if by_provider and placement.pending_proposal is not None:
        raise CommissionerDecisionRequired(
            "the commissioner has not decided the provider's proposal: the provider cannot end the place meanwhile"
        )
    _require_end_reason_allowed(command.reason, placement, by_provider, context)
    decision = _decision_behind(command.reason, placement, state)
    return [PlacementEnded(
        pupil_ref=command.pupil_ref, record_id=record_id_for(command.command_id),
        placement_id=command.placement_id, end_date=command.end_date, reason=command.reason,
        destination_id=command.destination_id, decision_record_id=decision, summary=command.summary or None,
        rule_version=context.rules.version,
    )]


def _require_end_reason_allowed(reason: PlacementEndReason, placement: Placement, by_provider: bool,
                                context: DecisionContext) -> None:
    rules = context.rules
    if reason in rules.end_reasons_confirmed_by_home_school:
        if not placement.reintegration_confirmed:
            raise ReintegrationNotConfirmed(
                f"the home school {placement.home_school_id} has not confirmed that it takes the pupil back "
                f"(rules {rules.version})"
            )
        return
    if by_provider and reason not in rules.provider_end_reasons:
        raise EndReasonNeedsCommissioner(
            f"a provider cannot end a place as {reason.value.replace('_', ' ')} on its own: the commissioner "
            f"{placement.commissioner_id} ends it (rules {rules.version})"
        )


def _decision_behind(reason: PlacementEndReason, placement: Placement, state: PupilRecord) -> UUID | None:
    if reason is PlacementEndReason.PLACE_WITHDRAWN:
        upheld = placement.upheld_withdrawal
        if upheld is None:
            raise CommissionerDecisionRequired(
                "the provider cannot withdraw a place on its own: the commissioner must uphold a proposal first"
            )
        return upheld.decision_record_id
    if reason is PlacementEndReason.PERMANENTLY_EXCLUDED:
        exclusion = state.permanent_exclusion
        if exclusion is None or exclusion.home_school_id != placement.home_school_id:
            raise PermanentExclusionRequired(
                "no permanent exclusion by the home school head is on record for this pupil"
            )
        return exclusion.record_id
    if reason is PlacementEndReason.TRANSITION_TO_SECONDARY and not placement.transition_plan_ids:
        raise TransitionPlanRequired("record the transition plan before the move to secondary school")
    return None


# ----------------------------------------------------------------------------- folds (evolve)


def _transition_planned(event: TransitionPlanRecorded, state: PupilRecord) -> Applied:
    placement = state.placements.get(event.placement_id)
    if placement is None:
        return state, NOTHING
    plans = placement.transition_plan_ids | {event.record_id}
    return with_placement(state, replace(placement, transition_plan_ids=plans)), TransitionPlanned(event.placement_id)


def _reintegration_confirmed(event: ReintegrationConfirmed, state: PupilRecord) -> Applied:
    return update_placement(state, event.placement_id, reintegration_confirmed=True), NOTHING


def _placement_ended(event: PlacementEnded, state: PupilRecord) -> Applied:
    ended = update_placement(state, event.placement_id, ended_on=event.end_date, end_reason=event.reason)
    if ended.active_placement_id == event.placement_id:
        ended = replace(ended, active_placement_id=None)
    return ended, NOTHING


# ----------------------------------------------------------------------------- declarations

THEME = Theme(
    __name__,
    declarations=(
        CommandDeclaration(RecordTransitionPlan, record_transition_plan, "incidents.record_transition_plan",
            (TransitionPlanRecorded,), "transition-plans", "Record a Year 6 transition plan"),
        CommandDeclaration(ConfirmReintegration, confirm_reintegration, "incidents.confirm_reintegration",
            (ReintegrationConfirmed,), "reintegration-confirmations",
            "Confirm that the home school takes the pupil back"),
        CommandDeclaration(EndPlacement, end_placement, "incidents.end_placement", (PlacementEnded,),
            "placement-endings", "End a placement"),
    ),
    events={
        TransitionPlanRecorded: EventRule(_transition_planned, Correction(
            locked=frozenset({"planned_visits", "year_group"}),
            withdrawable=True,
        )),
        ReintegrationConfirmed: EventRule(_reintegration_confirmed, Correction(locked=frozenset({"confirmed_on"}))),
        PlacementEnded: EventRule(_placement_ended, Correction(
            locked=frozenset({"decision_record_id", "end_date", "reason"}),
        )),
    },
)
