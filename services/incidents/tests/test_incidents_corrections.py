"""Corrections: amend or withdraw an existing entry, never rewrite history."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from ap_contracts.events.pupil_corrections import RecordAmended, RecordWithdrawnInError
from ap_contracts.events.pupil_vocabulary import TimetableKind
from ap_incidents.domain import errors
from ap_runtime.http.problems import STATUS_OF_KIND


def test_amend_an_attendance_code_when_the_reason_arrives(story):
    story.placed()
    mark = story.one(story.cmd.record_attendance(code="N"), story.who.provider)
    event = story.one(story.cmd.amend(mark.record_id, {"code": "I"}), story.who.provider)
    assert isinstance(event, RecordAmended)
    assert event.target_event_type == "AttendanceRecorded"
    assert event.corrected_values == {"code": "I"} and event.corrected_behaviour is None


def test_amended_values_are_grouped_by_record_class(story):
    story.placed()
    incident_id = story.incident()
    recorded = story.events[-1]
    event = story.one(story.cmd.amend(recorded.record_id, {"severity": 2, "description": "Pushed, no injury"}),
                      story.who.provider)
    assert isinstance(event, RecordAmended)
    assert event.corrected_values == {"severity": 2}
    assert event.corrected_behaviour == {"description": "Pushed, no injury"}
    assert incident_id in story.state.active_placement.incident_ids


def test_safeguarding_amendments_stay_safeguarding_data(story):
    story.placed()
    concern = story.one(story.cmd.safeguarding_concern(), story.who.provider)
    event = story.one(story.cmd.amend(concern.record_id, {"concern": "Arrives hungry most mornings"}),
                      story.who.provider_dsl)
    assert isinstance(event, RecordAmended)
    assert event.corrected_safeguarding == {"concern": "Arrives hungry most mornings"}
    assert event.corrected_behaviour is None


def test_the_dsl_withdraws_a_safeguarding_entry(story):
    """Only the DSL may (policy AMD-1, test_incidents_rule_owners.py); the record then takes the withdrawal."""
    story.placed()
    concern = story.one(story.cmd.safeguarding_concern(), story.who.provider)
    assert isinstance(story.one(story.cmd.withdraw(concern.record_id), story.who.provider_dsl),
                      RecordWithdrawnInError)


def test_amended_values_are_validated_against_the_field(story):
    story.placed()
    mark = story.one(story.cmd.record_attendance(), story.who.provider)
    with pytest.raises(errors.CorrectionValueInvalid) as refused:
        story.run(story.cmd.amend(mark.record_id, {"code": "Q9"}), story.who.provider)
    assert refused.value.rule_id == "correction.valid_values"
    story.incident()
    with pytest.raises(errors.CorrectionValueInvalid):
        story.run(story.cmd.amend(story.events[-1].record_id, {"severity": 9}), story.who.provider)


def test_amended_values_are_normalised_to_json(story):
    story.placed()
    story.incident()
    event = story.one(story.cmd.amend(story.events[-1].record_id, {"happened_at": "2025-03-10T09:15:00Z"}),
                      story.who.provider)
    assert isinstance(event, RecordAmended)
    assert event.corrected_values == {"happened_at": "2025-03-10T09:15:00Z"}


def test_narratives_cannot_be_amended_to_nothing(story):
    story.placed()
    story.incident()
    with pytest.raises(errors.NarrativeRequired):
        story.run(story.cmd.amend(story.events[-1].record_id, {"description": "  "}), story.who.provider)
    with pytest.raises(errors.CorrectionValueInvalid):
        story.run(story.cmd.amend(story.events[-1].record_id, {"description": None}), story.who.provider)


@pytest.mark.parametrize(("entry", "field", "value"), [
    ("record_attendance", "session_date", "2025-03-11"),
    ("grant_reward", "quantity", 50),
    ("redeem_reward", "slips_spent", 1),
    ("record_incident", "incident_id", str(uuid4())),
    ("record_incident", "rule_version", "x"),
    ("record_incident", "pupil_ref", str(uuid4())),
])
def test_fields_the_rules_depend_on_are_not_amendable(story, entry, field, value):
    story.placed()
    story.run(story.cmd.grant_reward(quantity=2), story.who.provider)
    target = story.one(getattr(story.cmd, entry)(), story.who.provider)
    with pytest.raises(errors.FieldNotAmendable) as refused:
        story.run(story.cmd.amend(target.record_id, {field: value}), story.who.provider)
    assert refused.value.rule_id == "correction.amendable_fields"


def test_suspension_days_are_not_amendable(story):
    story.registered()
    issued = story.one(story.cmd.suspend(), story.who.head)
    with pytest.raises(errors.FieldNotAmendable):
        story.run(story.cmd.amend(issued.record_id, {"duration_half_days": 4}), story.who.head)
    assert story.run(story.cmd.amend(issued.record_id, {"primary_reason": "VA"}), story.who.head)


def test_unknown_fields_are_not_amendable(story):
    story.placed()
    mark = story.one(story.cmd.record_attendance(), story.who.provider)
    with pytest.raises(errors.FieldNotAmendable, match="no field"):
        story.run(story.cmd.amend(mark.record_id, {"colour": "red"}), story.who.provider)


def test_an_amendment_changes_something(story):
    story.placed()
    mark = story.one(story.cmd.record_attendance(), story.who.provider)
    with pytest.raises(errors.NothingToAmend):
        story.run(story.cmd.amend(mark.record_id, {}), story.who.provider)


def test_corrections_reference_an_existing_entry(story):
    story.placed()
    with pytest.raises(errors.CorrectionTargetUnknown) as refused:
        story.run(story.cmd.amend(uuid4(), {"code": "I"}), story.who.provider)
    assert refused.value.rule_id == "correction.target_exists"
    with pytest.raises(errors.CorrectionTargetUnknown):
        story.run(story.cmd.withdraw(uuid4()), story.who.provider)


def test_corrections_are_not_corrected(story):
    story.placed()
    mark = story.one(story.cmd.record_attendance(), story.who.provider)
    amendment = story.one(story.cmd.amend(mark.record_id, {"code": "L"}), story.who.provider)
    with pytest.raises(errors.RecordNotCorrectable):
        story.run(story.cmd.withdraw(amendment.record_id), story.who.provider)


def test_corrections_are_made_by_whoever_could_make_the_entry(story):
    story.placed()
    mark = story.one(story.cmd.record_attendance(), story.who.provider)
    with pytest.raises(errors.NotEntitledToCorrect) as refused:
        story.run(story.cmd.amend(mark.record_id, {"code": "I"}), story.who.head)
    assert STATUS_OF_KIND[refused.value.kind] == 403
    suspension = story.one(story.cmd.suspend(), story.who.head)
    with pytest.raises(errors.NotEntitledToCorrect):
        story.run(story.cmd.withdraw(suspension.record_id), story.who.provider)
    with pytest.raises(errors.NotEntitledToCorrect):
        story.run(story.cmd.withdraw(suspension.record_id), story.who.home_staff)


def test_withdrawn_attendance_mark_can_be_recorded_again(story):
    story.placed()
    mark = story.one(story.cmd.record_attendance(), story.who.provider)
    event = story.one(story.cmd.withdraw(mark.record_id), story.who.provider)
    assert isinstance(event, RecordWithdrawnInError) and event.target_event_type == "AttendanceRecorded"
    assert story.run(story.cmd.record_attendance(code="I"), story.who.provider)


def test_an_entry_is_withdrawn_once(story):
    story.placed()
    mark = story.one(story.cmd.record_attendance(), story.who.provider)
    story.run(story.cmd.withdraw(mark.record_id), story.who.provider)
    with pytest.raises(errors.RecordAlreadyWithdrawn):
        story.run(story.cmd.withdraw(mark.record_id), story.who.provider)
    with pytest.raises(errors.RecordAlreadyWithdrawn):
        story.run(story.cmd.amend(mark.record_id, {"code": "I"}), story.who.provider)


def test_withdrawn_incident_can_no_longer_be_answered(story):
    story.placed()
    incident_id = story.incident()
    story.run(story.cmd.withdraw(story.events[-1].record_id), story.who.provider)
    with pytest.raises(errors.IncidentUnknown):
        story.run(story.cmd.apply_sanction(incident_id=incident_id), story.who.provider)


def test_withdrawing_a_grant_already_spent_would_overdraw_slips(story):
    story.placed()
    grant = story.one(story.cmd.grant_reward(quantity=3), story.who.provider)
    redemption = story.one(story.cmd.redeem_reward(slips_spent=2), story.who.provider)
    with pytest.raises(errors.WithdrawalWouldOverdrawSlips) as refused:
        story.run(story.cmd.withdraw(grant.record_id), story.who.provider)
    assert refused.value.rule_id == "reward.slips_never_negative"
    story.run(story.cmd.withdraw(redemption.record_id), story.who.provider)
    story.run(story.cmd.withdraw(grant.record_id), story.who.provider)
    assert story.state.active_placement.slip_balance == 0


def test_registration_and_placement_start_are_amended_not_withdrawn(story):
    story.placed()
    for target in story.events[:1] + [e for e in story.events if e.event_type == "PlacementStarted"]:
        with pytest.raises(errors.RecordNotCorrectable):
            story.run(story.cmd.withdraw(target.record_id), story.who.la)
    started = next(e for e in story.events if e.event_type == "PlacementStarted")
    assert story.run(story.cmd.amend(started.record_id, {"exit_criteria": "Half a term without incident"}),
                     story.who.commissioner)


def test_decided_proposal_cannot_be_withdrawn(story):
    story.placed()
    proposal = story.cmd.propose_exclusion()
    proposed = story.one(proposal, story.who.provider)
    story.run(story.cmd.commissioner_decision(proposal.proposal_id), story.who.commissioner)
    with pytest.raises(errors.RecordNotCorrectable):
        story.run(story.cmd.withdraw(proposed.record_id), story.who.provider)


def test_withdrawn_pending_proposal_allows_a_new_one(story):
    story.placed()
    proposed = story.one(story.cmd.propose_exclusion(), story.who.provider)
    story.run(story.cmd.withdraw(proposed.record_id), story.who.provider)
    assert story.state.active_placement.pending_proposal is None
    assert story.run(story.cmd.propose_exclusion(), story.who.provider)


def test_withdrawn_permanent_exclusion_no_longer_stands(story):
    story.registered()
    exclusion = story.one(story.cmd.exclude_permanently(), story.who.head)
    story.run(story.cmd.withdraw(exclusion.record_id), story.who.head)
    assert not story.state.excluded_from_home_school


def test_withdrawn_transition_plan_no_longer_allows_the_move(story):
    from ap_contracts.events.pupil_vocabulary import PlacementEndReason, YearGroup

    story.ready_to_place(year_group=YearGroup.Y6)
    story.run(story.cmd.start_placement(), story.who.la)
    plan = story.one(story.cmd.transition_plan(), story.who.provider)
    story.run(story.cmd.withdraw(plan.record_id), story.who.provider)
    with pytest.raises(errors.TransitionPlanRequired):
        story.run(story.cmd.end_placement(reason=PlacementEndReason.TRANSITION_TO_SECONDARY), story.who.provider)


def test_only_the_latest_reduced_timetable_review_is_withdrawn(story):
    story.placed(timetable=TimetableKind.REDUCED, reduced_timetable_review_date=date(2025, 2, 10),
                 reintegration_plan="Add afternoons")
    first = story.one(story.cmd.review_reduced_timetable(reviewed_on=date(2025, 2, 10),
                                                         next_review_date=date(2025, 3, 10)), story.who.provider)
    second = story.one(story.cmd.review_reduced_timetable(outcome="returned_to_full_time", next_review_date=None),
                       story.who.provider)
    with pytest.raises(errors.RecordNotCorrectable):
        story.run(story.cmd.withdraw(first.record_id), story.who.provider)
    story.run(story.cmd.withdraw(second.record_id), story.who.provider)
    placement = story.state.active_placement
    assert placement.timetable is TimetableKind.REDUCED
    assert placement.reduced_timetable_review_date == date(2025, 3, 10)
