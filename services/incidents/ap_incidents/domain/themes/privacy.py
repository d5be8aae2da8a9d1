"""Decisions on a pupil's personal data as a whole: erasure, legal holds, subject access release.

Rules served:

* Erasure (UK GDPR Art. 17) in an append-only history: the stream gains one ``PupilDataErased``
  (it carries no personal field, so it stays readable and is the record that erasure happened,
  Art. 5(2)); the application destroys the pupil's key afterwards (I/O, not a decision here).
  Erasure is refused while a legal hold is in force, naming the hold (Art. 17(3)(e)).
* Legal holds (a public inquiry's, a court's, a claim's) stop every retention expiry until lifted
  (STATUTORY.md, retention). A hold is named by its ``hold_id``, placed once and lifted once, and
  carries an authority reference, never personal data.
* Safeguarding records are held back from a subject access export until a DPO releases them after
  the serious-harm review (DPA 2018 Sch. 3 Part 2); a release covers the stream as stored when it is
  decided (``DecisionContext.stream_version``, from the loaded history), never a version the caller gives.

Like every other decider: ``(command, state, context) -> events`` or a rule error; ``decide`` dispatches.
These events are facts the privacy rules read, not entries of the record: ``evolve`` folds them without
filing an entry, and they are never corrected.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Annotated, ClassVar
from uuid import UUID

from pydantic import Field

from ap_contracts.events.base import DomainEvent
from ap_contracts.events.privacy import (
    ErasureReason,
    ErasureRequester,
    LegalHoldLifted,
    LegalHoldPlaced,
    PupilDataErased,
    SubjectAccessSafeguardingReleased,
)
from ap_incidents.domain.commands import PupilCommand
from ap_incidents.domain.context import DecisionContext
from ap_incidents.domain.correction_policy import NOT_CORRECTABLE
from ap_incidents.domain.errors import ConflictsWithRecord, PupilNotRegistered, PupilRecordErased
from ap_incidents.domain.folding import NOTHING, Applied
from ap_incidents.domain.state import LegalHold, PupilRecord, with_item
from ap_incidents.domain.theme import CommandDeclaration, EventRule, Theme

AuthorityReference = Annotated[str, Field(min_length=1, max_length=200,
                                          description="Inquiry, court or case reference; never personal data")]
RequestReference = Annotated[str, Field(min_length=1, max_length=200,
                                        description="The subject access request's reference; never personal data")]


# ----------------------------------------------------------------------------- commands


class ErasePupil(PupilCommand):
    """Erase a pupil's personal data (a data protection officer's decision, with its legal basis)."""

    reason: ErasureReason
    legal_basis: Annotated[str, Field(min_length=1, max_length=200, description="e.g. 'UK GDPR Art. 17(1)(a)'")]
    requested_by: ErasureRequester


class PlaceLegalHold(PupilCommand):
    """Place a legal hold: no retention expiry destroys the pupil's data while it is in force."""

    hold_id: UUID = Field(description="Chosen by the client; names the hold when it is lifted")
    authority_reference: AuthorityReference


class LiftLegalHold(PupilCommand):
    """Lift a legal hold in force; retention applies again once no hold remains."""

    hold_id: UUID
    authority_reference: AuthorityReference


class ReleaseSubjectAccessSafeguarding(PupilCommand):
    """Release the safeguarding records recorded so far for the pupil's subject access response."""

    release_id: UUID = Field(description="Chosen by the client; a retry with the same id releases once")
    request_reference: RequestReference


# ----------------------------------------------------------------------------- refusals


class ErasureUnderLegalHold(ConflictsWithRecord):
    """A legal hold in force preserves the pupil's data: erasure waits until every hold is lifted
    (UK GDPR Art. 17(3)(e): erasure does not apply where the data is needed for legal claims)."""

    rule_id: ClassVar[str] = "privacy.erasure_under_legal_hold"


class LegalHoldIdInUse(ConflictsWithRecord):
    """A hold id names one hold: placing it again with another reference, or after it was lifted, is refused."""

    rule_id: ClassVar[str] = "privacy.legal_hold_id_unique"


class LegalHoldNotInForce(ConflictsWithRecord):
    """Only a hold in force on this pupil's record can be lifted."""

    rule_id: ClassVar[str] = "privacy.legal_hold_in_force"


class ReleaseIdInUse(ConflictsWithRecord):
    """A release id names one release: reusing it for another request is refused."""

    rule_id: ClassVar[str] = "privacy.sar_release_id_unique"


# ----------------------------------------------------------------------------- decisions


def erase_pupil(command: ErasePupil, state: PupilRecord, context: DecisionContext) -> list[PupilDataErased]:
    """One erasure event for a registered pupil with no legal hold in force; nothing more once erased."""
    if state.erased:
        return []
    _require_registered(command, state)
    if in_force := sorted(state.holds_in_force, key=str):
        named = "; ".join(f"hold {hold} ({state.legal_holds[hold].authority_reference})" for hold in in_force)
        raise ErasureUnderLegalHold(f"the pupil's data is under legal hold and cannot be erased until it is"
                                    f" lifted: {named}")
    return [PupilDataErased(pupil_ref=command.pupil_ref, reason=command.reason,
                            legal_basis=command.legal_basis, requested_by=command.requested_by)]


def place_legal_hold(command: PlaceLegalHold, state: PupilRecord, context: DecisionContext) -> list[LegalHoldPlaced]:
    """One placing event; nothing when the same hold is placed again as it is; a hold id names one hold."""
    _require_registered(command, state)
    earlier = state.legal_holds.get(command.hold_id)
    if earlier is not None:
        if earlier.in_force and earlier.authority_reference == command.authority_reference:
            return []
        raise LegalHoldIdInUse(f"legal hold {command.hold_id} was already placed; choose a new hold id")
    if state.erased:
        raise PupilRecordErased("the pupil's personal data is already erased: there is nothing left to hold")
    return [LegalHoldPlaced(pupil_ref=command.pupil_ref, hold_id=command.hold_id,
                            authority_reference=command.authority_reference)]


def lift_legal_hold(command: LiftLegalHold, state: PupilRecord, context: DecisionContext) -> list[LegalHoldLifted]:
    """One lifting event for a hold in force."""
    _require_registered(command, state)
    if command.hold_id not in state.holds_in_force:
        raise LegalHoldNotInForce(f"legal hold {command.hold_id} is not in force on this pupil's record")
    return [LegalHoldLifted(pupil_ref=command.pupil_ref, hold_id=command.hold_id,
                            authority_reference=command.authority_reference)]


def release_subject_access_safeguarding(command: ReleaseSubjectAccessSafeguarding, state: PupilRecord,
                                        context: DecisionContext) -> list[SubjectAccessSafeguardingReleased]:
    """One release covering the stream as stored now; nothing when the same release is asked again."""
    _require_registered(command, state)
    earlier = state.subject_access_releases.get(command.release_id)
    if earlier is not None:
        if earlier == command.request_reference:
            return []
        raise ReleaseIdInUse(f"release {command.release_id} was made for another request; choose a new id")
    if state.erased:
        raise PupilRecordErased("the pupil's personal data is erased: there is nothing left to release")
    return [SubjectAccessSafeguardingReleased(
        pupil_ref=command.pupil_ref, release_id=command.release_id, request_reference=command.request_reference,
        released_through_version=context.stream_version,
    )]


def _require_registered(command: PupilCommand, state: PupilRecord) -> None:
    if not state.registered:
        raise PupilNotRegistered(f"pupil {command.pupil_ref} is not registered")


# ----------------------------------------------------------------------------- holds from a history


def holds_in_force(history: Iterable[DomainEvent]) -> frozenset[UUID]:
    """Hold ids placed and not lifted since, in stream order (the retention job reads them from stored rows)."""
    in_force: set[UUID] = set()
    for event in history:
        if isinstance(event, LegalHoldPlaced):
            in_force.add(event.hold_id)
        elif isinstance(event, LegalHoldLifted):
            in_force.discard(event.hold_id)
    return frozenset(in_force)


# ----------------------------------------------------------------------------- folds (evolve)


def _erased(event: PupilDataErased, state: PupilRecord) -> Applied:
    return replace(state, erased=True), NOTHING


def _hold_placed(event: LegalHoldPlaced, state: PupilRecord) -> Applied:
    holds = with_item(state.legal_holds, event.hold_id, LegalHold(event.authority_reference))
    return replace(state, legal_holds=holds), NOTHING


def _hold_lifted(event: LegalHoldLifted, state: PupilRecord) -> Applied:
    if event.hold_id not in state.legal_holds:
        return state, NOTHING
    lifted = replace(state.legal_holds[event.hold_id], in_force=False)
    return replace(state, legal_holds=with_item(state.legal_holds, event.hold_id, lifted)), NOTHING


def _safeguarding_released(event: SubjectAccessSafeguardingReleased, state: PupilRecord) -> Applied:
    releases = with_item(state.subject_access_releases, event.release_id, event.request_reference)
    return replace(state, subject_access_releases=releases), NOTHING


THEME = Theme(
    __name__,
    declarations=(
        CommandDeclaration(ErasePupil, erase_pupil, "privacy.erase_pupil", (PupilDataErased,),
                           "erasure", "Erase the pupil's personal data (crypto-shredding)"),
        CommandDeclaration(PlaceLegalHold, place_legal_hold, "privacy.place_legal_hold", (LegalHoldPlaced,),
                           "legal-holds", "Place a legal hold on the pupil's record (stops retention expiry)"),
        CommandDeclaration(LiftLegalHold, lift_legal_hold, "privacy.lift_legal_hold", (LegalHoldLifted,),
                           "legal-holds/{hold_id}/lift", "Lift a legal hold", path_fields=("hold_id",)),
        CommandDeclaration(
            ReleaseSubjectAccessSafeguarding, release_subject_access_safeguarding,
            "privacy.release_subject_access_safeguarding", (SubjectAccessSafeguardingReleased,),
            "subject-access-safeguarding-releases",
            "Release the safeguarding records recorded so far for subject access (DPO, after review)"),
    ),
    events={
        PupilDataErased: EventRule(_erased, NOT_CORRECTABLE),
        LegalHoldPlaced: EventRule(_hold_placed, NOT_CORRECTABLE),
        LegalHoldLifted: EventRule(_hold_lifted, NOT_CORRECTABLE),
        SubjectAccessSafeguardingReleased: EventRule(_safeguarding_released, NOT_CORRECTABLE),
    },
)
