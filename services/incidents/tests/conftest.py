"""Given / when / then support for the pupil-path domain tests.

A ``Story`` holds the events given so far; ``story.run(command, by=caller)`` is the *when*: it
decides against the folded record and, when the command is accepted, appends its events so the
next step of the story sees them. The ``then`` is a plain assertion on the returned events or a
``pytest.raises`` on the named error. Command builders carry sensible defaults; each test
overrides only what the rule under test is about.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest

from ap_contracts.envelope import OrgKind
from ap_contracts.events.base import DomainEvent
from ap_contracts.events.provision_staff import StaffTrainingRecorded
from ap_contracts.events.pupil_vocabulary import (
    AttendanceCode,
    ConsultationMethod,
    EligibilityOutcome,
    Ethnicity,
    ExclusionReason,
    ForceReason,
    IncidentCategory,
    IncidentLocation,
    IncidentTrigger,
    KeyStage,
    ParentView,
    PlacementEndReason,
    Professional,
    ProhibitedItem,
    RewardKind,
    SafeguardingCategory,
    SenStatus,
    Session,
    Severity,
    Sex,
    TimetableKind,
    TrainingKind,
    YearGroup,
)
from ap_contracts.events.pupils import PupilEvent
from ap_incidents.domain import commands as c
from ap_incidents.domain.caller import HOME_SCHOOL_HEAD, Caller
from ap_incidents.domain.context import DecisionContext
from ap_incidents.domain.decide import decide
from ap_incidents.domain.evolve import fold
from ap_incidents.domain.rules import DEFAULT_RULES, RuleBook
from ap_incidents.domain.staff_register import StaffRegister, evolve_register
from ap_incidents.domain.state import PupilRecord

HOME_SCHOOL = "school-home-1"
OTHER_SCHOOL = "school-other-2"
PROVISION = "provision-north"
OTHER_PROVISION = "provision-south"
COMMISSIONER = "la-commissioning"
PARTNERSHIP = "np-north"
LOCAL_AUTHORITY = "la-inclusion"

NOW = datetime(2025, 3, 12, 10, 0, tzinfo=UTC)
TODAY = date(2025, 3, 12)
REFERRED_ON = date(2025, 1, 6)
START = date(2025, 1, 13)
DAY = date(2025, 3, 10)
AT = datetime(2025, 3, 10, 11, 30, tzinfo=UTC)

TRAINED = "staff-trained-1"
TRAINED_TOO = "staff-trained-2"
UNTRAINED = "staff-untrained-9"


def caller(org: str, kind: OrgKind, *roles: str) -> Caller:
    return Caller(user_id=f"user@{org}", organisation_id=org, org_kind=kind, roles=frozenset(roles))


class Callers:
    head = caller(HOME_SCHOOL, OrgKind.HOME_SCHOOL, HOME_SCHOOL_HEAD)
    home_staff = caller(HOME_SCHOOL, OrgKind.HOME_SCHOOL, "home_school_staff")
    other_head = caller(OTHER_SCHOOL, OrgKind.HOME_SCHOOL, HOME_SCHOOL_HEAD)
    provider = caller(PROVISION, OrgKind.PROVISION, "provision_staff")
    provider_as_head = caller(PROVISION, OrgKind.PROVISION, HOME_SCHOOL_HEAD)
    other_provider = caller(OTHER_PROVISION, OrgKind.PROVISION, "provision_staff")
    commissioner = caller(COMMISSIONER, OrgKind.COMMISSIONER, "commissioner")
    la = caller(LOCAL_AUTHORITY, OrgKind.LOCAL_AUTHORITY, "la_officer")


def _base(pupil_ref: UUID) -> dict[str, Any]:
    return {"command_id": uuid4(), "pupil_ref": pupil_ref}


class Commands:
    """Builders with defaults for a Year 4 pupil placed full time at a KS2 provision."""

    def __init__(self, pupil_ref: UUID, referral_id: UUID, placement_id: UUID) -> None:
        self.pupil_ref = pupil_ref
        self.referral_id = referral_id
        self.placement_id = placement_id

    def _pupil(self, **kw: Any) -> dict[str, Any]:
        return {**_base(self.pupil_ref), **kw}

    def _placed(self, **kw: Any) -> dict[str, Any]:
        return {**_base(self.pupil_ref), "placement_id": self.placement_id, **kw}

    def register_pupil(self, **kw: Any) -> c.RegisterPupil:
        return c.RegisterPupil(**self._pupil(
            home_school_id=HOME_SCHOOL, display_name="Test Pupil", date_of_birth=date(2016, 5, 1),
            sex=Sex.MALE, year_group=YearGroup.Y4, sen_status=SenStatus.SEN_SUPPORT, fsm_eligible=True,
            ethnicity=Ethnicity.NOT_YET_OBTAINED, looked_after=False) | kw)

    def update_details(self, **kw: Any) -> c.UpdatePupilDetails:
        return c.UpdatePupilDetails(**self._pupil(effective_from=DAY) | kw)

    def receive_referral(self, **kw: Any) -> c.ReceiveReferral:
        return c.ReceiveReferral(**self._pupil(
            referral_id=self.referral_id, provision_id=PROVISION, received_on=REFERRED_ON, senco_involved=True,
            reason="Escalating disruption in class", support_already_tried="In-class support for a term") | kw)

    def consult_parent(self, **kw: Any) -> c.RecordParentConsultation:
        return c.RecordParentConsultation(**self._pupil(
            referral_id=self.referral_id, consulted_on=date(2025, 1, 8), method=ConsultationMethod.MEETING,
            parent_view=ParentView.SUPPORTS, consulted_with="parent") | kw)

    def decide_eligibility(self, **kw: Any) -> c.DecideEligibility:
        return c.DecideEligibility(**self._pupil(
            referral_id=self.referral_id, decided_on=date(2025, 1, 10), outcome=EligibilityOutcome.ELIGIBLE,
            rationale="Meets the partnership's criteria") | kw)

    def record_meeting(self, **kw: Any) -> c.RecordMultidisciplinaryMeeting:
        return c.RecordMultidisciplinaryMeeting(**self._pupil(
            referral_id=self.referral_id, held_on=date(2025, 1, 9),
            attendees=(Professional.SENCO, Professional.EDUCATIONAL_PSYCHOLOGIST, Professional.HOME_SCHOOL_HEAD),
            considered_key_stage=KeyStage.KS2, recommends_placement=True,
            needs_assessment="Needs met by small-group provision") | kw)

    def approve_out_of_key_stage(self, **kw: Any) -> c.ApproveOutOfKeyStagePlacement:
        return c.ApproveOutOfKeyStagePlacement(**self._pupil(
            referral_id=self.referral_id, provision_key_stage=KeyStage.KS2, approved_on=date(2025, 1, 10),
            governing_body_agreed=True, alternatives_considered=("in_class_support", "reduced_timetable"),
            rationale="Best interests of the child") | kw)

    def start_placement(self, **kw: Any) -> c.StartPlacement:
        return c.StartPlacement(**self._pupil(
            placement_id=self.placement_id, referral_id=self.referral_id, commissioner_id=COMMISSIONER,
            partnership_id=PARTNERSHIP, start_date=START, planned_end_date=date(2025, 7, 18),
            key_stage=KeyStage.KS2, timetable=TimetableKind.FULL_TIME, planned_review_date=date(2025, 2, 24),
            exit_criteria="Three weeks without a serious incident", incident_severity_threshold=Severity.SERIOUS,
            attendance_threshold_percent=90) | kw)

    def agree_thresholds(self, **kw: Any) -> c.AgreeAlertThresholds:
        return c.AgreeAlertThresholds(**self._placed(
            agreed_on=DAY, incident_severity_threshold=Severity.VERY_SERIOUS, attendance_threshold_percent=85) | kw)

    def record_attendance(self, **kw: Any) -> c.RecordAttendance:
        return c.RecordAttendance(**self._placed(session_date=DAY, session=Session.AM,
                                                 code=AttendanceCode.PRESENT_AM) | kw)

    def record_incident(self, **kw: Any) -> c.RecordIncident:
        return c.RecordIncident(**self._placed(
            incident_id=uuid4(), happened_at=AT, category=IncidentCategory.PHYSICAL_AGGRESSION_TO_PUPIL,
            severity=Severity.SERIOUS, location=IncidentLocation.OUTDOOR_AREA,
            triggers=(IncidentTrigger.PEER_CONFLICT,), antecedents="Game at break went wrong",
            description="Pushed another pupil", staff_involved=(TRAINED,)) | kw)

    def apply_sanction(self, **kw: Any) -> c.ApplySanction:
        return c.ApplySanction(**self._placed(applied_on=DAY, sanction="reflection_with_keyworker") | kw)

    def grant_reward(self, **kw: Any) -> c.GrantReward:
        return c.GrantReward(**self._placed(granted_on=DAY, kind=RewardKind.REWARD_SLIP, quantity=1) | kw)

    def redeem_reward(self, **kw: Any) -> c.RedeemReward:
        return c.RedeemReward(**self._placed(redeemed_on=DAY, item="Drink", cost_pence=80, slips_spent=1) | kw)

    def keyworker_session(self, **kw: Any) -> c.HoldKeyworkerSession:
        return c.HoldKeyworkerSession(**self._placed(
            held_on=DAY, focus="reflection_on_behaviour", duration_minutes=30, keyworker=TRAINED) | kw)

    def physical_intervention(self, incident_id: UUID, **kw: Any) -> c.RecordPhysicalIntervention:
        return c.RecordPhysicalIntervention(**self._placed(
            incident_id=incident_id, started_at=AT, duration_minutes=3, reason=ForceReason.PREVENT_HARM_TO_OTHERS,
            staff_involved=(TRAINED, TRAINED_TOO), injury_occurred=False,
            description="Guided away from the other pupil", parents_informed=True) | kw)

    def search(self, **kw: Any) -> c.RecordSearch:
        return c.RecordSearch(**self._placed(
            searched_at=AT, searched_for=(ProhibitedItem.KNIFE_OR_WEAPON,), grounds="Reported by another pupil",
            searcher=TRAINED, searcher_sex=Sex.MALE, witness=TRAINED_TOO, parents_informed=True) | kw)

    def safeguarding_concern(self, **kw: Any) -> c.RaiseSafeguardingConcern:
        return c.RaiseSafeguardingConcern(**self._placed(
            concern_id=uuid4(), raised_at=AT, category=SafeguardingCategory.NEGLECT, immediate_risk=False,
            referred_to_dsl=True, raised_by=TRAINED, concern="Repeatedly arrives hungry") | kw)

    def behaviour_contract(self, **kw: Any) -> c.AgreeBehaviourContract:
        return c.AgreeBehaviourContract(**self._placed(
            agreed_on=DAY, review_date=date(2025, 4, 7), parent_involved=True, targets="Stay in class") | kw)

    def agency_referral(self, **kw: Any) -> c.ReferToExternalAgency:
        return c.ReferToExternalAgency(**self._placed(
            referred_on=DAY, agency="camhs", parent_permission=True, reason="Low mood") | kw)

    def review(self, **kw: Any) -> c.HoldReview:
        return c.HoldReview(**self._placed(
            held_on=DAY, outcome="continue", progress_summary="Fewer incidents", action_plan="Phased return",
            action_plan_due_date=date(2025, 4, 4), next_review_date=date(2025, 4, 28)) | kw)

    def review_reduced_timetable(self, **kw: Any) -> c.ReviewReducedTimetable:
        return c.ReviewReducedTimetable(**self._placed(
            reviewed_on=DAY, outcome="increased", next_review_date=date(2025, 4, 7),
            reintegration_plan="Add afternoons") | kw)

    def propose_exclusion(self, **kw: Any) -> c.ProposeExclusion:
        return c.ProposeExclusion(**self._placed(
            proposal_id=uuid4(), proposed_on=DAY, primary_reason=ExclusionReason.PHYSICAL_ASSAULT_ADULT,
            account="Assaulted a member of staff", safety_arrangements="Supervised at home school from tomorrow")
            | kw)

    def commissioner_decision(self, proposal_id: UUID, **kw: Any) -> c.RecordCommissionerDecision:
        return c.RecordCommissionerDecision(**self._placed(
            proposal_id=proposal_id, decided_on=DAY, decision="withdrawal_upheld",
            reasons="Safety of staff") | kw)

    def suspend(self, **kw: Any) -> c.IssueSuspension:
        return c.IssueSuspension(**self._pupil(
            first_day=DAY, duration_half_days=2, primary_reason=ExclusionReason.DISRUPTIVE_BEHAVIOUR,
            parents_informed=True, account="Persistent disruption") | kw)

    def exclude_permanently(self, **kw: Any) -> c.IssuePermanentExclusion:
        return c.IssuePermanentExclusion(**self._pupil(
            decided_on=DAY, effective_from=date(2025, 3, 11), primary_reason=ExclusionReason.PHYSICAL_ASSAULT_ADULT,
            parents_informed=True, account="Serious assault") | kw)

    def reinstate(self, exclusion_record_id: UUID, **kw: Any) -> c.ReinstatePupil:
        return c.ReinstatePupil(**self._pupil(
            exclusion_record_id=exclusion_record_id, board_met_on=DAY, reasons="Procedure not followed") | kw)

    def transition_plan(self, **kw: Any) -> c.RecordTransitionPlan:
        visits = [{"visit_date": date(2025, 6, d), "part_of_day": part}
                  for d, part in ((2, "morning"), (9, "afternoon"), (16, "full_day"))]
        return c.RecordTransitionPlan(**self._placed(
            receiving_school_id="school-secondary-7", planned_visits=visits, information_shared=True,
            lead_professional=TRAINED, needs_and_support="Small-group start", parental_involvement="Attends visits")
            | kw)

    def end_placement(self, **kw: Any) -> c.EndPlacement:
        return c.EndPlacement(**self._placed(
            end_date=DAY, reason=PlacementEndReason.REINTEGRATED_TO_HOME_SCHOOL, summary="Back full time") | kw)

    def amend(self, target: UUID, values: dict[str, Any], **kw: Any) -> c.AmendRecord:
        return c.AmendRecord(**self._pupil(target_record_id=target, reason="wrong_value",
                                           explanation="Entered wrongly", corrected_values=values) | kw)

    def withdraw(self, target: UUID, **kw: Any) -> c.WithdrawRecordInError:
        return c.WithdrawRecordInError(**self._pupil(target_record_id=target, reason="duplicate_entry",
                                                     explanation="Recorded twice") | kw)


class Story:
    """The events of one pupil so far, and a way to add the next command's events."""

    who = Callers

    def __init__(self, rules: RuleBook = DEFAULT_RULES) -> None:
        self.pupil_ref = uuid4()
        self.referral_id = uuid4()
        self.placement_id = uuid4()
        self.cmd = Commands(self.pupil_ref, self.referral_id, self.placement_id)
        self.events: list[DomainEvent] = []
        self.rules = rules
        self.now = NOW
        self.register = StaffRegister()

    @property
    def state(self) -> PupilRecord:
        return fold(self.events)

    def context(self, by: Caller) -> DecisionContext:
        return DecisionContext(caller=by, now=self.now, rules=self.rules, staff_register=self.register)

    def run(self, command: c.PupilCommands, by: Caller) -> list[PupilEvent]:
        """When ``command`` arrives from ``by``: the events recorded (also added to the story)."""
        events = decide(command, self.state, self.context(by))
        self.events.extend(events)
        return events

    def given(self, events: Iterable[DomainEvent]) -> Story:
        self.events.extend(events)
        return self

    def one(self, command: c.PupilCommands, by: Caller) -> PupilEvent:
        events = self.run(command, by)
        assert len(events) == 1, events
        return events[0]

    # ------------------------------------------------------------------ common beginnings

    def registered(self, **kw: Any) -> Story:
        self.run(self.cmd.register_pupil(**kw), self.who.head)
        return self

    def referred(self, **kw: Any) -> Story:
        self.run(self.cmd.receive_referral(**kw), self.who.head)
        return self

    def consulted(self) -> Story:
        self.run(self.cmd.consult_parent(), self.who.home_staff)
        return self

    def eligible(self, **kw: Any) -> Story:
        self.run(self.cmd.decide_eligibility(**kw), self.who.la)
        return self

    def ready_to_place(self, **register_kw: Any) -> Story:
        return self.registered(**register_kw).referred().consulted().eligible()

    def placed(self, **start_kw: Any) -> Story:
        self.ready_to_place()
        self.run(self.cmd.start_placement(**start_kw), self.who.la)
        return self

    def trained(self, *staff: str, on: date = date(2024, 9, 2), expires_on: date | None = None) -> Story:
        for member in staff:
            recorded = StaffTrainingRecorded(provision_id=PROVISION, staff_id=member,
                                             training=TrainingKind.PHYSICAL_INTERVENTION, completed_on=on,
                                             expires_on=expires_on)
            self.register = evolve_register(self.register, recorded)
        return self

    def incident(self, **kw: Any) -> UUID:
        command = self.cmd.record_incident(**kw)
        self.run(command, self.who.provider)
        return command.incident_id

    def later(self, days: int) -> Story:
        self.now = self.now + timedelta(days=days)
        return self


@pytest.fixture
def story() -> Story:
    return Story()


@pytest.fixture
def new_story() -> Callable[..., Story]:
    """A factory for fresh stories (for property-based tests, which run many examples per test)."""
    return Story
