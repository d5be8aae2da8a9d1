"""Decisions on the course of a placement: reviews, reduced timetables, transition, the end."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

from ap_contracts.events.placements import (
    PlacementEnded,
    ReducedTimetableReviewed,
    ReintegrationConfirmed,
    ReviewHeld,
    TransitionPlanRecorded,
)
from ap_contracts.events.pupil_vocabulary import (
    PlacementEndReason,
    ReducedTimetableOutcome,
    ReviewOutcome,
    TimetableKind,
)
from ap_contracts.events.pupils import PupilEvent
from ap_incidents.domain.commands import (
    ConfirmReintegration,
    EndPlacement,
    HoldReview,
    RecordTransitionPlan,
    ReviewReducedTimetable,
)
from ap_incidents.domain.context import DecisionContext
from ap_incidents.domain.errors import (
    CommissionerDecisionRequired,
    EndReasonNeedsCommissioner,
    NotOnReducedTimetable,
    OnlyHomeSchool,
    PermanentExclusionRequired,
    ReducedTimetableIncomplete,
    ReducedTimetableReviewTooLate,
    ReintegrationNotConfirmed,
    ReviewIntervalTooLong,
    TooFewTransitionVisits,
    TransitionOnlyForFinalPrimaryYear,
    TransitionPlanRequired,
)
from ap_incidents.domain.guards import party_entry, require_order, require_text, within_placement
from ap_incidents.domain.identity import record_id_for
from ap_incidents.domain.state import Placement, PupilRecord


def hold_review(command: HoldReview, state: PupilRecord, context: DecisionContext) -> list[PupilEvent]:
    """A review sets a time-bound plan of action and, unless the placement is ending, the next review
    within the half-termly interval."""
    placement = party_entry(command, state, context)
    within_placement(placement, command.held_on, context, "the review")
    require_order(command.held_on, command.action_plan_due_date, "action plan due date")
    next_review = command.next_review_date
    if command.outcome is not ReviewOutcome.END_PLACEMENT:
        limit = command.held_on + timedelta(days=context.rules.max_days_between_reviews)
        if next_review is None or next_review > limit:
            raise ReviewIntervalTooLong(f"set the next review on or before {limit} (at least half-termly)")
        require_order(command.held_on, next_review, "next review date")
    return [ReviewHeld(
        pupil_ref=command.pupil_ref, record_id=record_id_for(command.command_id),
        placement_id=command.placement_id, held_on=command.held_on, outcome=command.outcome,
        progress_summary=require_text(command.progress_summary, "progress"),
        action_plan=require_text(command.action_plan, "the plan of action"),
        action_plan_due_date=command.action_plan_due_date, next_review_date=next_review,
        rule_version=context.rules.version,
    )]


def review_reduced_timetable(
    command: ReviewReducedTimetable, state: PupilRecord, context: DecisionContext
) -> list[PupilEvent]:
    """A reduced timetable stays temporary: each review either returns to full time or sets the next
    review within the limit, always with a plan back to full time."""
    placement = party_entry(command, state, context)
    within_placement(placement, command.reviewed_on, context, "the review")
    if placement.timetable is not TimetableKind.REDUCED:
        raise NotOnReducedTimetable("this placement is on a full-time timetable")
    next_review = command.next_review_date
    if command.outcome is ReducedTimetableOutcome.RETURNED_TO_FULL_TIME:
        if next_review is not None:
            raise ReducedTimetableIncomplete("a timetable back to full time has no next reduced-timetable review")
    else:
        if next_review is None:
            raise ReducedTimetableIncomplete("a timetable that stays reduced needs its next review date")
        require_order(command.reviewed_on, next_review, "next review date")
        limit = command.reviewed_on + timedelta(days=context.rules.reduced_timetable_max_review_days)
        if next_review > limit:
            raise ReducedTimetableReviewTooLate(f"review the reduced timetable again by {limit} at the latest")
    return [ReducedTimetableReviewed(
        pupil_ref=command.pupil_ref, record_id=record_id_for(command.command_id),
        placement_id=command.placement_id, reviewed_on=command.reviewed_on, outcome=command.outcome,
        next_review_date=next_review,
        reintegration_plan=require_text(command.reintegration_plan, "the reintegration plan"),
        rule_version=context.rules.version,
    )]


def record_transition_plan(
    command: RecordTransitionPlan, state: PupilRecord, context: DecisionContext
) -> list[PupilEvent]:
    """A pupil in the final primary year gets a transition plan with at least the minimum number of
    visits to the secondary school, on different days."""
    party_entry(command, state, context)
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
    """The home school confirms it takes its pupil back; only then may the place end as a reintegration."""
    placement = party_entry(command, state, context)
    if not context.caller.acts_for(placement.home_school_id):
        raise OnlyHomeSchool("only the pupil's home school confirms that it takes the pupil back")
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
    placement = party_entry(command, state, context)
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
