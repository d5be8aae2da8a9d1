"""Reviews of a placement and of a reduced timetable (domain brief section 2, step 5)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from ap_contracts.events.placements import ReducedTimetableReviewed, ReviewHeld
from ap_contracts.events.pupil_vocabulary import ReducedTimetableOutcome, ReviewOutcome, TimetableKind
from ap_contracts.events.pupils import PupilEvent
from ap_incidents.domain.commands import PlacementCommand, Text
from ap_incidents.domain.context import DecisionContext
from ap_incidents.domain.correction_policy import Correction
from ap_incidents.domain.errors import (
    NotOnReducedTimetable,
    ReducedTimetableIncomplete,
    ReducedTimetableReviewTooLate,
    ReviewIntervalTooLong,
)
from ap_incidents.domain.folding import NOTHING, Applied, entry_only, with_placement
from ap_incidents.domain.guards import placement_entry, require_order, require_text, within_placement
from ap_incidents.domain.identity import record_id_for
from ap_incidents.domain.review_interval import latest_next_review, latest_reduced_timetable_review
from ap_incidents.domain.state import PupilRecord, TimetableChanged
from ap_incidents.domain.theme import CommandDeclaration, EventRule, Theme

# ----------------------------------------------------------------------------- commands


class HoldReview(PlacementCommand):
    held_on: date
    outcome: ReviewOutcome
    progress_summary: Text
    action_plan: Text
    action_plan_due_date: date
    next_review_date: date | None = None


class ReviewReducedTimetable(PlacementCommand):
    reviewed_on: date
    outcome: ReducedTimetableOutcome
    next_review_date: date | None = None
    reintegration_plan: Text


# ----------------------------------------------------------------------------- decisions


def hold_review(command: HoldReview, state: PupilRecord, context: DecisionContext) -> list[PupilEvent]:
    """A review sets a time-bound plan of action and, unless the placement is ending, the next review
    within the half-termly interval (``review_interval``: by the end of the next half term)."""
    placement = placement_entry(command, state)
    within_placement(placement, command.held_on, context, "the review")
    require_order(command.held_on, command.action_plan_due_date, "action plan due date")
    next_review = command.next_review_date
    if command.outcome is not ReviewOutcome.END_PLACEMENT:
        limit = latest_next_review(command.held_on, placement.provision_id, context)
        if next_review is None or next_review > limit.latest:
            raise ReviewIntervalTooLong(
                f"set the next review on or before {limit.latest} (at least half-termly: {limit.reason})")
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
    placement = placement_entry(command, state)
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
        limit = latest_reduced_timetable_review(command.reviewed_on, placement.provision_id, context)
        if next_review > limit.latest:
            raise ReducedTimetableReviewTooLate(
                f"review the reduced timetable again by {limit.latest} at the latest ({limit.reason})")
    return [ReducedTimetableReviewed(
        pupil_ref=command.pupil_ref, record_id=record_id_for(command.command_id),
        placement_id=command.placement_id, reviewed_on=command.reviewed_on, outcome=command.outcome,
        next_review_date=next_review,
        reintegration_plan=require_text(command.reintegration_plan, "the reintegration plan"),
        rule_version=context.rules.version,
    )]


# ----------------------------------------------------------------------------- folds (evolve)


def _reduced_timetable_reviewed(event: ReducedTimetableReviewed, state: PupilRecord) -> Applied:
    placement = state.placements.get(event.placement_id)
    if placement is None:
        return state, NOTHING
    effect = TimetableChanged(event.placement_id, placement.timetable, placement.reduced_timetable_review_date)
    reviews = (*placement.timetable_review_ids, event.record_id)
    if event.outcome is ReducedTimetableOutcome.RETURNED_TO_FULL_TIME:
        changed = replace(placement, timetable=TimetableKind.FULL_TIME, reduced_timetable_review_date=None,
                          timetable_review_ids=reviews)
    else:
        changed = replace(placement, reduced_timetable_review_date=event.next_review_date,
                          timetable_review_ids=reviews)
    return with_placement(state, changed), effect


# ----------------------------------------------------------------------------- declarations

THEME = Theme(
    __name__,
    declarations=(
        CommandDeclaration(HoldReview, hold_review, "incidents.record_review", (ReviewHeld,), "reviews",
            "Record a placement review"),
        CommandDeclaration(ReviewReducedTimetable, review_reduced_timetable, "incidents.review_reduced_timetable",
            (ReducedTimetableReviewed,), "reduced-timetable-reviews", "Review a reduced timetable"),
    ),
    events={
        ReviewHeld: EventRule(entry_only, Correction(withdrawable=True)),
        ReducedTimetableReviewed: EventRule(_reduced_timetable_reviewed, Correction(
            locked=frozenset({"next_review_date", "outcome"}),
            withdrawable=True,
        )),
    },
)
