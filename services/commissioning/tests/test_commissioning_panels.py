"""Panels, their members and meetings, the continuum, and referrals decided by the panel (seed 003 2.1,
seed 004; issue 13): given past events, when a command, then events or a refusal naming its rule."""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid4

import pytest

from ap_commissioning.domain.panel_state import fold_panel
from ap_commissioning.domain.panels import (
    AppointPanelMember,
    ConstitutePanel,
    ListContinuumService,
    RecordPanelMeeting,
    RemovePanelMember,
    appoint_member,
    constitute_panel,
    list_service,
    record_meeting,
    remove_member,
)
from ap_commissioning.domain.referrals import DecidePanelReferral, MakePanelReferral, decide_referral, make_referral
from ap_contracts.envelope import OrgKind
from ap_contracts.events.commissioning_panels import PanelDecision, PanelReferralDecided, PanelReferralMade
from ap_contracts.events.commissioning_vocabulary import CommissioningEvent

from .commissioning_panel_history import (
    BATH,
    COSP,
    LA,
    MEETING,
    MEMBER,
    SERVICE,
    STRANGER,
    as_user,
    bath_panel,
    cosp_panel,
    refused,
)

REFERRAL = UUID("00000000-0000-0000-0000-00000000b001")
PUPIL = UUID("00000000-0000-0000-0000-00000000c001")


def _referral(**overrides: object) -> MakePanelReferral:
    fields: dict[str, object] = {"command_id": uuid4(), "panel_id": BATH, "referral_id": REFERRAL,
                                 "pupil_ref": PUPIL, "phase": "primary", "service_id": SERVICE,
                                 "referred_on": "2026-05-20"}
    return MakePanelReferral.model_validate({**fields, **overrides})


def _decision(**overrides: object) -> DecidePanelReferral:
    fields: dict[str, object] = {"command_id": uuid4(), "panel_id": BATH, "referral_id": REFERRAL,
                                 "decision": "offered_service", "decided_on": "2026-06-03", "meeting_id": MEETING}
    return DecidePanelReferral.model_validate({**fields, **overrides})


def _referred() -> list[CommissioningEvent]:
    return [*bath_panel(), *make_referral(_referral(), fold_panel(bath_panel()), as_user("senco-1"))]


def test_the_local_authority_constitutes_a_panel_once() -> None:
    command = ConstitutePanel(command_id=uuid4(), panel_id=BATH, local_authority_id=LA, kind="behaviour_attendance",
                              area_id="bath", name="Bath Panel")
    [event] = constitute_panel(command, fold_panel([]), as_user("officer-1", OrgKind.LOCAL_AUTHORITY))
    assert event == bath_panel()[0]
    refused("panel.constituted_once", constitute_panel, command, bath_panel(), as_user("officer-1"))


def test_members_are_appointed_once_and_only_members_stand_down() -> None:
    appoint = AppointPanelMember(command_id=uuid4(), panel_id=BATH, user_id=MEMBER, organisation_id="s",
                                 sits_as="head")
    refused("panel.member_appointed_once", appoint_member, appoint, bath_panel(), as_user("officer-1"))
    refused("panel.exists", appoint_member, appoint, [], as_user("officer-1"))
    stand_down = RemovePanelMember(command_id=uuid4(), panel_id=BATH, user_id=STRANGER)
    refused("panel.decided_by_member", remove_member, stand_down, bath_panel(), as_user("officer-1"))
    leaving = RemovePanelMember(command_id=uuid4(), panel_id=BATH, user_id=MEMBER)
    history = [*bath_panel(), *remove_member(leaving, fold_panel(bath_panel()), as_user("officer-1"))]
    assert MEMBER not in fold_panel(history).members


def test_a_meeting_attended_by_someone_not_on_the_panel_is_refused() -> None:
    command = RecordPanelMeeting(command_id=uuid4(), panel_id=BATH, meeting_id=uuid4(), held_on=date(2026, 6, 17),
                                 attended_by=(MEMBER, STRANGER))
    refused("panel.attended_by_members", record_meeting, command, bath_panel(), as_user(MEMBER))
    again = RecordPanelMeeting(command_id=uuid4(), panel_id=BATH, meeting_id=MEETING, held_on=date(2026, 6, 17),
                               attended_by=(MEMBER,))
    refused("panel.meeting_recorded_once", record_meeting, again, bath_panel(), as_user(MEMBER))


def test_the_continuum_belongs_to_an_area_panel_not_the_children_outside_school_panel() -> None:
    command = ListContinuumService(command_id=uuid4(), panel_id=COSP, service_id="svc", name="n", phases=("primary",),
                                   criteria="c", referrer_kinds=("home_school",), expected_wait_school_days=5)
    refused("panel.hears_its_kind", list_service, command, cosp_panel(), as_user("officer-1"))


def test_a_referral_names_the_referrer_from_the_token() -> None:
    [event] = make_referral(_referral(), fold_panel(bath_panel()), as_user("senco-1"))
    assert isinstance(event, PanelReferralMade)
    assert (event.referred_by, event.referred_by_organisation_id) == ("senco-1", "org-of-senco-1")


@pytest.mark.parametrize(("overrides", "kind", "rule"), [
    ({"service_id": "svc-unknown"}, OrgKind.HOME_SCHOOL, "panel.service_in_continuum"),
    ({"phase": "secondary"}, OrgKind.HOME_SCHOOL, "panel.phase_served"),
    ({}, OrgKind.PROVISION, "panel.referrer_on_pathway"),
])
def test_a_referral_off_the_areas_pathways_is_refused(overrides: dict[str, object], kind: OrgKind, rule: str) -> None:
    refused(rule, make_referral, _referral(**overrides), bath_panel(), as_user("senco-1", kind))


def test_a_referral_id_is_used_once() -> None:
    refused("panel.case_opened_once", make_referral, _referral(), _referred(), as_user("senco-1"))


def test_a_member_decides_with_the_date_and_the_time_taken_in_days_and_school_days() -> None:
    [event] = decide_referral(_decision(), fold_panel(_referred()), as_user(MEMBER))
    # Referred Wednesday 20 May 2026, decided Wednesday 3 June: 14 days; school days after the referral up
    # to the decision, counted by hand from the example calendar: Thu 21 and Fri 22 May (summer 1 ends
    # 22 May), the half-term week 25-29 May none, Mon 1 to Wed 3 June three: five.
    assert event == PanelReferralDecided(
        panel_id=BATH, referral_id=REFERRAL, decision=PanelDecision.OFFERED_SERVICE, decided_on=date(2026, 6, 3),
        meeting_id=MEETING, decided_by=MEMBER, days_taken=14, school_days_taken=5,
        counted_with="la-demo-county (example)")


def test_a_decision_by_someone_not_on_the_panel_is_refused() -> None:
    refused("panel.decided_by_member", decide_referral, _decision(), _referred(), as_user(STRANGER))


def test_a_member_who_stood_down_no_longer_decides() -> None:
    leaving = RemovePanelMember(command_id=uuid4(), panel_id=BATH, user_id=MEMBER)
    history = [*_referred(), *remove_member(leaving, fold_panel(_referred()), as_user("officer-1"))]
    refused("panel.decided_by_member", decide_referral, _decision(), history, as_user(MEMBER))


def test_a_referral_is_decided_once_after_it_was_made_at_a_recorded_meeting() -> None:
    decided = [*_referred(), *decide_referral(_decision(), fold_panel(_referred()), as_user(MEMBER))]
    refused("panel.case_concluded_once", decide_referral, _decision(), decided, as_user(MEMBER))
    refused("panel.dates_in_order", decide_referral, _decision(decided_on="2026-05-19"), _referred(), as_user(MEMBER))
    refused("panel.meeting_recorded", decide_referral, _decision(meeting_id=str(uuid4())), _referred(),
             as_user(MEMBER))
    refused("panel.case_exists", decide_referral, _decision(referral_id=str(uuid4())), _referred(), as_user(MEMBER))


def test_the_body_cannot_name_the_decider() -> None:
    with pytest.raises(ValueError, match="decided_by"):
        _decision(decided_by=MEMBER)


def test_what_a_panel_records_happened_today_or_earlier() -> None:
    today = date(2026, 6, 3)
    refused("panel.dated_today_or_earlier", make_referral, _referral(referred_on="2026-06-04"), bath_panel(),
            as_user("senco-1", today=today))
    refused("panel.dated_today_or_earlier", decide_referral, _decision(decided_on="2026-06-04"), _referred(),
            as_user(MEMBER, today=today))
    meeting = RecordPanelMeeting(command_id=uuid4(), panel_id=BATH, meeting_id=uuid4(), held_on=date(2026, 6, 4),
                                 attended_by=(MEMBER,))
    refused("panel.dated_today_or_earlier", record_meeting, meeting, bath_panel(), as_user(MEMBER, today=today))
    [event] = decide_referral(_decision(), fold_panel(_referred()), as_user(MEMBER, today=today))
    assert isinstance(event, PanelReferralDecided)
