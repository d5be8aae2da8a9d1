"""Transfer of the child-protection file to the new setting's DSL (KCSIE; STATUTORY.md).

When a pupil moves on, the file goes to the receiving setting's DSL within 5 school days, apart
from the pupil file, and receipt is confirmed. Each transfer is one stream: offered, then either
confirmed by the receiving DSL or found overdue once the last school day for receipt has passed.
An overdue transfer is recorded once; a late confirmation is still recorded.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any
from uuid import UUID, uuid5

from ap_contracts.events.base import DomainEvent
from ap_contracts.events.placements import PlacementEnded
from ap_contracts.events.privacy import (
    SafeguardingFileOffered,
    SafeguardingFileReceiptConfirmed,
    SafeguardingFileTransferOverdue,
)
from ap_contracts.events.pupil_vocabulary import PlacementEndReason
from ap_notifications.domain.commands import ConfirmFileReceipt, OfferTransfer
from ap_notifications.domain.errors import (
    OnlyReceivingDslConfirms,
    TransferAlreadyOfferedDifferently,
    TransferNotFound,
    TransferToSameSetting,
)
from ap_notifications.domain.placement_terms import PlacementTerms
from ap_notifications.domain.rulebook import AlertRuleBook
from ap_notifications.domain.school_days import transfer_deadline
from ap_runtime.school_days import NO_CALENDARS, SchoolCalendars

TRANSFER_STREAM_PREFIX = "safeguarding-transfer-"


def transfer_stream_id(transfer_id: UUID) -> str:
    return f"{TRANSFER_STREAM_PREFIX}{transfer_id}"


def transfer_id_after_placement_end(placement_ended_event_id: UUID) -> UUID:
    """The transfer a placement's end starts: one per ending, the same on every replay."""
    return uuid5(placement_ended_event_id, "safeguarding-file-transfer")


@dataclass(frozen=True, slots=True)
class TransferState:
    offer: SafeguardingFileOffered | None = None
    confirmed: SafeguardingFileReceiptConfirmed | None = None
    overdue: SafeguardingFileTransferOverdue | None = None


# One step per event of a transfer's stream (issue 10: each event a declared command emits needs one).
_TRANSFER_STEPS: dict[type[DomainEvent], Callable[[TransferState, Any], TransferState]] = {
    SafeguardingFileOffered: lambda state, event: replace(state, offer=event),
    SafeguardingFileReceiptConfirmed: lambda state, event: replace(state, confirmed=event),
    SafeguardingFileTransferOverdue: lambda state, event: replace(state, overdue=event),
}


def folds_transfer(event_type: type) -> bool:
    """Whether ``fold_transfer`` has a step for events of ``event_type``."""
    return event_type in _TRANSFER_STEPS


def fold_transfer(history: Sequence[DomainEvent]) -> TransferState:
    """The transfer after its stream's events; events of other kinds change nothing."""
    state = TransferState()
    for event in history:
        step = _TRANSFER_STEPS.get(type(event))
        if step is not None:
            state = step(state, event)
    return state


def decide_offer(
    history: Sequence[DomainEvent], command: OfferTransfer, book: AlertRuleBook,
    calendars: SchoolCalendars = NO_CALENDARS,
) -> list[SafeguardingFileOffered]:
    """Offer the file with its due date: ``transfer_school_days`` of the receiving setting's school days
    after the offer day (issue 13), or weekdays where its calendar is not recorded (``school_days``)."""
    if command.from_organisation_id == command.to_organisation_id:
        raise TransferToSameSetting(command.from_organisation_id)
    deadline = transfer_deadline(command.offered_at.date(), book.transfer_school_days,
                                 command.receiving_dsl_organisation_id, calendars)
    offered = SafeguardingFileOffered(
        pupil_ref=command.pupil_ref,
        transfer_id=command.transfer_id,
        from_organisation_id=command.from_organisation_id,
        to_organisation_id=command.to_organisation_id,
        receiving_dsl_organisation_id=command.receiving_dsl_organisation_id,
        offered_at=command.offered_at,
        due_by=deadline.due_by,
        rule_version=book.version,
        due_by_counted_with=deadline.counted_with,
    )
    earlier = fold_transfer(history).offer
    if earlier is None:
        return [offered]
    # When it was offered and how its deadline was counted are not what makes it the same transfer.
    counted = {"offered_at", "due_by", "rule_version", "due_by_counted_with"}
    if earlier.model_dump(exclude=counted) != offered.model_dump(exclude=counted):
        raise TransferAlreadyOfferedDifferently(command.transfer_id)
    return []


def decide_confirm(
    history: Sequence[DomainEvent], command: ConfirmFileReceipt
) -> list[SafeguardingFileReceiptConfirmed]:
    """Only the receiving DSL's organisation confirms receipt; confirming twice changes nothing."""
    transfer_id, by_organisation_id, at = command.transfer_id, command.by_organisation_id, command.at
    state = fold_transfer(history)
    if state.offer is None:
        raise TransferNotFound(transfer_id)
    if by_organisation_id != state.offer.receiving_dsl_organisation_id:
        raise OnlyReceivingDslConfirms(transfer_id, state.offer.receiving_dsl_organisation_id, by_organisation_id)
    if state.confirmed is not None:
        return []
    return [SafeguardingFileReceiptConfirmed(
        pupil_ref=state.offer.pupil_ref, transfer_id=transfer_id, confirmed_by_organisation_id=by_organisation_id,
        confirmed_at=at,
    )]


def decide_overdue(history: Sequence[DomainEvent], today: date) -> list[SafeguardingFileTransferOverdue]:
    """Overdue once ``today`` is after the last school day for receipt and nobody confirmed it."""
    state = fold_transfer(history)
    if state.offer is None or state.confirmed is not None or state.overdue is not None:
        return []
    if today <= state.offer.due_by:
        return []
    return [SafeguardingFileTransferOverdue(
        pupil_ref=state.offer.pupil_ref, transfer_id=state.offer.transfer_id, due_by=state.offer.due_by,
        detected_on=today,
    )]


def offer_after_placement_end(
    ended: PlacementEnded, ended_event_id: UUID, recorded_at: datetime, terms: PlacementTerms, book: AlertRuleBook
) -> OfferTransfer | None:
    """The transfer a placement's end calls for, when the pupil goes on to a known other setting.

    The receiving setting is the destination the ending names; a pupil reintegrated to the home
    school goes back to it. Endings with no known receiving setting (left the area with no
    destination, for instance) start no transfer here: the DSL offers the file explicitly.
    """
    receiving = ended.destination_id
    if receiving is None and ended.reason is PlacementEndReason.REINTEGRATED_TO_HOME_SCHOOL:
        receiving = terms.home_school_id
    if receiving is None or receiving == terms.provision_id:
        return None
    if ended.destination_id is None and ended.reason not in book.transfer_end_reasons:
        return None
    return OfferTransfer(
        transfer_id=transfer_id_after_placement_end(ended_event_id),
        pupil_ref=terms.pupil_ref,
        from_organisation_id=terms.provision_id,
        to_organisation_id=receiving,
        receiving_dsl_organisation_id=receiving,
        offered_at=recorded_at,
    )


def dsls_to_alert(offer: SafeguardingFileOffered) -> tuple[str, ...]:
    """An overdue transfer alerts both DSLs: the one who sent the file and the one who should confirm it."""
    return tuple(dict.fromkeys((offer.from_organisation_id, offer.receiving_dsl_organisation_id)))
