"""Deciding a referral: eligibility, the multidisciplinary meeting and a placement outside the pupil's key stage
(domain brief section 2, steps 2 and 3)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from uuid import UUID

from pydantic import Field

from ap_contracts.envelope import OrgKind
from ap_contracts.events.pupil_vocabulary import AlternativeToPlacement, EligibilityOutcome, KeyStage, Professional
from ap_contracts.events.pupils import (
    EligibilityDecided,
    MultidisciplinaryMeetingRecorded,
    OutOfKeyStagePlacementApproved,
    PupilEvent,
)
from ap_incidents.domain.commands import PupilCommand, Text
from ap_incidents.domain.context import DecisionContext
from ap_incidents.domain.correction_policy import Correction, Corrector
from ap_incidents.domain.errors import (
    AlternativesNotConsidered,
    EhcpExceptionalCircumstancesRequired,
    GoverningBodyAgreementRequired,
    KeyStageNotServed,
    MeetingNotMultidisciplinary,
    MultidisciplinaryMeetingRequired,
    NotOutsideKeyStage,
    PlacementBeforePrerequisite,
)
from ap_incidents.domain.folding import NOTHING, Applied, earliest, update_referral, with_referral
from ap_incidents.domain.guards import referral_of, require_not_future, require_open_record, require_text
from ap_incidents.domain.identity import record_id_for
from ap_incidents.domain.state import PupilRecord, with_item
from ap_incidents.domain.theme import CommandDeclaration, EventRule, Theme

# ----------------------------------------------------------------------------- commands


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


# ----------------------------------------------------------------------------- decisions


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


# ----------------------------------------------------------------------------- folds (evolve)


def _eligibility_decided(event: EligibilityDecided, state: PupilRecord) -> Applied:
    return update_referral(state, event.referral_id, eligibility=event.outcome,
                            eligibility_knew_of_ehcp=event.pupil_has_ehcp,
                            eligibility_decided_on=event.decided_on), NOTHING


def _meeting_recorded(event: MultidisciplinaryMeetingRecorded, state: PupilRecord) -> Applied:
    referral = state.referrals.get(event.referral_id)
    if referral is None:
        return state, NOTHING
    first = earliest(referral.first_meeting_on, event.held_on)
    return with_referral(state, replace(referral, meeting_held=True, first_meeting_on=first)), NOTHING


def _out_of_key_stage_approved(event: OutOfKeyStagePlacementApproved, state: PupilRecord) -> Applied:
    referral = state.referrals.get(event.referral_id)
    if referral is None:
        return state, NOTHING
    stage = event.provision_key_stage
    stages = referral.approved_key_stages | {stage}
    approved_on = with_item(referral.key_stage_approved_on, stage,
                            earliest(referral.key_stage_approved_on.get(stage), event.approved_on))
    return with_referral(state, replace(referral, approved_key_stages=stages,
                                         key_stage_approved_on=approved_on)), NOTHING


# ----------------------------------------------------------------------------- declarations

THEME = Theme(
    __name__,
    declarations=(
        CommandDeclaration(DecideEligibility, decide_eligibility, "incidents.decide_eligibility", (EligibilityDecided,),
            "eligibility-decisions", "Decide eligibility"),
        CommandDeclaration(RecordMultidisciplinaryMeeting, record_meeting, "incidents.record_multidisciplinary_meeting",
            (MultidisciplinaryMeetingRecorded,), "multidisciplinary-meetings", "Record a multidisciplinary meeting"),
        CommandDeclaration(ApproveOutOfKeyStagePlacement, approve_out_of_key_stage,
            "incidents.approve_out_of_key_stage", (OutOfKeyStagePlacementApproved,), "out-of-key-stage-approvals",
            "Approve a placement outside the pupil's key stage"),
    ),
    events={
        EligibilityDecided: EventRule(_eligibility_decided, Correction(
            locked=frozenset({"outcome", "pupil_has_ehcp"}),
        )),
        MultidisciplinaryMeetingRecorded: EventRule(_meeting_recorded),
        OutOfKeyStagePlacementApproved: EventRule(_out_of_key_stage_approved, Correction(
            Corrector.HOME_SCHOOL_HEAD,
            locked=frozenset({"alternatives_considered", "governing_body_agreed", "provision_key_stage"}),
        )),
    },
)
