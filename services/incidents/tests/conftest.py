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
from ap_incidents.domain import command_models as c
from ap_incidents.domain.caller import HOME_SCHOOL_HEAD, Caller
from ap_incidents.domain.context import DecisionContext
from ap_incidents.domain.decide import decide
from ap_incidents.domain.evolve import fold
from ap_incidents.domain.organisations import OrganisationDirectory, RegisteredOrganisation
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
OTHER_LOCAL_AUTHORITY = "la-rogue"

NOW = datetime(2025, 3, 12, 10, 0, tzinfo=UTC)
TODAY = date(2025, 3, 12)
REFERRED_ON = date(2025, 1, 6)
START = date(2025, 1, 13)
DAY = date(2025, 3, 10)
AT = datetime(2025, 3, 10, 11, 30, tzinfo=UTC)

# The register of organisations every story and API test relies on (policy ORG-1 keeps it).
REGISTRATIONS: tuple[RegisteredOrganisation, ...] = (
    RegisteredOrganisation(LOCAL_AUTHORITY, OrgKind.LOCAL_AUTHORITY),
    RegisteredOrganisation(OTHER_LOCAL_AUTHORITY, OrgKind.LOCAL_AUTHORITY),
    RegisteredOrganisation(HOME_SCHOOL, OrgKind.HOME_SCHOOL, LOCAL_AUTHORITY, PARTNERSHIP),
    RegisteredOrganisation(OTHER_SCHOOL, OrgKind.HOME_SCHOOL, LOCAL_AUTHORITY, PARTNERSHIP),
    RegisteredOrganisation(COMMISSIONER, OrgKind.COMMISSIONER, LOCAL_AUTHORITY),
    RegisteredOrganisation(PROVISION, OrgKind.PROVISION, LOCAL_AUTHORITY, PARTNERSHIP, frozenset({KeyStage.KS2})),
    RegisteredOrganisation(OTHER_PROVISION, OrgKind.PROVISION, LOCAL_AUTHORITY, "np-south",
                           frozenset({KeyStage.KS2})),
)
ORGANISATIONS = OrganisationDirectory.of(REGISTRATIONS)

TRAINED = "staff-trained-1"
TRAINED_TOO = "staff-trained-2"
UNTRAINED = "staff-untrained-9"
ON_STAFF = (TRAINED, TRAINED_TOO, UNTRAINED)


def _staff_on_register() -> StaffRegister:
    """The provision's staff, each with the safeguarding training every member of staff has (KCSIE): on the
    register, so they can witness a search; nobody here is trained in physical intervention yet."""
    register = StaffRegister()
    for member in ON_STAFF:
        register = evolve_register(register, StaffTrainingRecorded(
            provision_id=PROVISION, staff_id=member, training=TrainingKind.SAFEGUARDING,
            completed_on=date(2024, 9, 2), expires_on=None))
    return register


STAFF_ON_REGISTER = _staff_on_register()


def caller(org: str, kind: OrgKind, *roles: str) -> Caller:
    return Caller(user_id=f"user@{org}", organisation_id=org, org_kind=kind, roles=frozenset(roles))


class Callers:
    head = caller(HOME_SCHOOL, OrgKind.HOME_SCHOOL, HOME_SCHOOL_HEAD)
    home_staff = caller(HOME_SCHOOL, OrgKind.HOME_SCHOOL, "home_school_staff")
    other_head = caller(OTHER_SCHOOL, OrgKind.HOME_SCHOOL, HOME_SCHOOL_HEAD)
    provider = caller(PROVISION, OrgKind.PROVISION, "provision_staff")
    provider_as_head = caller(PROVISION, OrgKind.PROVISION, HOME_SCHOOL_HEAD)
    other_provider = caller(OTHER_PROVISION, OrgKind.PROVISION, "provision_staff")
    provider_manager = caller(PROVISION, OrgKind.PROVISION, "provision_manager")
    provider_dsl = caller(PROVISION, OrgKind.PROVISION, "dsl")
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
            referral_id=self.referral_id, provision_id=PROVISION, commissioner_id=COMMISSIONER,
            received_on=REFERRED_ON, senco_involved=True,
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
            placement_id=self.placement_id, referral_id=self.referral_id, start_date=START,
            planned_end_date=date(2025, 7, 18), timetable=TimetableKind.FULL_TIME,
            planned_review_date=date(2025, 2, 24),
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

    def uphold(self, exclusion_record_id: UUID, **kw: Any) -> c.UpholdExclusion:
        return c.UpholdExclusion(**self._pupil(
            exclusion_record_id=exclusion_record_id, board_met_on=DAY, parents_told_of_independent_review=True)
            | kw)

    def transition_plan(self, **kw: Any) -> c.RecordTransitionPlan:
        visits = [{"visit_date": date(2025, 6, d), "part_of_day": part}
                  for d, part in ((2, "morning"), (9, "afternoon"), (16, "full_day"))]
        return c.RecordTransitionPlan(**self._placed(
            receiving_school_id="school-secondary-7", planned_visits=visits, information_shared=True,
            lead_professional=TRAINED, needs_and_support="Small-group start", parental_involvement="Attends visits")
            | kw)

    def confirm_reintegration(self, **kw: Any) -> c.ConfirmReintegration:
        return c.ConfirmReintegration(**self._placed(confirmed_on=DAY) | kw)

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
        self.register = STAFF_ON_REGISTER
        self.organisations = ORGANISATIONS

    @property
    def state(self) -> PupilRecord:
        return fold(self.events)

    def context(self, by: Caller) -> DecisionContext:
        return DecisionContext(caller=by, now=self.now, rules=self.rules, staff_register=self.register,
                               organisations=self.organisations)

    def run(self, command: c.PupilCommand, by: Caller) -> list[PupilEvent]:
        """When ``command`` arrives from ``by``: the events recorded (also added to the story)."""
        events = decide(command, self.state, self.context(by))
        self.events.extend(events)
        return events

    def given(self, events: Iterable[DomainEvent]) -> Story:
        self.events.extend(events)
        return self

    def one(self, command: c.PupilCommand, by: Caller) -> PupilEvent:
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

    def confirmed_back(self) -> Story:
        """The home school confirms it takes the pupil back (a provider may then end the place as a reintegration)."""
        self.run(self.cmd.confirm_reintegration(), self.who.home_staff)
        return self

    def trained(self, *staff: str, on: date = date(2024, 9, 2), expires_on: date | None = None) -> Story:
        for member in staff:
            recorded = StaffTrainingRecorded(provision_id=PROVISION, staff_id=member,
                                             training=TrainingKind.PHYSICAL_INTERVENTION, completed_on=on,
                                             expires_on=expires_on)
            self.register = evolve_register(self.register, recorded)
        return self

    def excluded(self, kind: str = "exclude_permanently", **kw: Any) -> UUID:
        """The head excludes the registered pupil (``kind``: ``exclude_permanently`` or ``suspend``); its record id."""
        self.registered()
        record_id: UUID = self.one(getattr(self.cmd, kind)(**kw), self.who.head).record_id
        return record_id

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


# ===================================================================================== the service on real servers
#
# Application and API tests run the incidents service against real PostgreSQL (event store, read
# models, key store and access audit in their own fresh databases) and real Kafka (a unique events
# topic the relay publishes to). One set per test session; every test uses fresh pupils.

import asyncio as _asyncio  # noqa: E402
import json as _json  # noqa: E402
from collections.abc import AsyncIterator, Sequence  # noqa: E402
from contextlib import asynccontextmanager  # noqa: E402
from dataclasses import dataclass as _dataclass  # noqa: E402

import asyncpg  # noqa: E402
import httpx  # noqa: E402
import pytest_asyncio  # noqa: E402
from aiokafka import AIOKafkaConsumer  # noqa: E402

from ap_incidents.adapters.command_topic_client import CommandTopicClient  # noqa: E402
from ap_incidents.application.catalogue import SPEC_BY_MODEL  # noqa: E402
from ap_incidents.entrypoints.api import create_app  # noqa: E402
from ap_incidents.entrypoints.bootstrap import IncidentsDeps  # noqa: E402
from ap_incidents.entrypoints.commands import CommandConsumer  # noqa: E402
from ap_incidents.projections import READ_MODELS  # noqa: E402
from ap_runtime.access import Role, TokenIssuer, TokenVerifier, generate_keypair, open_audit_pool  # noqa: E402
from ap_runtime.access.command_audit import shared_wal_flush  # noqa: E402
from ap_runtime.access.keys import load_private_key, load_public_key  # noqa: E402
from ap_runtime.access.tokens import ServiceAudience  # noqa: E402
from ap_runtime.eventstore import EventStore  # noqa: E402
from ap_runtime.kafka import client_security, topic_partitions  # noqa: E402
from ap_runtime.privacy.codec import PersonalDataCodec  # noqa: E402
from ap_runtime.privacy.keystore import KeyStore  # noqa: E402
from ap_runtime.projection import Projection, ProjectionRunner, read_model  # noqa: E402
from ap_runtime.projection.runner import build_app  # noqa: E402
from ap_runtime.relay import Relay  # noqa: E402
from ap_testing.privacy import random_ring  # noqa: E402

PARTNERSHIP_OTHER = "np-south"
OTHER_COMMISSIONER = "la-elsewhere"

# Who calls the API: (organisation, kind, roles). Organisations as in the domain stories above.
PEOPLE: dict[str, tuple[str, OrgKind, tuple[Role, ...]]] = {
    "provider_staff": (PROVISION, OrgKind.PROVISION, (Role.PROVISION_STAFF,)),
    "provider_manager": (PROVISION, OrgKind.PROVISION, (Role.PROVISION_MANAGER,)),
    "provider_dsl": (PROVISION, OrgKind.PROVISION, (Role.DSL,)),
    "other_provider_staff": (OTHER_PROVISION, OrgKind.PROVISION, (Role.PROVISION_STAFF,)),
    "other_provider_manager": (OTHER_PROVISION, OrgKind.PROVISION, (Role.PROVISION_MANAGER,)),
    "other_provider_dsl": (OTHER_PROVISION, OrgKind.PROVISION, (Role.DSL,)),
    "home_staff": (HOME_SCHOOL, OrgKind.HOME_SCHOOL, (Role.HOME_SCHOOL_STAFF,)),
    "head": (HOME_SCHOOL, OrgKind.HOME_SCHOOL, (Role.HOME_SCHOOL_HEAD,)),
    "home_dsl": (HOME_SCHOOL, OrgKind.HOME_SCHOOL, (Role.DSL,)),
    "home_dpo": (HOME_SCHOOL, OrgKind.HOME_SCHOOL, (Role.DPO,)),
    "other_home_staff": (OTHER_SCHOOL, OrgKind.HOME_SCHOOL, (Role.HOME_SCHOOL_STAFF,)),
    "other_head": (OTHER_SCHOOL, OrgKind.HOME_SCHOOL, (Role.HOME_SCHOOL_HEAD,)),
    "other_dpo": (OTHER_SCHOOL, OrgKind.HOME_SCHOOL, (Role.DPO,)),
    "commissioner": (COMMISSIONER, OrgKind.COMMISSIONER, (Role.COMMISSIONER,)),
    "other_commissioner": (OTHER_COMMISSIONER, OrgKind.COMMISSIONER, (Role.COMMISSIONER,)),
    "la_officer": (LOCAL_AUTHORITY, OrgKind.LOCAL_AUTHORITY, (Role.LA_OFFICER,)),
    "partnership_lead": (PARTNERSHIP, OrgKind.PARTNERSHIP, (Role.PARTNERSHIP_LEAD,)),
    "other_partnership_lead": (PARTNERSHIP_OTHER, OrgKind.PARTNERSHIP, (Role.PARTNERSHIP_LEAD,)),
}
# Callers outside the authorisation matrix: the register's keeper and a local authority of another area.
MORE_PEOPLE: dict[str, tuple[str, OrgKind, tuple[Role, ...]]] = {
    "platform_admin": ("platform-operator", OrgKind.PLATFORM, (Role.PLATFORM_ADMIN,)),
    "other_la_officer": (OTHER_LOCAL_AUTHORITY, OrgKind.LOCAL_AUTHORITY, (Role.LA_OFFICER,)),
    "other_la_dpo": (OTHER_LOCAL_AUTHORITY, OrgKind.LOCAL_AUTHORITY, (Role.DPO,)),
}


@_dataclass
class ServiceUnderTest:
    """The incidents service on fresh databases, an HTTP client on its API, and a relay to a test topic."""

    deps: IncidentsDeps
    issuer: TokenIssuer
    client: httpx.AsyncClient
    events_topic: str
    bootstrap: str
    dsns: dict[str, str]

    def token(self, who: str) -> str:
        org, kind, roles = PEOPLE[who] if who in PEOPLE else MORE_PEOPLE[who]
        return self.issuer.mint(user_id=f"{who}-user", organisation_id=org, org_kind=kind, roles=roles)

    def headers(self, who: str, purpose: str | None = None, **extra: str) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.token(who)}", **extra}
        if purpose:
            headers["X-Access-Purpose"] = purpose
        return headers

    async def send(self, command: c.Command, who: str, purpose: str | None = None) -> httpx.Response:
        """POST a domain command to its endpoint as ``who``."""
        spec = SPEC_BY_MODEL[type(command)]
        values = command.model_dump(mode="json")
        owner = spec.scope_path.format(**{spec.scope_field: values[spec.scope_field]})
        path = f"/v1{owner}/{spec.path_for(values)}"
        body = {name: value for name, value in values.items() if name not in (spec.scope_field, *spec.path_fields)}
        return await self.client.post(path, json=body, headers=self.headers(who, purpose))

    async def register_staff(self, *staff: str) -> None:
        """The provision's staff on its register (safeguarding training): ``ON_STAFF`` unless others are named."""
        for member in staff or ON_STAFF:
            command = c.RecordStaffTraining(command_id=uuid4(), provision_id=PROVISION, staff_id=member,
                                            training=TrainingKind.SAFEGUARDING, completed_on=date(2024, 9, 2))
            response = await self.send(command, "provider_manager")
            assert response.status_code == 201, response.text

    async def register_organisations(self) -> None:
        """Register the organisations of ``REGISTRATIONS`` (the same facts again record nothing)."""
        for org in REGISTRATIONS:
            command = c.RegisterOrganisation(
                command_id=uuid4(), organisation_id=org.organisation_id, kind=org.kind,
                local_authority_id=org.local_authority_id, partnership_id=org.partnership_id,
                key_stages=tuple(sorted(org.key_stages)))
            response = await self.send(command, "platform_admin")
            assert response.status_code in (200, 201), response.text

    async def stream_length(self, stream_id: str) -> int:
        return int(await self.deps.events_pool.fetchval(
            "SELECT count(*) FROM events WHERE stream_id = $1", stream_id))

    async def relay_to_head(self, wait_seconds: float = 30.0) -> None:
        """Publish every stored event to the test topic (the relay's checkpoint persists between calls)."""
        pool = self.deps.events_pool
        stop = _asyncio.Event()
        relay = Relay(pool, self.bootstrap, "incidents-test-relay", topic_override=self.events_topic)
        task = _asyncio.create_task(relay.run(stop))
        head = await EventStore(pool).head()
        try:
            for _ in range(int(wait_seconds * 20)):
                checkpoint = await relay.checkpoint()
                if (checkpoint.transaction_id, checkpoint.position) >= (head.transaction_id, head.position):
                    return
                if task.done():
                    task.result()
                await _asyncio.sleep(0.05)
            raise AssertionError("the relay did not reach the head of the event store")
        finally:
            stop.set()
            await task

    async def end_offsets(self) -> dict[int, int]:
        partitions = await topic_partitions(self.bootstrap, [self.events_topic])
        assert partitions, f"topic {self.events_topic} has no partitions"
        consumer = AIOKafkaConsumer(bootstrap_servers=self.bootstrap, **client_security())
        await consumer.start()
        try:
            offsets = await consumer.end_offsets(partitions)
            return {tp.partition: offset for tp, offset in offsets.items()}
        finally:
            await consumer.stop()

    @asynccontextmanager
    async def nothing_recorded(self, stream_id: str) -> AsyncIterator[None]:
        """Asserts that what runs inside stores no event on ``stream_id`` and publishes nothing."""
        await self.relay_to_head()
        before = (await self.stream_length(stream_id), await self.end_offsets())
        yield
        await self.relay_to_head()
        after = (await self.stream_length(stream_id), await self.end_offsets())
        assert after == before, f"something was recorded or published: {before} -> {after}"


@asynccontextmanager
async def serving_incidents(dsns: dict[str, str], topic: str, bootstrap: str) -> AsyncIterator[ServiceUnderTest]:
    """The incidents API in process on the given databases (``events``, ``audit``, ``keys``), with
    the organisations and the provision's staff registered; closed on exit."""
    events_pool = await asyncpg.create_pool(dsns["events"], min_size=2, max_size=20)
    audit_pool = await open_audit_pool(dsns["audit"])
    ring, _raw = random_ring()
    keystore = await KeyStore.open(dsns["keys"], ring)
    pair = generate_keypair()
    issuer = TokenIssuer(load_private_key(pair.private_pem), audience=ServiceAudience.INCIDENTS)
    verifier = TokenVerifier(load_public_key(pair.public_pem), audience=ServiceAudience.INCIDENTS)
    deps = IncidentsDeps(events_pool, events_pool, audit_pool, keystore, verifier)
    deps.audit_flush = await shared_wal_flush(events_pool, audit_pool)  # as a process's start-up chooses it
    await deps.migrate()
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(deps)), base_url="http://incidents")
    under_test = ServiceUnderTest(deps, issuer, client, topic, bootstrap, dsns)
    try:
        await under_test.register_organisations()
        await under_test.register_staff()
        yield under_test
    finally:
        await client.aclose()
        await keystore.close()
        await events_pool.close()
        await audit_pool.close()


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def service(new_database: Callable[[str], Any], new_topic: Callable[..., Any],
                  kafka_bootstrap: str) -> AsyncIterator[ServiceUnderTest]:
    dsns = {name: await new_database(f"incidents_{name}") for name in ("events", "audit", "keys")}
    async with serving_incidents(dsns, await new_topic("incidents-events"), kafka_bootstrap) as under_test:
        yield under_test


class ApiStory:
    """One pupil taken through the API: builders from ``Commands``, callers from ``PEOPLE``."""

    def __init__(self, service: ServiceUnderTest) -> None:
        self.service = service
        self.pupil_ref, self.referral_id, self.placement_id = uuid4(), uuid4(), uuid4()
        self.cmd = Commands(self.pupil_ref, self.referral_id, self.placement_id)

    @property
    def stream(self) -> str:
        return f"pupil-{self.pupil_ref}"

    async def ok(self, command: c.Command, who: str, purpose: str | None = None) -> dict[str, Any]:
        response = await self.service.send(command, who, purpose)
        assert response.status_code in (200, 201), (type(command).__name__, response.status_code, response.text)
        body: dict[str, Any] = response.json()
        return body

    async def send(self, command: c.Command, who: str, purpose: str | None = None) -> httpx.Response:
        return await self.service.send(command, who, purpose)

    async def registered(self, **kw: Any) -> ApiStory:
        await self.ok(self.cmd.register_pupil(**kw), "head")
        return self

    async def ready_to_place(self, **register_kw: Any) -> ApiStory:
        await self.registered(**register_kw)
        await self.ok(self.cmd.receive_referral(), "home_staff")
        await self.ok(self.cmd.consult_parent(), "home_staff")
        await self.ok(self.cmd.decide_eligibility(), "provider_manager")
        return self

    async def placed(self, **start_kw: Any) -> ApiStory:
        await self.ready_to_place()
        await self.ok(self.cmd.start_placement(**start_kw), "commissioner")
        return self

    async def incident(self, who: str = "provider_staff", **kw: Any) -> UUID:
        command = self.cmd.record_incident(**kw)
        await self.ok(command, who)
        return command.incident_id

    async def trained(self, *staff: str) -> None:
        for member in staff:
            await self.ok(c.RecordStaffTraining(command_id=uuid4(), provision_id=PROVISION, staff_id=member,
                                                training=TrainingKind.PHYSICAL_INTERVENTION,
                                                completed_on=date(2024, 9, 2)), "provider_manager")


@pytest.fixture
def api_story(service: ServiceUnderTest) -> ApiStory:
    return ApiStory(service)


async def behaviour_log_of(service: ServiceUnderTest, story: ApiStory, who: str, **params: str) -> dict[str, Any]:
    """The pupil's behaviour log as ``who`` reads it (``purpose`` goes in the header, the rest in the query)."""
    purpose = params.pop("purpose", None)
    response = await service.client.get(f"/v1/pupils/{story.pupil_ref}/behaviour-log", params=params,
                                        headers=service.headers(who, purpose=purpose))
    assert response.status_code == 200, (who, response.text)
    body: dict[str, Any] = response.json()
    return body


def problem_of(response: httpx.Response) -> dict[str, Any]:
    """The problem body of a refusal (asserting it is one)."""
    assert response.headers["content-type"].startswith("application/problem+json"), response.text
    body: dict[str, Any] = _json.loads(response.text)
    return body


@_dataclass
class RunningProjections:
    """Both read models consuming the test topic in this process."""

    service: ServiceUnderTest
    names: tuple[str, ...]

    async def caught_up(self, wait_seconds: float = 60.0) -> None:
        """Relay everything stored, then wait until both read models applied every event."""
        await self.service.relay_to_head()
        pool = self.service.deps.events_pool
        total = int(await pool.fetchval("SELECT count(*) FROM events"))
        for _ in range(int(wait_seconds * 20)):
            counts = []
            for name in self.names:
                try:
                    async with read_model(pool, name) as conn:
                        counts.append(int(await conn.fetchval("SELECT count(*) FROM processed_events")))
                except LookupError:
                    counts.append(0)
            if all(n >= total for n in counts):
                return
            await _asyncio.sleep(0.05)
        raise AssertionError(f"read models did not catch up with {total} events")


@asynccontextmanager
async def running_projections(service: ServiceUnderTest, models: Sequence[type[Projection]] = READ_MODELS
                              ) -> AsyncIterator[RunningProjections]:
    """``models`` consuming the service's test topic in this process, each in its own consumer group."""
    codec = PersonalDataCodec(service.deps.keystore)
    topics = (service.events_topic,)
    runners = [ProjectionRunner(projection, service.deps.read_pool, service.bootstrap, codec=codec,
                                group_id=f"test.{projection.name}.{service.events_topic}")
               for projection in (model(topics) for model in models)]
    app = build_app(runners, service.bootstrap)
    assert app.broker is not None
    async with app.broker:
        for runner in runners:
            await runner.start()
        await app.broker.start()
        yield RunningProjections(service, tuple(r.projection.name for r in runners))
        for runner in runners:
            await runner.stop()


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def projections(service: ServiceUnderTest) -> AsyncIterator[RunningProjections]:
    async with running_projections(service) as running:
        yield running


@_dataclass
class KafkaIngestion:
    """The command consumer running in this process on unique topics, and a client of those topics."""

    consumer: CommandConsumer
    client: CommandTopicClient

    async def run(self, command: c.Command, who: str, service: ServiceUnderTest,
                  purpose: str | None = None) -> dict[str, Any]:
        """Send one domain command over Kafka as ``who`` and return its result."""
        spec = SPEC_BY_MODEL[type(command)]
        if spec.pupil_scoped:
            body = command.model_dump(mode="json", exclude={"pupil_ref"})
            await self.client.send(spec.name, body, service.token(who), pupil_ref=command.pupil_ref,  # type: ignore[attr-defined]
                                   purpose=purpose)
        else:
            body = command.model_dump(mode="json", exclude={"provision_id"})
            await self.client.send(spec.name, body, service.token(who),
                                   provision_id=getattr(command, "provision_id", None), purpose=purpose)
        command_id = str(command.command_id)
        self.client.results.pop(command_id, None)
        return (await self.client.wait_for([command_id]))[command_id]


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def kafka_ingestion(service: ServiceUnderTest, new_topic: Callable[..., Any]) -> AsyncIterator[KafkaIngestion]:
    commands_topic = await new_topic("incidents-commands")
    results_topic = await new_topic("incidents-results")
    consumer = CommandConsumer(service.deps, service.bootstrap, commands_topic=commands_topic,
                               results_topic=results_topic, group_id=f"test-incidents-{uuid4().hex[:8]}")
    await consumer.start()
    client = CommandTopicClient(service.bootstrap, commands_topic=commands_topic, results_topic=results_topic)
    await client.start()
    yield KafkaIngestion(consumer, client)
    await client.stop()
    await consumer.stop()
