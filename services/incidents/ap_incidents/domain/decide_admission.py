"""Decisions from registration to the start of a placement (domain brief section 2, steps 1 to 3)."""

from __future__ import annotations

from ap_contracts.envelope import OrgKind
from ap_contracts.events.pupil_vocabulary import (
    EligibilityOutcome,
    SenStatus,
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
    UpdatePupilDetails,
)
from ap_incidents.domain.context import DecisionContext
from ap_incidents.domain.decide_placement_start import start_placement
from ap_incidents.domain.errors import (
    AlternativesNotConsidered,
    CommissionerNotResponsible,
    EhcpExceptionalCircumstancesRequired,
    GoverningBodyAgreementRequired,
    KeyStageNotServed,
    MeetingNotMultidisciplinary,
    MultidisciplinaryMeetingRequired,
    NothingToUpdate,
    NotOutsideKeyStage,
    OrganisationNotRegistered,
    PlacementBeforePrerequisite,
    PupilAlreadyRegistered,
    PupilRecordErased,
    ReferralAlreadyReceived,
)
from ap_incidents.domain.guards import (
    referral_of,
    require_not_future,
    require_open_record,
    require_text,
)
from ap_incidents.domain.identity import record_id_for
from ap_incidents.domain.state import PupilRecord


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


__all__ = [
    "approve_out_of_key_stage",
    "decide_eligibility",
    "receive_referral",
    "record_meeting",
    "record_parent_consultation",
    "register_pupil",
    "start_placement",
    "update_details",
]
