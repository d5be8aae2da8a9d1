"""The course of a placement: reviews, reduced timetable reviews, transition to secondary, the end."""

from __future__ import annotations

from datetime import date

import pytest

from ap_contracts.events.placements import PlacementEnded, ReducedTimetableReviewed, ReviewHeld, TransitionPlanRecorded
from ap_contracts.events.pupil_vocabulary import PlacementEndReason, TimetableKind, YearGroup
from ap_incidents.domain import errors
from ap_incidents.domain.rules import RuleBook

REDUCED = {"timetable": TimetableKind.REDUCED, "reduced_timetable_review_date": date(2025, 2, 10),
           "reintegration_plan": "Add afternoons"}


# ----------------------------------------------------------------------------- reviews


def test_review_sets_the_next_review_within_half_a_term(story):
    story.placed()
    event = story.one(story.cmd.review(), story.who.commissioner)
    assert isinstance(event, ReviewHeld)
    with pytest.raises(errors.ReviewIntervalTooLong):
        story.run(story.cmd.review(next_review_date=date(2025, 5, 20)), story.who.commissioner)
    with pytest.raises(errors.ReviewIntervalTooLong):
        story.run(story.cmd.review(next_review_date=None), story.who.commissioner)


def test_review_ending_the_placement_needs_no_next_review(story):
    story.placed()
    assert story.run(story.cmd.review(outcome="end_placement", next_review_date=None), story.who.head)


def test_review_plan_of_action_is_time_bound(story):
    story.placed()
    with pytest.raises(errors.DatesOutOfOrder):
        story.run(story.cmd.review(action_plan_due_date=date(2025, 3, 1)), story.who.provider)
    with pytest.raises(errors.NarrativeRequired):
        story.run(story.cmd.review(action_plan=""), story.who.provider)


def test_reviews_are_held_by_the_placements_parties(story):
    story.placed()
    for party in (story.who.provider, story.who.commissioner, story.who.home_staff):
        assert story.run(story.cmd.review(), party)
    # Another school's head is refused by the policy's REV rules (once placement.parties_only here too):
    # test_incidents_rule_owners.py and, over HTTP, test_incidents_api_entry_owners.py.


def test_review_interval_is_configuration(new_story):
    story = new_story(RuleBook(version="local-3", max_days_between_reviews=30))
    story.ready_to_place()
    story.run(story.cmd.start_placement(planned_review_date=date(2025, 2, 10)), story.who.la)
    with pytest.raises(errors.ReviewIntervalTooLong):
        story.run(story.cmd.review(next_review_date=date(2025, 4, 28)), story.who.provider)


# ----------------------------------------------------------------------------- reduced timetable reviews


def test_reduced_timetable_review_extends_within_the_limit(story):
    story.placed(**REDUCED)
    event = story.one(story.cmd.review_reduced_timetable(), story.who.provider)
    assert isinstance(event, ReducedTimetableReviewed) and event.rule_version == "england-2026.2"
    assert story.state.active_placement.reduced_timetable_review_date == date(2025, 4, 7)
    with pytest.raises(errors.ReducedTimetableReviewTooLate):
        story.run(story.cmd.review_reduced_timetable(next_review_date=date(2025, 5, 1)), story.who.provider)


def test_reduced_timetable_staying_reduced_needs_next_review(story):
    story.placed(**REDUCED)
    with pytest.raises(errors.ReducedTimetableIncomplete):
        story.run(story.cmd.review_reduced_timetable(outcome="extended", next_review_date=None), story.who.provider)


def test_return_to_full_time_ends_reduced_timetable(story):
    story.placed(**REDUCED)
    story.run(story.cmd.review_reduced_timetable(outcome="returned_to_full_time", next_review_date=None),
              story.who.commissioner)
    placement = story.state.active_placement
    assert placement.timetable is TimetableKind.FULL_TIME and placement.reduced_timetable_review_date is None
    with pytest.raises(errors.NotOnReducedTimetable):
        story.run(story.cmd.review_reduced_timetable(), story.who.provider)


def test_full_time_return_has_no_next_review(story):
    story.placed(**REDUCED)
    with pytest.raises(errors.ReducedTimetableIncomplete):
        story.run(story.cmd.review_reduced_timetable(outcome="returned_to_full_time"), story.who.provider)


def test_only_a_reduced_timetable_is_reviewed_as_such(story):
    story.placed()
    with pytest.raises(errors.NotOnReducedTimetable) as refused:
        story.run(story.cmd.review_reduced_timetable(), story.who.provider)
    assert refused.value.rule_id == "timetable.review_needs_reduced_timetable"


def test_reduced_timetable_review_keeps_a_reintegration_plan(story):
    story.placed(**REDUCED)
    with pytest.raises(errors.NarrativeRequired):
        story.run(story.cmd.review_reduced_timetable(reintegration_plan=""), story.who.provider)


# ----------------------------------------------------------------------------- transition to secondary


def test_year_6_transition_plan_with_three_visits(story):
    story.ready_to_place(year_group=YearGroup.Y6)
    story.run(story.cmd.start_placement(), story.who.la)
    event = story.one(story.cmd.transition_plan(), story.who.provider)
    assert isinstance(event, TransitionPlanRecorded) and len(event.planned_visits) == 3


def test_transition_plan_needs_at_least_three_visits_on_different_days(story):
    story.ready_to_place(year_group=YearGroup.Y6)
    story.run(story.cmd.start_placement(), story.who.la)
    same_day = [{"visit_date": date(2025, 6, 2), "part_of_day": p} for p in ("morning", "afternoon", "full_day")]
    with pytest.raises(errors.TooFewTransitionVisits) as refused:
        story.run(story.cmd.transition_plan(planned_visits=same_day), story.who.provider)
    assert refused.value.rule_id == "transition.minimum_visits"


def test_minimum_visits_is_configuration(new_story):
    story = new_story(RuleBook(version="local-4", min_transition_visits=4))
    story.ready_to_place(year_group=YearGroup.Y6)
    story.run(story.cmd.start_placement(), story.who.la)
    with pytest.raises(errors.TooFewTransitionVisits):
        story.run(story.cmd.transition_plan(), story.who.provider)


def test_transition_plan_is_for_year_6(story):
    story.placed()
    with pytest.raises(errors.TransitionOnlyForFinalPrimaryYear):
        story.run(story.cmd.transition_plan(), story.who.provider)


def test_move_to_secondary_follows_a_transition_plan(story):
    story.ready_to_place(year_group=YearGroup.Y6)
    story.run(story.cmd.start_placement(), story.who.la)
    end = {"reason": PlacementEndReason.TRANSITION_TO_SECONDARY, "destination_id": "school-secondary-7"}
    with pytest.raises(errors.TransitionPlanRequired):
        story.run(story.cmd.end_placement(**end), story.who.provider)
    story.run(story.cmd.transition_plan(), story.who.provider)
    event = story.one(story.cmd.end_placement(**end), story.who.provider)
    assert isinstance(event, PlacementEnded) and event.destination_id == "school-secondary-7"


# ----------------------------------------------------------------------------- the end


@pytest.mark.parametrize("reason", [PlacementEndReason.MANAGED_MOVE, PlacementEndReason.SPECIALIST_PROVISION,
                                    PlacementEndReason.LEFT_AREA])
def test_placement_ends_for_ordinary_reasons_without_a_decision(story, reason):
    story.placed()
    event = story.one(story.cmd.end_placement(reason=reason), story.who.commissioner)
    assert isinstance(event, PlacementEnded) and event.decision_record_id is None
    assert story.state.placements[story.placement_id].ended_on == date(2025, 3, 10)


def test_placement_end_date_is_within_the_placement(story):
    story.placed().confirmed_back()
    with pytest.raises(errors.DateOutsidePlacement):
        story.run(story.cmd.end_placement(end_date=date(2025, 1, 1)), story.who.provider)
    with pytest.raises(errors.DatedInFuture):
        story.run(story.cmd.end_placement(end_date=date(2025, 4, 1)), story.who.provider)


def test_a_new_placement_can_follow_an_ended_one(story):
    from uuid import uuid4

    story.placed()
    story.run(story.cmd.confirm_reintegration(confirmed_on=date(2025, 2, 27)), story.who.home_staff)
    story.run(story.cmd.end_placement(end_date=date(2025, 2, 28)), story.who.provider)
    referral, placement = uuid4(), uuid4()
    story.run(story.cmd.receive_referral(referral_id=referral), story.who.head)
    story.run(story.cmd.consult_parent(referral_id=referral), story.who.head)
    story.run(story.cmd.decide_eligibility(referral_id=referral), story.who.la)
    story.run(story.cmd.start_placement(referral_id=referral, placement_id=placement, start_date=date(2025, 3, 3),
                                        planned_review_date=date(2025, 4, 14)), story.who.la)
    assert story.state.active_placement_id == placement
