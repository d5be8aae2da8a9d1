"""Commands of the pupil path: what a user asks the incidents service to do, in the imperative.

Every command carries a client-chosen ``command_id``: sending the same command again (a retry after
a timeout) records nothing new. Commands hold only what the caller knows; facts the pupil record
already holds (the learner's sex, the home school, the academic year) are filled in by ``decide``.
Narratives are plain strings here; ``decide`` refuses blank ones where a rule needs them, and the
events it produces mark them personal.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

from pydantic import AfterValidator, AwareDatetime, ConfigDict, Field, JsonValue, StrictInt

from ap_contracts.envelope import OrgKind
from ap_contracts.events.placements import TransitionVisit
from ap_contracts.events.provision_staff import TrainingRevocationReason
from ap_contracts.events.pupil_corrections import CorrectionReason
from ap_contracts.events.pupil_vocabulary import (
    Agency,
    AlternativeToPlacement,
    AttendanceCode,
    CommissionerDecision,
    ConsultationMethod,
    EligibilityOutcome,
    Ethnicity,
    ExclusionReason,
    ForceReason,
    IncidentCategory,
    IncidentLocation,
    IncidentTrigger,
    ItemDisposal,
    KeyStage,
    KeyworkerFocus,
    ParentView,
    PlacementEndReason,
    Professional,
    ProhibitedItem,
    ReducedTimetableOutcome,
    ReviewOutcome,
    RewardKind,
    SafeguardingCategory,
    SanctionType,
    SearchWitnessRole,
    SenStatus,
    Session,
    Severity,
    Sex,
    ShortLabel,
    TimetableKind,
    TrainingKind,
    YearGroup,
)
from ap_contracts.identifiers import OrganisationId, StaffId
from ap_contracts.money import Pence
from ap_contracts.text import TextGuardedModel

Text = Annotated[str, Field(max_length=10_000)]
LongText = Annotated[str, Field(max_length=20_000)]
Name = Annotated[str, Field(min_length=1, max_length=200)]
PositiveInt = Annotated[StrictInt, Field(ge=1)]
Minutes = Annotated[StrictInt, Field(ge=1, le=24 * 60)]
Percent = Annotated[int, Field(ge=0, le=100)]
FurtherReasons = Annotated[tuple[ExclusionReason, ...], Field(max_length=2)]



def _plausible_moment(moment: datetime) -> datetime:
    """A record's time must be a real school-era moment (year 1900-2199), not a calendar extreme."""
    if not 1900 <= moment.year <= 2199:
        raise ValueError("must be between the years 1900 and 2199")
    return moment


RecordedMoment = Annotated[AwareDatetime, AfterValidator(_plausible_moment)]

class Command(TextGuardedModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    command_id: UUID = Field(description="Chosen by the client; a retried command records nothing new")


class PupilCommand(Command):
    pupil_ref: UUID


class PlacementCommand(PupilCommand):
    placement_id: UUID


# ----------------------------------------------------------------------------- registration to placement


class RegisterPupil(PupilCommand):
    home_school_id: OrganisationId
    display_name: Name
    date_of_birth: date
    sex: Sex
    year_group: YearGroup
    sen_status: SenStatus
    fsm_eligible: bool
    ethnicity: Ethnicity
    looked_after: bool
    family_contact: Annotated[str, Field(max_length=500)] | None = None


class UpdatePupilDetails(PupilCommand):
    """Details change as facts change; the home school changes only by a confirmed transfer."""

    effective_from: date
    year_group: YearGroup | None = None
    sex: Sex | None = None
    sen_status: SenStatus | None = None
    fsm_eligible: bool | None = None
    looked_after: bool | None = None
    display_name: Name | None = None
    family_contact: Annotated[str, Field(max_length=500)] | None = None


class RequestPupilTransfer(PupilCommand):
    """The current home school or its local authority asks to move the pupil to another registered school."""

    transfer_id: UUID
    to_school_id: OrganisationId
    requested_on: date


class ConfirmPupilTransfer(PupilCommand):
    """The other party (the current school, or its local authority) confirms the move."""

    transfer_id: UUID
    effective_from: date


class ReceiveReferral(PupilCommand):
    referral_id: UUID
    provision_id: OrganisationId
    commissioner_id: OrganisationId | None = Field(
        default=None, description="Who will commission the place: the home school, its local authority or a "
                                  "commissioning body of that LA; by default the home school's local authority")
    received_on: date
    senco_involved: bool
    reason: Text
    support_already_tried: Text


class RecordParentConsultation(PupilCommand):
    referral_id: UUID
    consulted_on: date
    method: ConsultationMethod
    parent_view: ParentView
    consulted_with: Annotated[str, Field(max_length=500)]
    notes: Text = ""


class RecordSearchPolicyExplained(PupilCommand):
    """The receiving provision records that it told the parents of its random-search policy at the referral's
    initial interview (seed 002, appendix 3)."""

    referral_id: UUID
    explained_on: date
    method: ConsultationMethod


class DecideEligibility(PupilCommand):
    referral_id: UUID
    decided_on: date
    outcome: EligibilityOutcome
    exceptional_circumstances: Text = ""
    rationale: Text


class RecordMultidisciplinaryMeeting(PupilCommand):
    referral_id: UUID
    held_on: date
    # How many professions make a meeting multidisciplinary is a rule (``meeting.multidisciplinary``).
    attendees: tuple[Professional, ...] = Field(max_length=30)
    considered_key_stage: KeyStage | None = None
    recommends_placement: bool
    needs_assessment: Text


class ApproveOutOfKeyStagePlacement(PupilCommand):
    referral_id: UUID
    provision_key_stage: KeyStage
    approved_on: date
    governing_body_agreed: bool
    alternatives_considered: tuple[AlternativeToPlacement, ...] = ()
    rationale: Text


class StartPlacement(PupilCommand):
    """The provision, commissioner, partnership and key stage come from the referral and the register of
    organisations, never from the caller."""

    placement_id: UUID
    referral_id: UUID
    start_date: date
    planned_end_date: date
    timetable: TimetableKind
    reduced_timetable_review_date: date | None = None
    reintegration_plan: Text = ""
    planned_review_date: date
    exit_criteria: Text
    incident_severity_threshold: Severity
    attendance_threshold_percent: Percent


# ----------------------------------------------------------------------------- day to day


class AgreeAlertThresholds(PlacementCommand):
    agreed_on: date
    incident_severity_threshold: Severity
    attendance_threshold_percent: Percent


class RecordAttendance(PlacementCommand):
    session_date: date
    session: Session
    code: AttendanceCode


class RecordIncident(PlacementCommand):
    incident_id: UUID
    happened_at: RecordedMoment
    category: IncidentCategory
    severity: Severity
    location: IncidentLocation
    triggers: tuple[IncidentTrigger, ...] = Field(min_length=1)
    antecedents: Text = ""
    description: Text
    staff_involved: tuple[StaffId, ...] = Field(min_length=1)


class ApplySanction(PlacementCommand):
    incident_id: UUID | None = None
    applied_on: date
    sanction: SanctionType
    notes: Text = ""


class GrantReward(PlacementCommand):
    granted_on: date
    kind: RewardKind
    quantity: PositiveInt = 1
    reason: Text = ""


class RedeemReward(PlacementCommand):
    redeemed_on: date
    item: ShortLabel
    cost_pence: Pence
    slips_spent: PositiveInt


class HoldKeyworkerSession(PlacementCommand):
    held_on: date
    focus: KeyworkerFocus
    duration_minutes: Minutes
    keyworker: StaffId
    notes: Text = ""


class RecordPhysicalIntervention(PlacementCommand):
    incident_id: UUID
    started_at: RecordedMoment
    duration_minutes: Minutes
    reason: ForceReason
    staff_involved: tuple[StaffId, ...] = Field(min_length=1)
    injury_occurred: bool
    injury_details: Text = ""
    description: Text
    parents_informed: bool


class FoundItemInput(TextGuardedModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    item: ProhibitedItem
    quantity: PositiveInt = 1
    disposal: ItemDisposal | None = None


class NamedAdultWitness(TextGuardedModel):
    """An adult from outside the provision's staff who witnessed a search: a name and a role, never free text."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    name: Name
    role: SearchWitnessRole


class RecordSearch(PlacementCommand):
    incident_id: UUID | None = None
    searched_at: RecordedMoment
    searched_for: tuple[ProhibitedItem, ...] = Field(min_length=1)
    grounds: Text
    searcher: StaffId
    searcher_sex: Sex
    witness: StaffId | None = Field(default=None, description="A member of staff on the provision's register")
    witness_adult: NamedAdultWitness | None = Field(default=None, description="Or a named adult with a role")
    serious_harm_exception: bool = False
    exception_reason: Text = ""
    items_found: tuple[FoundItemInput, ...] = ()
    parents_informed: bool


class RaiseSafeguardingConcern(PlacementCommand):
    concern_id: UUID
    raised_at: RecordedMoment
    category: SafeguardingCategory
    immediate_risk: bool
    referred_to_dsl: bool
    raised_by: StaffId
    concern: LongText
    action_taken: LongText = ""


class AgreeBehaviourContract(PlacementCommand):
    agreed_on: date
    review_date: date
    parent_involved: bool
    targets: Text


class ReferToExternalAgency(PlacementCommand):
    referred_on: date
    agency: Agency
    parent_permission: bool
    reason: Text


# ----------------------------------------------------------------------------- reviews, exclusion, end


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


class ProposeExclusion(PlacementCommand):
    proposal_id: UUID
    proposed_on: date
    primary_reason: ExclusionReason
    further_reasons: FurtherReasons = ()
    account: Text
    safety_arrangements: Text


class RecordCommissionerDecision(PlacementCommand):
    proposal_id: UUID
    decided_on: date
    decision: CommissionerDecision
    reasons: Text


class IssueSuspension(PupilCommand):
    first_day: date
    duration_half_days: PositiveInt = Field(description="School days times two; a lunchtime counts as 1")
    primary_reason: ExclusionReason
    further_reasons: FurtherReasons = ()
    parents_informed: bool
    account: Text


class IssuePermanentExclusion(PupilCommand):
    decided_on: date
    effective_from: date
    primary_reason: ExclusionReason
    further_reasons: FurtherReasons = ()
    parents_informed: bool
    account: Text


class ReinstatePupil(PupilCommand):
    exclusion_record_id: UUID
    board_met_on: date
    reasons: Text


class RecordTransitionPlan(PlacementCommand):
    receiving_school_id: OrganisationId
    planned_visits: tuple[TransitionVisit, ...] = Field(min_length=1)
    information_shared: bool
    lead_professional: StaffId
    needs_and_support: Text
    parental_involvement: Text


class ConfirmReintegration(PlacementCommand):
    confirmed_on: date


class EndPlacement(PlacementCommand):
    end_date: date
    reason: PlacementEndReason
    destination_id: OrganisationId | None = None
    summary: Text = ""


# ----------------------------------------------------------------------------- corrections


class AmendRecord(PupilCommand):
    target_record_id: UUID
    reason: CorrectionReason
    explanation: Text
    corrected_values: dict[str, JsonValue] = Field(description="New values by field name of the target event")


class WithdrawRecordInError(PupilCommand):
    target_record_id: UUID
    reason: CorrectionReason
    explanation: Text


# ----------------------------------------------------------------------------- the provision's staff register


class RecordStaffTraining(Command):
    provision_id: OrganisationId
    staff_id: StaffId
    training: TrainingKind
    completed_on: date
    expires_on: date | None = None


class RegisterOrganisation(Command):
    """The platform administrator records an organisation's facts (the LA a school belongs to, a provision's
    key stages and partnership)."""

    organisation_id: OrganisationId
    kind: OrgKind
    local_authority_id: OrganisationId | None = None
    partnership_id: OrganisationId | None = None
    key_stages: tuple[KeyStage, ...] = Field(default=(), max_length=8)


class RevokeStaffTraining(Command):
    provision_id: OrganisationId
    staff_id: StaffId
    training: TrainingKind
    revoked_on: date
    reason: TrainingRevocationReason


PupilCommands = (
    RegisterPupil
    | UpdatePupilDetails
    | RequestPupilTransfer
    | ConfirmPupilTransfer
    | ReceiveReferral
    | RecordParentConsultation
    | RecordSearchPolicyExplained
    | DecideEligibility
    | RecordMultidisciplinaryMeeting
    | ApproveOutOfKeyStagePlacement
    | StartPlacement
    | AgreeAlertThresholds
    | RecordAttendance
    | RecordIncident
    | ApplySanction
    | GrantReward
    | RedeemReward
    | HoldKeyworkerSession
    | RecordPhysicalIntervention
    | RecordSearch
    | RaiseSafeguardingConcern
    | AgreeBehaviourContract
    | ReferToExternalAgency
    | HoldReview
    | ReviewReducedTimetable
    | ProposeExclusion
    | RecordCommissionerDecision
    | IssueSuspension
    | IssuePermanentExclusion
    | ReinstatePupil
    | RecordTransitionPlan
    | ConfirmReintegration
    | EndPlacement
    | AmendRecord
    | WithdrawRecordInError
)
StaffRegisterCommands = RecordStaffTraining | RevokeStaffTraining
