"""Withdrawal of a place (provider proposes, commissioner decides) and exclusion from school
(home school head only, suspensions capped per academic year)."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from ap_contracts.events.placements import CommissionerDecisionRecorded, ExclusionProposed, PlacementEnded
from ap_contracts.events.pupil_vocabulary import PlacementEndReason
from ap_contracts.events.school_exclusions import (
    PermanentExclusionIssued,
    PermanentExclusionReinstated,
    SuspensionIssued,
)
from ap_incidents.domain import command_models as c
from ap_incidents.domain import errors
from ap_incidents.domain.rules import RuleBook

from .conftest import DAY

# ----------------------------------------------------------------------------- proposal and decision


def test_provider_proposes_withdrawal_of_the_place(story):
    story.placed()
    event = story.one(story.cmd.propose_exclusion(), story.who.provider)
    assert isinstance(event, ExclusionProposed)
    assert story.state.active_placement.pending_proposal is not None


# Only the provider's manager proposes: policy EXC-1 (test_incidents_rule_owners.py).


def test_safety_arrangements_come_before_any_exclusion(story):
    story.placed()
    with pytest.raises(errors.SafetyArrangementsRequired) as refused:
        story.run(story.cmd.propose_exclusion(safety_arrangements="  "), story.who.provider)
    assert refused.value.rule_id == "exclusion.safety_arrangements_first"


def test_one_open_proposal_at_a_time(story):
    story.placed()
    story.run(story.cmd.propose_exclusion(), story.who.provider)
    with pytest.raises(errors.ExclusionProposalPending):
        story.run(story.cmd.propose_exclusion(), story.who.provider)


def test_proposal_ids_are_unique(story):
    story.placed()
    proposal = story.cmd.propose_exclusion()
    story.run(proposal, story.who.provider)
    story.run(story.cmd.commissioner_decision(proposal.proposal_id, decision="withdrawal_declined"),
              story.who.commissioner)
    with pytest.raises(errors.ProposalIdInUse):
        story.run(story.cmd.propose_exclusion(proposal_id=proposal.proposal_id), story.who.provider)


def test_the_commissioner_decides(story):
    """Only the placement's commissioner may: policy EXC-2 (test_incidents_rule_owners.py)."""
    story.placed()
    proposal = story.cmd.propose_exclusion()
    story.run(proposal, story.who.provider)
    event = story.one(story.cmd.commissioner_decision(proposal.proposal_id), story.who.commissioner)
    assert isinstance(event, CommissionerDecisionRecorded) and event.commissioner_id == "la-commissioning"


def test_a_proposal_is_decided_once(story):
    story.placed()
    proposal = story.cmd.propose_exclusion()
    story.run(proposal, story.who.provider)
    story.run(story.cmd.commissioner_decision(proposal.proposal_id), story.who.commissioner)
    with pytest.raises(errors.ProposalAlreadyDecided):
        story.run(story.cmd.commissioner_decision(proposal.proposal_id, decision="withdrawal_declined"),
                  story.who.commissioner)


def test_decision_on_an_unknown_proposal(story):
    story.placed()
    with pytest.raises(errors.ExclusionProposalUnknown):
        story.run(story.cmd.commissioner_decision(uuid4()), story.who.commissioner)


def test_provider_cannot_withdraw_the_place_without_the_commissioner(story):
    story.placed()
    story.run(story.cmd.propose_exclusion(), story.who.provider)
    with pytest.raises(errors.CommissionerDecisionRequired) as refused:
        story.run(story.cmd.end_placement(reason=PlacementEndReason.PLACE_WITHDRAWN), story.who.provider)
    assert refused.value.rule_id == "placement.withdrawal_needs_commissioner"


@pytest.mark.parametrize("reason", list(PlacementEndReason))
def test_provider_cannot_end_the_place_while_its_proposal_awaits_the_commissioner(story, reason):
    story.placed()
    story.run(story.cmd.propose_exclusion(), story.who.provider)
    with pytest.raises(errors.CommissionerDecisionRequired):
        story.run(story.cmd.end_placement(reason=reason), story.who.provider)


def test_commissioner_can_end_the_place_while_a_proposal_is_pending(story):
    story.placed()
    story.run(story.cmd.propose_exclusion(), story.who.provider)
    assert story.run(story.cmd.end_placement(reason=PlacementEndReason.LEFT_AREA), story.who.commissioner)


def test_declined_proposal_does_not_allow_withdrawal(story):
    story.placed()
    proposal = story.cmd.propose_exclusion()
    story.run(proposal, story.who.provider)
    story.run(story.cmd.commissioner_decision(proposal.proposal_id, decision="withdrawal_declined"),
              story.who.commissioner)
    with pytest.raises(errors.CommissionerDecisionRequired):
        story.run(story.cmd.end_placement(reason=PlacementEndReason.PLACE_WITHDRAWN), story.who.provider)


def test_place_withdrawn_after_the_commissioner_upheld_it(story):
    story.placed()
    proposal = story.cmd.propose_exclusion()
    story.run(proposal, story.who.provider)
    decision = story.one(story.cmd.commissioner_decision(proposal.proposal_id), story.who.commissioner)
    ended = story.one(story.cmd.end_placement(reason=PlacementEndReason.PLACE_WITHDRAWN), story.who.provider)
    assert isinstance(ended, PlacementEnded) and ended.decision_record_id == decision.record_id
    assert story.state.active_placement is None


# ----------------------------------------------------------------------------- suspension


def test_home_school_head_suspends(story):
    story.placed()
    event = story.one(story.cmd.suspend(), story.who.head)
    assert isinstance(event, SuspensionIssued)
    assert event.academic_year == "2024/25" and event.year_total_half_days == 2
    assert event.placement_id == story.placement_id and event.rule_version == "england-2026.2"


# Only the home school head excludes: policy EXC-3, tested where it lives (test_incidents_rule_owners.py).


def test_pupil_without_a_placement_can_be_suspended(story):
    story.registered()
    event = story.one(story.cmd.suspend(), story.who.head)
    assert isinstance(event, SuspensionIssued) and event.placement_id is None


def test_suspensions_are_refused_past_45_school_days_in_an_academic_year(story):
    story.registered()
    story.run(story.cmd.suspend(first_day=date(2024, 9, 10), duration_half_days=40), story.who.head)
    story.run(story.cmd.suspend(first_day=date(2025, 1, 20), duration_half_days=49), story.who.head)
    with pytest.raises(errors.SuspensionCapExceeded) as refused:
        story.run(story.cmd.suspend(first_day=date(2025, 3, 3), duration_half_days=2), story.who.head)
    assert refused.value.rule_id == "suspension.cap_per_academic_year"
    assert "44.5 of 45" in refused.value.message
    lunchtime = story.one(story.cmd.suspend(first_day=date(2025, 3, 3), duration_half_days=1), story.who.head)
    assert isinstance(lunchtime, SuspensionIssued) and lunchtime.year_total_half_days == 90


def test_suspension_days_count_per_academic_year(story):
    story.registered()
    story.run(story.cmd.suspend(first_day=date(2024, 7, 1), duration_half_days=90), story.who.head)
    event = story.one(story.cmd.suspend(first_day=date(2024, 8, 1), duration_half_days=90), story.who.head)
    assert isinstance(event, SuspensionIssued) and event.academic_year == "2024/25"
    assert story.state.suspension_half_days == {"2023/24": 90, "2024/25": 90}


def test_suspension_cap_is_configuration(new_story):
    story = new_story(RuleBook(version="guidance-2026", suspension_cap_school_days=30))
    story.registered()
    story.run(story.cmd.suspend(duration_half_days=60), story.who.head)
    with pytest.raises(errors.SuspensionCapExceeded):
        story.run(story.cmd.suspend(duration_half_days=1), story.who.head)


def test_withdrawn_suspension_frees_its_days(story):
    story.registered()
    issued = story.one(story.cmd.suspend(duration_half_days=90), story.who.head)
    story.run(story.cmd.withdraw(issued.record_id), story.who.head)
    assert story.run(story.cmd.suspend(duration_half_days=90), story.who.head)


# ----------------------------------------------------------------------------- permanent exclusion


def test_permanent_exclusion_by_the_head(story):
    story.placed()
    event = story.one(story.cmd.exclude_permanently(), story.who.head)
    assert isinstance(event, PermanentExclusionIssued) and event.academic_year == "2024/25"
    assert story.state.excluded_from_home_school


def test_permanently_excluded_pupil_cannot_be_excluded_again_by_that_school(story):
    story.registered()
    story.run(story.cmd.exclude_permanently(), story.who.head)
    with pytest.raises(errors.PupilPermanentlyExcluded):
        story.run(story.cmd.suspend(), story.who.head)
    with pytest.raises(errors.PupilPermanentlyExcluded):
        story.run(story.cmd.exclude_permanently(), story.who.head)


def test_new_school_can_act_after_a_move(story):
    story.registered()
    story.run(story.cmd.exclude_permanently(), story.who.head)
    transfer = uuid4()
    story.run(c.RequestPupilTransfer(command_id=uuid4(), pupil_ref=story.pupil_ref, transfer_id=transfer,
                                     to_school_id="school-other-2", requested_on=DAY), story.who.la)
    story.run(c.ConfirmPupilTransfer(command_id=uuid4(), pupil_ref=story.pupil_ref, transfer_id=transfer,
                                     effective_from=DAY), story.who.head)
    assert story.run(story.cmd.suspend(), story.who.other_head)


def test_exclusion_takes_effect_on_or_after_the_decision(story):
    story.registered()
    with pytest.raises(errors.DatesOutOfOrder):
        story.run(story.cmd.exclude_permanently(effective_from=date(2025, 3, 9)), story.who.head)


def test_placement_ends_by_permanent_exclusion_only_after_one(story):
    story.placed()
    with pytest.raises(errors.PermanentExclusionRequired):
        story.run(story.cmd.end_placement(reason=PlacementEndReason.PERMANENTLY_EXCLUDED), story.who.commissioner)
    exclusion = story.one(story.cmd.exclude_permanently(), story.who.head)
    ended = story.one(story.cmd.end_placement(reason=PlacementEndReason.PERMANENTLY_EXCLUDED),
                      story.who.commissioner)
    assert isinstance(ended, PlacementEnded) and ended.decision_record_id == exclusion.record_id


def test_reinstatement_lifts_the_permanent_exclusion(story):
    story.registered()
    exclusion = story.one(story.cmd.exclude_permanently(), story.who.head)
    event = story.one(story.cmd.reinstate(exclusion.record_id), story.who.home_staff)
    assert isinstance(event, PermanentExclusionReinstated)
    assert not story.state.excluded_from_home_school
    assert story.run(story.cmd.suspend(), story.who.head)


def test_reinstatement_names_the_standing_exclusion(story):
    story.registered()
    with pytest.raises(errors.ExclusionUnknown):
        story.run(story.cmd.reinstate(uuid4()), story.who.head)
    exclusion = story.one(story.cmd.exclude_permanently(), story.who.head)
    with pytest.raises(errors.OnlyHomeSchool):
        story.run(story.cmd.reinstate(exclusion.record_id), story.who.provider)
