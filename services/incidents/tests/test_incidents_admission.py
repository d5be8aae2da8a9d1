"""Registration to the start of a placement: given past events, when a command, then events or the rule."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from ap_contracts.events.placements import PlacementStarted
from ap_contracts.events.pupil_vocabulary import (
    EligibilityOutcome,
    KeyStage,
    SenStatus,
    TimetableKind,
    YearGroup,
)
from ap_contracts.events.pupils import (
    EligibilityDecided,
    OutOfKeyStagePlacementApproved,
    PupilDetailsUpdated,
    PupilRegistered,
    ReferralReceived,
)
from ap_incidents.domain import command_models as c
from ap_incidents.domain import errors
from ap_incidents.domain.rules import RuleBook
from ap_runtime.http.problems import STATUS_OF_KIND

from .conftest import DAY

# ----------------------------------------------------------------------------- registration


def test_home_school_registers_a_pupil_with_key_stage_and_ehcp_derived(story):
    event = story.one(story.cmd.register_pupil(year_group=YearGroup.Y1, sen_status=SenStatus.EHCP), story.who.head)
    assert isinstance(event, PupilRegistered)
    assert event.key_stage is KeyStage.KS1
    assert event.has_ehcp is True
    assert story.state.registered and story.state.home_school_id == "school-home-1"


def test_local_authority_may_register_a_pupil(story):
    assert story.run(story.cmd.register_pupil(), story.who.la)


# Another school cannot register the pupil: policy PUP-1 (test_incidents_rule_owners.py).


def test_a_pupil_is_registered_once(story):
    story.registered()
    with pytest.raises(errors.PupilAlreadyRegistered):
        story.run(story.cmd.register_pupil(), story.who.head)


def test_date_of_birth_cannot_be_in_the_future(story):
    with pytest.raises(errors.DatedInFuture):
        story.run(story.cmd.register_pupil(date_of_birth=date(2030, 1, 1)), story.who.head)


def test_nothing_is_recorded_for_an_unregistered_pupil(story):
    with pytest.raises(errors.PupilNotRegistered) as refused:
        story.run(story.cmd.receive_referral(), story.who.head)
    assert refused.value.rule_id == "pupil.registered"


def test_details_update_derives_key_stage_and_ehcp(story):
    story.registered()
    event = story.one(story.cmd.update_details(year_group=YearGroup.Y7, sen_status=SenStatus.EHCP), story.who.head)
    assert isinstance(event, PupilDetailsUpdated)
    assert event.key_stage is KeyStage.KS3 and event.has_ehcp is True
    assert story.state.key_stage is KeyStage.KS3 and story.state.has_ehcp


def test_details_update_must_change_something(story):
    story.registered()
    with pytest.raises(errors.NothingToUpdate):
        story.run(story.cmd.update_details(), story.who.head)


# Only the home school (or its LA, or the commissioning LA) updates details: policy PUP-1 to PUP-3
# (test_incidents_rule_owners.py).


def test_moving_school_changes_who_acts_as_home_school(story):
    story.registered()
    transfer = uuid4()
    story.run(c.RequestPupilTransfer(command_id=uuid4(), pupil_ref=story.pupil_ref, transfer_id=transfer,
                                     to_school_id="school-other-2", requested_on=DAY), story.who.head)
    assert story.state.home_school_id == "school-home-1"  # not until the other party confirms
    story.run(c.ConfirmPupilTransfer(command_id=uuid4(), pupil_ref=story.pupil_ref, transfer_id=transfer,
                                     effective_from=DAY), story.who.la)
    assert story.state.home_school_id == "school-other-2"
    # who then acts as home school (the new one, not the old): policy PUP-1 on the stored home school
    # (test_incidents_rule_owners.py)
    assert story.run(story.cmd.update_details(fsm_eligible=False), story.who.other_head)


# ----------------------------------------------------------------------------- referral, consultation, eligibility


def test_referral_records_the_pupils_home_school(story):
    story.registered()
    event = story.one(story.cmd.receive_referral(), story.who.head)
    assert isinstance(event, ReferralReceived)
    assert event.home_school_id == "school-home-1" and event.provision_id == "provision-north"


def test_referral_is_received_once(story):
    story.registered().referred()
    with pytest.raises(errors.ReferralAlreadyReceived):
        story.referred()


def test_referral_needs_a_reason(story):
    story.registered()
    with pytest.raises(errors.NarrativeRequired):
        story.run(story.cmd.receive_referral(reason="   "), story.who.head)


# Parents are consulted by the home school: policy REF-2 (test_incidents_rule_owners.py).


def test_consultation_names_an_existing_referral(story):
    story.registered()
    with pytest.raises(errors.ReferralUnknown) as refused:
        story.run(story.cmd.consult_parent(), story.who.head)
    assert STATUS_OF_KIND[refused.value.kind] == 422


def test_ehcp_pupil_eligible_only_with_exceptional_circumstances(story):
    story.registered(sen_status=SenStatus.EHCP).referred().consulted()
    with pytest.raises(errors.EhcpExceptionalCircumstancesRequired) as refused:
        story.eligible()
    assert refused.value.rule_id == "eligibility.ehcp_exceptional_circumstances"


def test_ehcp_pupil_eligible_with_exceptional_circumstances_recorded(story):
    story.registered(sen_status=SenStatus.EHCP).referred().consulted()
    event = story.one(story.cmd.decide_eligibility(exceptional_circumstances="Named school place lost"),
                      story.who.la)
    assert isinstance(event, EligibilityDecided)
    assert event.pupil_has_ehcp and event.exceptional_circumstances == "Named school place lost"


def test_ehcp_pupil_found_not_eligible_needs_no_exceptional_reason(story):
    story.registered(sen_status=SenStatus.EHCP).referred()
    assert story.run(story.cmd.decide_eligibility(outcome=EligibilityOutcome.NOT_ELIGIBLE), story.who.la)


# ----------------------------------------------------------------------------- starting a placement


def test_placement_starts_on_the_agreed_terms(story):
    story.ready_to_place()
    event = story.one(story.cmd.start_placement(), story.who.la)
    assert isinstance(event, PlacementStarted)
    assert event.provision_id == "provision-north" and event.home_school_id == "school-home-1"
    assert not event.outside_key_stage and event.pupil_key_stage is KeyStage.KS2
    assert event.rule_version == "england-2026.2"
    assert story.state.active_placement_id == story.placement_id


def test_a_placement_may_agree_no_attendance_threshold_of_its_own(story):
    """Issue 13: then alerts use the attendance threshold of the SLA in force for the provision and commissioner
    (notifications' alert worker); the placement's own, when agreed, wins."""
    story.ready_to_place()
    event = story.one(story.cmd.start_placement(attendance_threshold_percent=None), story.who.la)
    assert isinstance(event, PlacementStarted)
    assert event.attendance_threshold_percent is None


def test_a_looked_after_childs_placement_names_the_authority_looking_after_them(story):
    """Issue 14: its virtual school head is told of the child's suspensions and exclusions (notifications reads this
    organisation id, never the sealed ``looked_after``); it must be a registered local authority."""
    story.ready_to_place(looked_after=True)
    for not_an_authority in ("la-nowhere", "school-home-1"):
        with pytest.raises(errors.OrganisationNotRegistered, match="looking after the child"):
            story.run(story.cmd.start_placement(looked_after_by=not_an_authority), story.who.la)
    event = story.one(story.cmd.start_placement(looked_after_by="la-rogue"), story.who.la)
    assert isinstance(event, PlacementStarted) and event.looked_after_by == ("la-rogue",)


def test_only_a_child_the_record_shows_looked_after_names_an_authority_and_such_a_child_must(story, new_story):
    story.ready_to_place()  # registered not looked after
    with pytest.raises(errors.LookedAfterAuthorityMismatch, match="does not show the child looked after"):
        story.run(story.cmd.start_placement(looked_after_by="la-rogue"), story.who.la)
    event = story.one(story.cmd.start_placement(), story.who.la)
    assert isinstance(event, PlacementStarted) and event.looked_after_by == ()
    looked_after = new_story()
    looked_after.ready_to_place(looked_after=True)
    with pytest.raises(errors.LookedAfterAuthorityMismatch, match="name the local authority looking after"):
        looked_after.run(looked_after.cmd.start_placement(), looked_after.who.la)


def test_placement_cannot_start_before_parent_consultation(story):
    story.registered().referred().eligible()
    with pytest.raises(errors.ParentNotConsulted) as refused:
        story.run(story.cmd.start_placement(), story.who.la)
    assert refused.value.rule_id == "placement.parent_consulted" and STATUS_OF_KIND[refused.value.kind] == 409


def test_placement_cannot_start_before_eligibility_decided(story):
    story.registered().referred().consulted()
    with pytest.raises(errors.EligibilityNotDecided):
        story.run(story.cmd.start_placement(), story.who.la)


def test_placement_cannot_start_for_a_pupil_found_not_eligible(story):
    story.registered().referred().consulted().eligible(outcome=EligibilityOutcome.NOT_ELIGIBLE)
    with pytest.raises(errors.PupilNotEligible):
        story.run(story.cmd.start_placement(), story.who.la)


def test_a_later_eligibility_decision_supersedes_the_first(story):
    story.registered().referred().consulted().eligible(outcome=EligibilityOutcome.NOT_ELIGIBLE)
    story.eligible(outcome=EligibilityOutcome.ELIGIBLE)
    assert story.run(story.cmd.start_placement(), story.who.la)


def test_ehcp_issued_after_eligibility_needs_a_new_decision(story):
    story.ready_to_place()
    story.run(story.cmd.update_details(sen_status=SenStatus.EHCP), story.who.head)
    with pytest.raises(errors.EhcpExceptionalCircumstancesRequired):
        story.run(story.cmd.start_placement(), story.who.la)
    story.eligible(exceptional_circumstances="Agreed at panel")
    assert story.run(story.cmd.start_placement(), story.who.la)


def test_unknown_referral_cannot_be_placed(story):
    story.ready_to_place()
    with pytest.raises(errors.ReferralUnknown):
        story.run(story.cmd.start_placement(referral_id=uuid4()), story.who.la)


def test_a_referral_leads_to_one_placement(story):
    story.placed().confirmed_back()
    story.run(story.cmd.end_placement(), story.who.provider)
    with pytest.raises(errors.ReferralAlreadyPlaced):
        story.run(story.cmd.start_placement(placement_id=uuid4()), story.who.la)


def test_one_placement_at_a_time(story):
    story.placed()
    second = uuid4()
    story.run(story.cmd.receive_referral(referral_id=second), story.who.head)
    story.run(story.cmd.consult_parent(referral_id=second), story.who.head)
    story.run(story.cmd.decide_eligibility(referral_id=second), story.who.la)
    with pytest.raises(errors.PlacementAlreadyActive):
        story.run(story.cmd.start_placement(referral_id=second, placement_id=uuid4()), story.who.la)


def test_placement_id_is_unique(story):
    story.placed().confirmed_back()
    story.run(story.cmd.end_placement(), story.who.provider)
    with pytest.raises(errors.PlacementIdInUse):
        story.run(story.cmd.start_placement(), story.who.la)


def test_placement_start_is_not_in_the_future(story):
    story.ready_to_place()
    with pytest.raises(errors.DatedInFuture):
        story.run(story.cmd.start_placement(start_date=date(2025, 3, 13), planned_review_date=date(2025, 4, 1)),
                  story.who.la)


def test_planned_end_is_after_the_start(story):
    story.ready_to_place()
    with pytest.raises(errors.DatesOutOfOrder):
        story.run(story.cmd.start_placement(planned_end_date=date(2025, 1, 1)), story.who.la)


def test_first_review_is_within_the_half_termly_interval(story):
    story.ready_to_place()
    with pytest.raises(errors.ReviewIntervalTooLong) as refused:
        story.run(story.cmd.start_placement(planned_review_date=date(2025, 3, 31)), story.who.la)
    assert refused.value.rule_id == "placement.reviewed_half_termly"


def test_exit_criteria_are_required(story):
    story.ready_to_place()
    with pytest.raises(errors.NarrativeRequired):
        story.run(story.cmd.start_placement(exit_criteria=""), story.who.la)


# ----------------------------------------------------------------------------- reduced timetable at the start


def test_reduced_timetable_needs_review_date_and_reintegration_plan(story):
    story.ready_to_place()
    with pytest.raises(errors.ReducedTimetableIncomplete):
        story.run(story.cmd.start_placement(timetable=TimetableKind.REDUCED, reintegration_plan="Add a day a week"),
                  story.who.la)
    with pytest.raises(errors.ReducedTimetableIncomplete):
        story.run(story.cmd.start_placement(timetable=TimetableKind.REDUCED,
                                            reduced_timetable_review_date=date(2025, 2, 10)), story.who.la)


def test_reduced_timetable_with_review_date_and_plan_starts(story):
    story.ready_to_place()
    event = story.one(story.cmd.start_placement(timetable=TimetableKind.REDUCED,
                                                reduced_timetable_review_date=date(2025, 2, 10),
                                                reintegration_plan="Add a day a week"), story.who.la)
    assert isinstance(event, PlacementStarted)
    assert event.reduced_timetable_review_date == date(2025, 2, 10)


def test_reduced_timetable_review_is_time_limited(story):
    story.ready_to_place()
    with pytest.raises(errors.ReducedTimetableReviewTooLate):
        story.run(story.cmd.start_placement(timetable=TimetableKind.REDUCED,
                                            reduced_timetable_review_date=date(2025, 3, 3),
                                            reintegration_plan="Add a day a week"), story.who.la)


def test_reduced_timetable_limit_is_configuration(new_story):
    story = new_story(RuleBook(version="local-2025.2", reduced_timetable_max_review_days=60))
    story.ready_to_place()
    event = story.one(story.cmd.start_placement(timetable=TimetableKind.REDUCED,
                                                reduced_timetable_review_date=date(2025, 3, 3),
                                                reintegration_plan="Add a day a week"), story.who.la)
    assert isinstance(event, PlacementStarted) and event.rule_version == "local-2025.2"


def test_full_time_timetable_has_no_reduced_review_date(story):
    story.ready_to_place()
    with pytest.raises(errors.ReducedTimetableIncomplete):
        story.run(story.cmd.start_placement(reduced_timetable_review_date=date(2025, 2, 10)), story.who.la)


# ----------------------------------------------------------------------------- outside the key stage


def _infant(story):
    story.ready_to_place(year_group=YearGroup.Y2)  # key stage 1, placed at a key stage 2 provision


def test_outside_key_stage_needs_a_multidisciplinary_meeting(story):
    _infant(story)
    with pytest.raises(errors.MultidisciplinaryMeetingRequired) as refused:
        story.run(story.cmd.start_placement(), story.who.la)
    assert refused.value.rule_id == "placement.out_of_key_stage_meeting"


def test_outside_key_stage_needs_the_home_school_heads_decision(story):
    _infant(story)
    story.run(story.cmd.record_meeting(), story.who.la)
    with pytest.raises(errors.HomeSchoolHeadDecisionRequired):
        story.run(story.cmd.start_placement(), story.who.la)


def test_outside_key_stage_starts_after_meeting_and_head_decision(story):
    _infant(story)
    story.run(story.cmd.record_meeting(), story.who.la)
    approval = story.one(story.cmd.approve_out_of_key_stage(), story.who.head)
    assert isinstance(approval, OutOfKeyStagePlacementApproved)
    event = story.one(story.cmd.start_placement(), story.who.la)
    assert isinstance(event, PlacementStarted)
    assert event.outside_key_stage and event.pupil_key_stage is KeyStage.KS1 and event.key_stage is KeyStage.KS2


def test_approval_covers_only_a_key_stage_the_provision_is_registered_for(story):
    _infant(story)
    story.run(story.cmd.record_meeting(), story.who.la)
    with pytest.raises(errors.KeyStageNotServed):
        story.run(story.cmd.approve_out_of_key_stage(provision_key_stage=KeyStage.KS3), story.who.head)
    with pytest.raises(errors.HomeSchoolHeadDecisionRequired):
        story.run(story.cmd.start_placement(), story.who.la)


# Only the home school head decides out of key stage: policy OKS-1 (test_incidents_rule_owners.py).


def test_head_decision_follows_the_meeting(story):
    _infant(story)
    with pytest.raises(errors.MultidisciplinaryMeetingRequired):
        story.run(story.cmd.approve_out_of_key_stage(), story.who.head)


def test_head_decision_needs_governing_body_and_alternatives(story):
    _infant(story)
    story.run(story.cmd.record_meeting(), story.who.la)
    with pytest.raises(errors.GoverningBodyAgreementRequired):
        story.run(story.cmd.approve_out_of_key_stage(governing_body_agreed=False), story.who.head)
    with pytest.raises(errors.AlternativesNotConsidered):
        story.run(story.cmd.approve_out_of_key_stage(alternatives_considered=()), story.who.head)


def test_approval_is_only_for_a_different_key_stage(story):
    story.ready_to_place()
    story.run(story.cmd.record_meeting(), story.who.la)
    with pytest.raises(errors.NotOutsideKeyStage):
        story.run(story.cmd.approve_out_of_key_stage(), story.who.head)
