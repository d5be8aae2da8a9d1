"""A pupil's move to another school: two-sided, because the home school is what access to the pupil rests on.

Rule served (issue 9): no single organisation can move a pupil onto its own roll. The current home
school or the local authority the register of organisations places it in requests the move to a
registered school (who may ask: policy PUP-4 and PUP-5, not repeated here); the other of those two
confirms it (the domain's rule: it needs the stored request). Only the confirmation changes the home school.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from uuid import UUID

from ap_contracts.envelope import OrgKind
from ap_contracts.events.pupils import PupilEvent, PupilTransferConfirmed, PupilTransferRequested
from ap_contracts.identifiers import OrganisationId
from ap_incidents.domain.commands import PupilCommand
from ap_incidents.domain.context import DecisionContext
from ap_incidents.domain.correction_policy import Correction
from ap_incidents.domain.errors import (
    OrganisationNotRegistered,
    TransferAlreadyPending,
    TransferConfirmedByOtherParty,
    TransferToSameSchool,
    TransferUnknown,
)
from ap_incidents.domain.folding import NOTHING, Applied
from ap_incidents.domain.guards import require_not_future, require_open_record, require_order
from ap_incidents.domain.identity import record_id_for
from ap_incidents.domain.state import PendingTransfer, PupilRecord
from ap_incidents.domain.theme import CommandDeclaration, EventRule, Theme

# ----------------------------------------------------------------------------- commands


class RequestPupilTransfer(PupilCommand):
    """The current home school or its local authority asks to move the pupil to another registered school."""

    transfer_id: UUID
    to_school_id: OrganisationId
    requested_on: date


class ConfirmPupilTransfer(PupilCommand):
    """The other party (the current school, or its local authority) confirms the move."""

    transfer_id: UUID
    effective_from: date


# ----------------------------------------------------------------------------- decisions


def _current_parties(state: PupilRecord, context: DecisionContext) -> tuple[str, str]:
    """The current home school and its local authority (registered); both are needed for a two-sided move."""
    assert state.home_school_id is not None  # set by registration
    local_authority = context.organisations.local_authority_of(state.home_school_id)
    if local_authority is None:
        raise OrganisationNotRegistered(
            f"the home school {state.home_school_id} is not on the register of organisations: its local authority "
            "must be known before the pupil can move"
        )
    return state.home_school_id, local_authority


def request_transfer(command: RequestPupilTransfer, state: PupilRecord, context: DecisionContext) -> list[PupilEvent]:
    """The current home school or its local authority asks to move the pupil to another registered school."""
    require_open_record(state, command.pupil_ref)
    parties = _current_parties(state, context)
    if state.pending_transfer is not None:
        raise TransferAlreadyPending(f"transfer {state.pending_transfer.transfer_id} awaits confirmation")
    if command.to_school_id == state.home_school_id:
        raise TransferToSameSchool(f"the pupil is already on roll at {command.to_school_id}")
    context.organisations.require(command.to_school_id, OrgKind.HOME_SCHOOL, "the receiving school")
    require_not_future(command.requested_on, context, "the request")
    return [PupilTransferRequested(
        pupil_ref=command.pupil_ref, record_id=record_id_for(command.command_id), transfer_id=command.transfer_id,
        from_school_id=parties[0], to_school_id=command.to_school_id,
        requested_by=context.caller.organisation_id, requested_on=command.requested_on,
    )]


def confirm_transfer(command: ConfirmPupilTransfer, state: PupilRecord, context: DecisionContext) -> list[PupilEvent]:
    """The party that did not ask (the current school, or its local authority) confirms the move."""
    require_open_record(state, command.pupil_ref)
    pending = state.pending_transfer
    if pending is None or pending.transfer_id != command.transfer_id:
        raise TransferUnknown(f"no transfer {command.transfer_id} awaits confirmation for this pupil")
    parties = _current_parties(state, context)
    caller = context.caller.organisation_id
    if caller not in parties or caller == pending.requested_by:
        other = next(party for party in parties if party != pending.requested_by)
        raise TransferConfirmedByOtherParty(
            f"{pending.requested_by} requested this move: {other} confirms it"
        )
    require_order(pending.requested_on, command.effective_from, "the move's effective date")
    require_not_future(command.effective_from, context, "the move")
    return [PupilTransferConfirmed(
        pupil_ref=command.pupil_ref, record_id=record_id_for(command.command_id), transfer_id=command.transfer_id,
        from_school_id=pending.from_school_id, to_school_id=pending.to_school_id, confirmed_by=caller,
        effective_from=command.effective_from,
    )]


# ----------------------------------------------------------------------------- folds (evolve)


def _transfer_requested(event: PupilTransferRequested, state: PupilRecord) -> Applied:
    pending = PendingTransfer(event.transfer_id, event.from_school_id, event.to_school_id, event.requested_by,
                              event.requested_on)
    return replace(state, pending_transfer=pending), NOTHING


def _transfer_confirmed(event: PupilTransferConfirmed, state: PupilRecord) -> Applied:
    return replace(state, home_school_id=event.to_school_id, pending_transfer=None), NOTHING


# ----------------------------------------------------------------------------- declarations

THEME = Theme(
    __name__,
    declarations=(
        CommandDeclaration(RequestPupilTransfer, request_transfer, "incidents.request_pupil_transfer",
            (PupilTransferRequested,), "transfers", "Request the pupil's move to another school"),
        CommandDeclaration(ConfirmPupilTransfer, confirm_transfer, "incidents.confirm_pupil_transfer",
            (PupilTransferConfirmed,), "transfers/{transfer_id}/confirmation",
            "Confirm the pupil's move to another school", path_fields=("transfer_id",)),
    ),
    events={
        PupilTransferRequested: EventRule(_transfer_requested, Correction(
            locked=frozenset({"from_school_id", "requested_by", "requested_on", "to_school_id", "transfer_id"}),
        )),
        PupilTransferConfirmed: EventRule(_transfer_confirmed, Correction(
            locked=frozenset({"confirmed_by", "effective_from", "from_school_id", "to_school_id", "transfer_id"}),
        )),
    },
)
