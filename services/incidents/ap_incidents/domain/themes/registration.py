"""Registering a pupil and keeping their details current (domain brief section 2, step 1)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Annotated

from pydantic import Field

from ap_contracts.events.pupil_vocabulary import Ethnicity, SenStatus, Sex, YearGroup, key_stage_of
from ap_contracts.events.pupils import PupilDetailsUpdated, PupilEvent, PupilRegistered
from ap_contracts.identifiers import OrganisationId
from ap_incidents.domain.commands import Name, PupilCommand
from ap_incidents.domain.context import DecisionContext
from ap_incidents.domain.correction_policy import Correction, Corrector
from ap_incidents.domain.errors import NothingToUpdate, PupilAlreadyRegistered, PupilRecordErased
from ap_incidents.domain.folding import NOTHING, Applied
from ap_incidents.domain.guards import require_not_future, require_open_record
from ap_incidents.domain.identity import record_id_for
from ap_incidents.domain.state import PupilRecord
from ap_incidents.domain.theme import CommandDeclaration, EventRule, Theme

# ----------------------------------------------------------------------------- commands


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


# ----------------------------------------------------------------------------- decisions


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


# ----------------------------------------------------------------------------- folds (evolve)


def _registered(event: PupilRegistered, state: PupilRecord) -> Applied:
    return replace(state, pupil_ref=event.pupil_ref, home_school_id=event.home_school_id, sex=event.sex,
                   year_group=event.year_group, has_ehcp=bool(event.has_ehcp),
                   looked_after=bool(event.looked_after)), NOTHING


def _details_updated(event: PupilDetailsUpdated, state: PupilRecord) -> Applied:
    return replace(
        state,
        home_school_id=event.home_school_id or state.home_school_id,
        year_group=event.year_group or state.year_group,
        sex=event.sex or state.sex,
        has_ehcp=state.has_ehcp if event.has_ehcp is None else event.has_ehcp,
        looked_after=state.looked_after if event.looked_after is None else event.looked_after,
    ), NOTHING


# ----------------------------------------------------------------------------- declarations

THEME = Theme(
    __name__,
    declarations=(
        CommandDeclaration(RegisterPupil, register_pupil, "incidents.register_pupil", (PupilRegistered,),
            "registration", "Register a pupil"),
        CommandDeclaration(UpdatePupilDetails, update_details, "incidents.update_pupil_details", (PupilDetailsUpdated,),
            "details", "Update a pupil's details"),
    ),
    events={
        PupilRegistered: EventRule(_registered, Correction(
            Corrector.HOME_SCHOOL,
            locked=frozenset({"has_ehcp", "home_school_id", "key_stage", "sen_status", "sex", "year_group"}),
        )),
        PupilDetailsUpdated: EventRule(_details_updated, Correction(
            Corrector.HOME_SCHOOL,
            locked=frozenset({
                "effective_from", "has_ehcp", "home_school_id", "key_stage", "sen_status", "sex", "year_group",
            }),
        )),
    },
)
