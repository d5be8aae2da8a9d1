"""A referral to alternative provision and the parents' consultation on it (domain brief section 2, step 2)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Annotated
from uuid import UUID

from pydantic import Field

from ap_contracts.envelope import OrgKind
from ap_contracts.events.pupil_vocabulary import ConsultationMethod, ParentView
from ap_contracts.events.pupils import ParentConsultationRecorded, PupilEvent, ReferralReceived
from ap_contracts.identifiers import OrganisationId
from ap_incidents.domain.commands import PupilCommand, Text
from ap_incidents.domain.context import DecisionContext
from ap_incidents.domain.correction_policy import Correction, Corrector
from ap_incidents.domain.errors import CommissionerNotResponsible, OrganisationNotRegistered, ReferralAlreadyReceived
from ap_incidents.domain.folding import NOTHING, Applied, earliest, with_referral
from ap_incidents.domain.guards import referral_of, require_not_future, require_open_record, require_text
from ap_incidents.domain.identity import record_id_for
from ap_incidents.domain.state import PupilRecord, Referral
from ap_incidents.domain.theme import CommandDeclaration, EventRule, Theme

# ----------------------------------------------------------------------------- commands


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


# ----------------------------------------------------------------------------- decisions


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


# ----------------------------------------------------------------------------- folds (evolve)


def _referral_received(event: ReferralReceived, state: PupilRecord) -> Applied:
    referral = Referral(event.referral_id, event.provision_id, event.received_on,
                        commissioner_id=event.commissioner_id)
    return with_referral(state, referral), NOTHING


def _parent_consulted(event: ParentConsultationRecorded, state: PupilRecord) -> Applied:
    referral = state.referrals.get(event.referral_id)
    if referral is None:
        return state, NOTHING
    first = earliest(referral.first_consulted_on, event.consulted_on)
    return with_referral(state, replace(referral, parent_consulted=True, first_consulted_on=first)), NOTHING


# ----------------------------------------------------------------------------- declarations

THEME = Theme(
    __name__,
    declarations=(
        CommandDeclaration(ReceiveReferral, receive_referral, "incidents.record_referral", (ReferralReceived,),
            "referrals", "Record a referral"),
        CommandDeclaration(RecordParentConsultation, record_parent_consultation, "incidents.consult_parent",
            (ParentConsultationRecorded,), "parent-consultations", "Record a parent consultation"),
    ),
    events={
        ReferralReceived: EventRule(_referral_received, Correction(
            Corrector.HOME_SCHOOL,
            locked=frozenset({"commissioner_id", "home_school_id", "provision_id"}),
        )),
        ParentConsultationRecorded: EventRule(_parent_consulted, Correction(Corrector.HOME_SCHOOL)),
    },
)
