"""Legal holds on a pupil's record: placed and lifted by a data controller's DPO, stating why.

Rule served: a legal hold (a public inquiry's, a court's, a claim's) stops every retention expiry
for the pupil until it is lifted (STATUTORY.md, retention; UK GDPR Art. 17(3)(e)). A hold is
identified by its ``hold_id``; it is placed once and lifted once, and the retention job reads the
holds in force from the pupil's stream. Holds carry an authority reference, never personal data.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Annotated, ClassVar
from uuid import UUID

from pydantic import Field

from ap_contracts.events.base import DomainEvent
from ap_contracts.events.privacy import LegalHoldLifted, LegalHoldPlaced
from ap_incidents.domain.commands import PupilCommand
from ap_incidents.domain.errors import ConflictsWithRecord, PupilNotRegistered, PupilRecordErased
from ap_incidents.domain.state import PupilRecord

AuthorityReference = Annotated[str, Field(min_length=1, max_length=200,
                                          description="Inquiry, court or case reference; never personal data")]


class PlaceLegalHold(PupilCommand):
    """Place a legal hold: no retention expiry destroys the pupil's data while it is in force."""

    hold_id: UUID = Field(description="Chosen by the client; names the hold when it is lifted")
    authority_reference: AuthorityReference


class LiftLegalHold(PupilCommand):
    """Lift a legal hold in force; retention applies again once no hold remains."""

    hold_id: UUID
    authority_reference: AuthorityReference


class LegalHoldIdInUse(ConflictsWithRecord):
    """A hold id names one hold: placing it again with another reference, or after it was lifted, is refused."""

    rule: ClassVar[str] = "privacy.legal_hold_id_unique"


class LegalHoldNotInForce(ConflictsWithRecord):
    rule: ClassVar[str] = "privacy.legal_hold_in_force"


def holds_placed(history: Iterable[DomainEvent]) -> dict[UUID, LegalHoldPlaced]:
    """Every hold ever placed on the pupil, by hold id."""
    return {e.hold_id: e for e in history if isinstance(e, LegalHoldPlaced)}


def holds_in_force(history: Iterable[DomainEvent]) -> frozenset[UUID]:
    """Hold ids placed and not lifted since, in stream order."""
    in_force: set[UUID] = set()
    for event in history:
        if isinstance(event, LegalHoldPlaced):
            in_force.add(event.hold_id)
        elif isinstance(event, LegalHoldLifted):
            in_force.discard(event.hold_id)
    return frozenset(in_force)


def decide_legal_hold(command: PlaceLegalHold | LiftLegalHold, state: PupilRecord,
                      history: Sequence[DomainEvent]) -> list[LegalHoldPlaced | LegalHoldLifted]:
    """One placing or lifting event; nothing when the same hold is placed again as it was."""
    if not state.registered:
        raise PupilNotRegistered(f"pupil {command.pupil_ref} is not registered")
    placed = holds_placed(history)
    in_force = holds_in_force(history)
    if isinstance(command, PlaceLegalHold):
        return _place(command, state, placed.get(command.hold_id), command.hold_id in in_force)
    if command.hold_id not in in_force:
        raise LegalHoldNotInForce(f"legal hold {command.hold_id} is not in force on this pupil's record")
    return [LegalHoldLifted(pupil_ref=command.pupil_ref, hold_id=command.hold_id,
                            authority_reference=command.authority_reference)]


def _place(command: PlaceLegalHold, state: PupilRecord, earlier: LegalHoldPlaced | None,
           in_force: bool) -> list[LegalHoldPlaced | LegalHoldLifted]:
    if earlier is not None:
        if in_force and earlier.authority_reference == command.authority_reference:
            return []
        raise LegalHoldIdInUse(f"legal hold {command.hold_id} was already placed; choose a new hold id")
    if state.erased:
        raise PupilRecordErased("the pupil's personal data is already erased: there is nothing left to hold")
    return [LegalHoldPlaced(pupil_ref=command.pupil_ref, hold_id=command.hold_id,
                            authority_reference=command.authority_reference)]
