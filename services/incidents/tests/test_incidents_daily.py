"""Day to day on a placement: attendance, incidents, sanctions, rewards and keyworker sessions."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import uuid4

import pytest

from ap_contracts.events.placements import AlertThresholdsAgreed
from ap_contracts.events.pupil_record import (
    AttendanceRecorded,
    IncidentRecorded,
    KeyworkerSessionHeld,
    RewardRedeemed,
    SanctionApplied,
)
from ap_contracts.events.pupil_vocabulary import (
    ATTENDANCE_CODES_VERSION,
    AttendanceCode,
    RewardKind,
    Session,
    TimetableKind,
)
from ap_incidents.domain import errors
from ap_incidents.domain.rules import RuleBook

# ----------------------------------------------------------------------------- attendance


def test_provider_records_one_mark_per_session(story):
    story.placed()
    event = story.one(story.cmd.record_attendance(), story.who.provider)
    assert isinstance(event, AttendanceRecorded)
    assert event.rule_version == ATTENDANCE_CODES_VERSION
    assert story.run(story.cmd.record_attendance(session=Session.PM, code=AttendanceCode.PRESENT_PM),
                     story.who.provider)


def test_a_session_is_marked_once(story):
    story.placed()
    story.run(story.cmd.record_attendance(), story.who.provider)
    with pytest.raises(errors.AttendanceAlreadyRecorded) as refused:
        story.run(story.cmd.record_attendance(code=AttendanceCode.ILLNESS), story.who.provider)
    assert refused.value.rule_id == "attendance.one_mark_per_session"


def test_attendance_is_not_marked_ahead(story):
    story.placed()
    with pytest.raises(errors.DatedInFuture):
        story.run(story.cmd.record_attendance(session_date=date(2025, 3, 13)), story.who.provider)


def test_attendance_is_not_marked_before_the_placement(story):
    story.placed()
    with pytest.raises(errors.DateOutsidePlacement):
        story.run(story.cmd.record_attendance(session_date=date(2025, 1, 10)), story.who.provider)


def test_part_time_code_only_on_a_reduced_timetable(story):
    story.placed()
    with pytest.raises(errors.PartTimeCodeWithoutReducedTimetable):
        story.run(story.cmd.record_attendance(code=AttendanceCode.PART_TIME_TIMETABLE), story.who.provider)


def test_part_time_code_on_a_reduced_timetable(story):
    story.placed(timetable=TimetableKind.REDUCED, reduced_timetable_review_date=date(2025, 2, 10),
                 reintegration_plan="Add afternoons")
    assert story.run(story.cmd.record_attendance(code=AttendanceCode.PART_TIME_TIMETABLE), story.who.provider)


# "Only the provider marks attendance" is the access policy's DAY-1 (once placement.provider_records here too):
# test_incidents_api_entry_owners.py refuses the head, the commissioner and another provider over HTTP.


def test_nothing_is_recorded_without_a_placement(story):
    story.ready_to_place()
    with pytest.raises(errors.PlacementUnknown):
        story.run(story.cmd.record_attendance(), story.who.provider)


# ----------------------------------------------------------------------------- nothing after the end


@pytest.mark.parametrize("entry", [
    "record_attendance", "record_incident", "apply_sanction", "grant_reward", "redeem_reward",
    "keyworker_session", "search", "safeguarding_concern", "behaviour_contract", "agency_referral", "review",
    "propose_exclusion", "agree_thresholds", "end_placement",
])
def test_nothing_is_recorded_against_an_ended_placement(story, entry):
    story.placed().confirmed_back()
    story.run(story.cmd.end_placement(end_date=date(2025, 3, 7)), story.who.provider)
    with pytest.raises(errors.PlacementAlreadyEnded) as refused:
        story.run(getattr(story.cmd, entry)(), story.who.provider)
    assert refused.value.rule_id == "placement.closed_after_end"


def test_corrections_are_still_recorded_after_the_end(story):
    story.placed()
    mark = story.one(story.cmd.record_attendance(session_date=date(2025, 3, 6)), story.who.provider)
    story.confirmed_back()
    story.run(story.cmd.end_placement(end_date=date(2025, 3, 7)), story.who.provider)
    assert story.run(story.cmd.amend(mark.record_id, {"code": "I"}), story.who.provider)
    assert story.run(story.cmd.withdraw(mark.record_id), story.who.provider)


# ----------------------------------------------------------------------------- incidents and sanctions


def test_provider_records_an_incident(story):
    story.placed()
    event = story.one(story.cmd.record_incident(), story.who.provider)
    assert isinstance(event, IncidentRecorded)
    assert event.staff_involved == ("staff-trained-1",)
    assert event.incident_id in story.state.active_placement.incident_ids


def test_an_incident_is_recorded_once(story):
    story.placed()
    incident_id = story.incident()
    with pytest.raises(errors.IncidentAlreadyRecorded):
        story.incident(incident_id=incident_id)


def test_an_incident_has_happened(story):
    story.placed()
    with pytest.raises(errors.DatedInFuture):
        story.incident(happened_at=datetime(2025, 3, 12, 10, 30, tzinfo=UTC))


def test_an_incident_is_described(story):
    story.placed()
    with pytest.raises(errors.NarrativeRequired):
        story.incident(description=" ")


def test_sanction_in_answer_to_a_recorded_incident(story):
    story.placed()
    incident_id = story.incident()
    event = story.one(story.cmd.apply_sanction(incident_id=incident_id), story.who.provider)
    assert isinstance(event, SanctionApplied) and event.incident_id == incident_id


def test_sanction_cannot_point_at_an_unknown_incident(story):
    story.placed()
    with pytest.raises(errors.IncidentUnknown):
        story.run(story.cmd.apply_sanction(incident_id=uuid4()), story.who.provider)


def test_sending_home_is_not_a_sanction():
    from ap_contracts.events.pupil_vocabulary import SanctionType

    assert not any("home" in s.value or "exclu" in s.value for s in SanctionType)


# ----------------------------------------------------------------------------- rewards


def test_reward_slips_build_a_balance(story):
    story.placed()
    story.run(story.cmd.grant_reward(quantity=3), story.who.provider)
    story.run(story.cmd.grant_reward(kind=RewardKind.CERTIFICATE), story.who.provider)
    assert story.state.active_placement.slip_balance == 3


def test_redemption_spends_slips(story):
    story.placed()
    story.run(story.cmd.grant_reward(quantity=5), story.who.provider)
    event = story.one(story.cmd.redeem_reward(slips_spent=4, cost_pence=250), story.who.provider)
    assert isinstance(event, RewardRedeemed) and event.rule_version == "england-2026.2"
    assert story.state.active_placement.slip_balance == 1


def test_redemption_cannot_exceed_slips_earned(story):
    story.placed()
    story.run(story.cmd.grant_reward(quantity=2), story.who.provider)
    with pytest.raises(errors.InsufficientRewardSlips) as refused:
        story.run(story.cmd.redeem_reward(slips_spent=3), story.who.provider)
    assert refused.value.rule_id == "reward.slips_cover_redemption"


def test_points_and_certificates_are_not_slips(story):
    story.placed()
    story.run(story.cmd.grant_reward(kind=RewardKind.POINTS, quantity=50), story.who.provider)
    with pytest.raises(errors.InsufficientRewardSlips):
        story.run(story.cmd.redeem_reward(), story.who.provider)


def test_reward_item_cannot_exceed_the_configured_maximum(story):
    story.placed()
    story.run(story.cmd.grant_reward(quantity=100), story.who.provider)
    assert story.run(story.cmd.redeem_reward(cost_pence=3000, slips_spent=60), story.who.provider)
    with pytest.raises(errors.RewardItemOverLimit) as refused:
        story.run(story.cmd.redeem_reward(cost_pence=3001, slips_spent=1), story.who.provider)
    assert "£30.00" in refused.value.message


def test_reward_item_maximum_is_configuration(new_story):
    story = new_story(RuleBook(version="local-1", reward_item_max_pence=5000))
    story.placed()
    story.run(story.cmd.grant_reward(quantity=10), story.who.provider)
    event = story.one(story.cmd.redeem_reward(cost_pence=4500, slips_spent=10), story.who.provider)
    assert isinstance(event, RewardRedeemed) and event.rule_version == "local-1"


def test_slips_belong_to_their_placement(story):
    story.placed()
    story.run(story.cmd.grant_reward(quantity=5), story.who.provider)
    story.confirmed_back()
    story.run(story.cmd.end_placement(), story.who.provider)
    assert story.state.placements[story.placement_id].slip_balance == 5
    assert story.state.active_placement is None


# ----------------------------------------------------------------------------- keyworker, thresholds


def test_keyworker_session(story):
    story.placed()
    event = story.one(story.cmd.keyworker_session(), story.who.provider)
    assert isinstance(event, KeyworkerSessionHeld) and event.duration_minutes == 30


def test_thresholds_agreed_by_a_party_to_the_placement(story):
    story.placed()
    event = story.one(story.cmd.agree_thresholds(), story.who.commissioner)
    assert isinstance(event, AlertThresholdsAgreed)
    # Another provider is refused by the policy's THR rules (once placement.parties_only here too):
    # test_incidents_api_entry_owners.py.
