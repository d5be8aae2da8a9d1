"""Decisions from registration to the start of a placement (domain brief section 2, steps 1 to 3)."""

from __future__ import annotations

from datetime import date, timedelta

from ap_contracts.envelope import OrgKind
from ap_contracts.events.placements import PlacementStarted
from ap_contracts.events.pupil_vocabulary import (
    EligibilityOutcome,
    KeyStage,
    SenStatus,
    TimetableKind,
    key_stage_of,
)
from ap_contracts.events.pupils import (
    EligibilityDecided,
    MultidisciplinaryMeetingRecorded,
    OutOfKeyStagePlacementApproved,
    ParentConsultationRecorded,
    PupilDetailsUpdated,
    PupilEvent,
    PupilRegistered,
    ReferralReceived,
)
from ap_incidents.domain.commands import (
    ApproveOutOfKeyStagePlacement,
    DecideEligibility,
    ReceiveReferral,
    RecordMultidisciplinaryMeeting,
    RecordParentConsultation,
    RegisterPupil,
    StartPlacement,
    UpdatePupilDetails,
)
from ap_incidents.domain.context import DecisionContext
from ap_incidents.domain.errors import (
    AlternativesNotConsidered,
    CommissionerNotResponsible,
    EhcpExceptionalCircumstancesRequired,
    EligibilityNotDecided,
    GoverningBodyAgreementRequired,
    HomeSchoolHeadDecisionRequired,
    KeyStageNotServed,
    MeetingNotMultidisciplinary,
    MultidisciplinaryMeetingRequired,
    NothingToUpdate,
    NotOutsideKeyStage,
    OrganisationNotRegistered,
    ParentNotConsulted,
    PlacementAlreadyActive,
    PlacementBeforePrerequisite,
    PlacementIdInUse,
    PupilAlreadyRegistered,
    PupilNotEligible,
    PupilRecordErased,
    ReducedTimetableIncomplete,
    ReducedTimetableReviewTooLate,
    ReferralAlreadyPlaced,
    ReferralAlreadyReceived,
    ReviewIntervalTooLong,
)
from ap_incidents.domain.guards import (
    referral_of,
    require_not_future,
    require_open_record,
    require_order,
    require_text,
)
from ap_incidents.domain.identity import record_id_for
from ap_incidents.domain.state import PupilRecord, Referral


def register_pupil(command: RegisterPupil, state: PupilRecord, context: DecisionContext) -> list[PupilEvent]:
    """A pupil is registered once. (That the home school, or the local authority the register of organisations
    places it in, is asking is policy PUP-1 and PUP-2's rule, judged before the decider runs.)"""
    if state.erased:
        raise PupilRecordErased("this pupil's record was erased; register the child under a new reference")
    if state.registered:
        raise PupilAlreadyRegistered(f"pupil {command.pupil_ref} is already registered")
    require_not_future(command.date_of_birth, context, "date of birth")
    return [PupilRegistered(
        pupil_ref=command.pupil_ref, record_id=record_id_for(command.command_id),
        home_school_id=command.home_school_id, display_name=command.display_name,
        date_of_birth=command.date_of_birth, sex=command.sex, year_group=command.year_group,
        key_stage=key_stage_of(command.year_group), has_ehcp=command.sen_status is SenStatus.EHCP,
        sen_status=command.sen_status, fsm_eligible=command.fsm_eligible, ethnicity=command.ethnicity,
        looked_after=command.looked_after, family_contact=command.family_contact,
    )]


def update_details(command: UpdatePupilDetails, state: PupilRecord, context: DecisionContext) -> list[PupilEvent]:
    """Registration details change as facts change (a new school year, an EHCP issued); a move to another
    school is a transfer, requested and confirmed by two parties (``request_transfer``). Who updates (the home
    school, its local authority, the commissioning LA) is policy PUP-1 to PUP-3's rule."""
    require_open_record(state, command.pupil_ref)
    require_not_future(command.effective_from, context, "the change")
    changes = command.model_dump(exclude={"command_id", "pupil_ref", "effective_from"}, exclude_none=True)
    if not changes:
        raise NothingToUpdate("name at least one detail that changed")
    sen = command.sen_status
    return [PupilDetailsUpdated(
        pupil_ref=command.pupil_ref, record_id=record_id_for(command.command_id),
        effective_from=command.effective_from,
        year_group=command.year_group, sex=command.sex,
        key_stage=None if command.year_group is None else key_stage_of(command.year_group),
        has_ehcp=None if sen is None else sen is SenStatus.EHCP, sen_status=sen,
        fsm_eligible=command.fsm_eligible, looked_after=command.looked_after,
        display_name=command.display_name, family_contact=command.family_contact,
    )]


def receive_referral(command: ReceiveReferral, state: PupilRecord, context: DecisionContext) -> list[PupilEvent]:
    """A referral from the home school starts the path to a place; it is recorded once, to a registered
    provision, naming a commissioner responsible for the pupil."""
    require_open_record(state, command.pupil_ref)
    if command.referral_id in state.referrals:
        raise ReferralAlreadyReceived(f"referral {command.referral_id} is already recorded")
    require_not_future(command.received_on, context, "the referral")
    assert state.home_school_id is not None  # set by registration
    context.organisations.require(command.provision_id, OrgKind.PROVISION, "the provision")
    commissioner = _responsible_commissioner(command.commissioner_id, state.home_school_id, context)
    return [ReferralReceived(
        pupil_ref=command.pupil_ref, record_id=record_id_for(command.command_id),
        referral_id=command.referral_id, home_school_id=state.home_school_id,
        provision_id=command.provision_id, commissioner_id=commissioner, received_on=command.received_on,
        senco_involved=command.senco_involved, reason=require_text(command.reason, "the reason for referral"),
        support_already_tried=command.support_already_tried,
    )]


def _responsible_commissioner(named: str | None, home_school_id: str, context: DecisionContext) -> str:
    """The home school itself, its local authority (the default) or a commissioning body registered in that LA."""
    organisations = context.organisations
    local_authority = organisations.local_authority_of(home_school_id)
    commissioner = named or local_authority
    if commissioner is None:
        raise OrganisationNotRegistered(
            f"the home school {home_school_id} is not on the register of organisations: name the commissioner "
            "(the school itself) or register the school's local authority"
        )
    if commissioner == home_school_id or commissioner == local_authority:
        return commissioner
    body = organisations.get(commissioner)
    if body is None or local_authority is None or body.kind is not OrgKind.COMMISSIONER \
            or body.local_authority_id != local_authority:
        raise CommissionerNotResponsible(
            f"{commissioner} is not registered as a commissioning body of the home school's local authority"
        )
    return commissioner


def record_parent_consultation(
    command: RecordParentConsultation, state: PupilRecord, context: DecisionContext
) -> list[PupilEvent]:
    """The home school consults the parent or carer before any child attends a provision (seed 001, s.9);
    that it is the home school asking is policy REF-2's rule."""
    require_open_record(state, command.pupil_ref)
    referral_of(state, command.referral_id)
    require_not_future(command.consulted_on, context, "the consultation")
    return [ParentConsultationRecorded(
        pupil_ref=command.pupil_ref, record_id=record_id_for(command.command_id),
        referral_id=command.referral_id, consulted_on=command.consulted_on,
        method=command.method, parent_view=command.parent_view,
        consulted_with=require_text(command.consulted_with, "who was consulted"), notes=command.notes,
    )]


def decide_eligibility(command: DecideEligibility, state: PupilRecord, context: DecisionContext) -> list[PupilEvent]:
    """A pupil with an EHCP is eligible only in exceptional circumstances, which must be recorded."""
    require_open_record(state, command.pupil_ref)
    referral_of(state, command.referral_id)
    require_not_future(command.decided_on, context, "the eligibility decision")
    exceptional = command.exceptional_circumstances.strip()
    if command.outcome is EligibilityOutcome.ELIGIBLE and state.has_ehcp and not exceptional:
        raise EhcpExceptionalCircumstancesRequired(
            "this pupil has an EHCP: record the exceptional circumstances that make a place appropriate"
        )
    return [EligibilityDecided(
        pupil_ref=command.pupil_ref, record_id=record_id_for(command.command_id),
        referral_id=command.referral_id, decided_on=command.decided_on,
        outcome=command.outcome, pupil_has_ehcp=state.has_ehcp, exceptional_circumstances=exceptional or None,
        rationale=require_text(command.rationale, "the rationale"),
    )]


def record_meeting(
    command: RecordMultidisciplinaryMeeting, state: PupilRecord, context: DecisionContext
) -> list[PupilEvent]:
    """A multidisciplinary meeting, recorded against the referral it considered, brings together at least
    the rule book's number of different professions (one person is not a multidisciplinary meeting)."""
    require_open_record(state, command.pupil_ref)
    referral_of(state, command.referral_id)
    require_not_future(command.held_on, context, "the meeting")
    professions = set(command.attendees)
    needed = context.rules.min_meeting_professions
    if len(professions) < needed:
        raise MeetingNotMultidisciplinary(
            f"a multidisciplinary meeting brings together at least {needed} different professions; "
            f"{len(professions)} attended"
        )
    return [MultidisciplinaryMeetingRecorded(
        pupil_ref=command.pupil_ref, record_id=record_id_for(command.command_id),
        referral_id=command.referral_id, held_on=command.held_on,
        attendees=command.attendees, considered_key_stage=command.considered_key_stage,
        recommends_placement=command.recommends_placement,
        needs_assessment=require_text(command.needs_assessment, "the assessment of needs"),
    )]


def approve_out_of_key_stage(
    command: ApproveOutOfKeyStagePlacement, state: PupilRecord, context: DecisionContext
) -> list[PupilEvent]:
    """Placing a child outside their key stage is the home school head's and governors' decision,
    taken after a multidisciplinary meeting and after weighing the alternatives (seed 001, s.7). That the
    head of the pupil's stored home school is asking is policy OKS-1's rule, checked before the decider runs."""
    require_open_record(state, command.pupil_ref)
    referral = referral_of(state, command.referral_id)
    if command.provision_key_stage is state.key_stage:
        raise NotOutsideKeyStage(f"the pupil is already in {state.key_stage}")
    provision = context.organisations.require(referral.provision_id, OrgKind.PROVISION, "the provision")
    if command.provision_key_stage not in provision.key_stages:
        raise KeyStageNotServed(f"{referral.provision_id} is not registered to serve "
                                f"{command.provision_key_stage.value}")
    if not referral.meeting_held or referral.first_meeting_on is None:
        raise MultidisciplinaryMeetingRequired("hold a multidisciplinary meeting on this referral first")
    if command.approved_on < referral.first_meeting_on:
        raise PlacementBeforePrerequisite(
            f"the decision ({command.approved_on}) is dated before the multidisciplinary meeting "
            f"({referral.first_meeting_on}) it must follow"
        )
    if not command.governing_body_agreed:
        raise GoverningBodyAgreementRequired("the decision rests with the head and the governing body together")
    if not command.alternatives_considered:
        raise AlternativesNotConsidered("record which alternatives to an out-of-key-stage place were considered")
    require_not_future(command.approved_on, context, "the decision")
    return [OutOfKeyStagePlacementApproved(
        pupil_ref=command.pupil_ref, record_id=record_id_for(command.command_id),
        referral_id=command.referral_id, provision_key_stage=command.provision_key_stage,
        approved_on=command.approved_on, governing_body_agreed=True,
        alternatives_considered=command.alternatives_considered,
        rationale=require_text(command.rationale, "the rationale"),
    )]


def start_placement(command: StartPlacement, state: PupilRecord, context: DecisionContext) -> list[PupilEvent]:
    """A placement starts only on an eligible referral, after parents were consulted, one at a time,
    with an out-of-key-stage place approved and a reduced timetable time-limited and planned."""
    require_open_record(state, command.pupil_ref)
    if command.placement_id in state.placements:
        raise PlacementIdInUse(f"placement {command.placement_id} already exists")
    referral = referral_of(state, command.referral_id)
    _require_referral_ready(referral, state)
    assert state.home_school_id is not None and state.key_stage is not None  # set by registration
    provision = context.organisations.require(referral.provision_id, OrgKind.PROVISION, "the provision")
    commissioner = referral.commissioner_id or context.organisations.local_authority_of(state.home_school_id)
    if commissioner is None:
        raise OrganisationNotRegistered("the referral names no commissioner and the home school's local authority "
                                        "is not on the register of organisations")
    outside = state.key_stage not in provision.key_stages
    key_stage = _out_of_key_stage_approval(referral, provision.key_stages) if outside else state.key_stage
    if state.active_placement_id is not None:
        raise PlacementAlreadyActive(f"placement {state.active_placement_id} has not ended")
    _require_after_prerequisites(command.start_date, referral, key_stage if outside else None)
    require_not_future(command.start_date, context, "the start date")
    require_order(command.start_date, command.planned_end_date, "planned end date")
    _require_timetable_terms(command, context)
    _require_first_review(command, context)
    assert provision.partnership_id is not None  # a provision is registered with its partnership
    return [PlacementStarted(
        pupil_ref=command.pupil_ref, record_id=record_id_for(command.command_id),
        placement_id=command.placement_id, referral_id=command.referral_id,
        provision_id=referral.provision_id, home_school_id=state.home_school_id,
        commissioner_id=commissioner, partnership_id=provision.partnership_id,
        start_date=command.start_date, planned_end_date=command.planned_end_date, key_stage=key_stage,
        pupil_key_stage=state.key_stage, outside_key_stage=outside, timetable=command.timetable,
        reduced_timetable_review_date=command.reduced_timetable_review_date,
        reintegration_plan=command.reintegration_plan or None, planned_review_date=command.planned_review_date,
        exit_criteria=require_text(command.exit_criteria, "the exit criteria"),
        incident_severity_threshold=command.incident_severity_threshold,
        attendance_threshold_percent=command.attendance_threshold_percent, rule_version=context.rules.version,
    )]


def _require_referral_ready(referral: Referral, state: PupilRecord) -> None:
    if referral.placed:
        raise ReferralAlreadyPlaced(f"referral {referral.referral_id} already led to a placement")
    if not referral.parent_consulted:
        raise ParentNotConsulted("the home school must consult the parent or carer before a placement starts")
    if referral.eligibility is None:
        raise EligibilityNotDecided("decide the referral's eligibility before starting a placement")
    if referral.eligibility is EligibilityOutcome.NOT_ELIGIBLE:
        raise PupilNotEligible("the referral was judged not eligible")
    if state.has_ehcp and not referral.eligibility_knew_of_ehcp:
        raise EhcpExceptionalCircumstancesRequired(
            "the pupil now has an EHCP: decide eligibility again, recording the exceptional circumstances"
        )


def _out_of_key_stage_approval(referral: Referral, served: frozenset[KeyStage]) -> KeyStage:
    """The key stage of a place outside the pupil's own: one the provision serves and the head approved."""
    if not referral.meeting_held:
        raise MultidisciplinaryMeetingRequired("a placement outside the key stage needs a multidisciplinary meeting")
    approved = sorted(referral.approved_key_stages & served)
    if not approved:
        stages = ", ".join(sorted(stage.value for stage in served))
        raise HomeSchoolHeadDecisionRequired(
            f"the provision serves {stages}: the home school head has not approved such a placement for this pupil"
        )
    return approved[0]


def _require_after_prerequisites(start: date, referral: Referral, outside_stage: KeyStage | None) -> None:
    """Order in time: the placement starts on or after every step it depends on."""
    steps: list[tuple[str, date | None]] = [
        ("the referral was received", referral.received_on),
        ("the parent or carer was consulted", referral.first_consulted_on),
        ("eligibility was decided", referral.eligibility_decided_on),
    ]
    if outside_stage is not None:
        steps += [("the multidisciplinary meeting was held", referral.first_meeting_on),
                  ("the home school head decided the out-of-key-stage place",
                   referral.key_stage_approved_on.get(outside_stage))]
    for step, day in steps:
        if day is not None and start < day:
            raise PlacementBeforePrerequisite(
                f"the placement cannot start on {start}: {step} only on {day}; start it on or after that day"
            )


def _require_timetable_terms(command: StartPlacement, context: DecisionContext) -> None:
    """A reduced timetable is temporary: it has a review date within the limit and a plan back to full time."""
    review = command.reduced_timetable_review_date
    if command.timetable is TimetableKind.FULL_TIME:
        if review is not None:
            raise ReducedTimetableIncomplete("a full-time timetable has no reduced-timetable review date")
        return
    if review is None or not command.reintegration_plan.strip():
        raise ReducedTimetableIncomplete("a reduced timetable needs a review date and a reintegration plan")
    require_order(command.start_date, review, "reduced timetable review date")
    limit = command.start_date + timedelta(days=context.rules.reduced_timetable_max_review_days)
    if review > limit:
        raise ReducedTimetableReviewTooLate(f"review a reduced timetable by {limit} at the latest")


def _require_first_review(command: StartPlacement, context: DecisionContext) -> None:
    require_order(command.start_date, command.planned_review_date, "planned review date")
    limit = command.start_date + timedelta(days=context.rules.max_days_between_reviews)
    if command.planned_review_date > limit:
        raise ReviewIntervalTooLong(f"placements are reviewed at least half-termly: review by {limit}")
