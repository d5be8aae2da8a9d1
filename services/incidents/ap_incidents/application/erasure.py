"""Erasure of a pupil's personal data: record that it happened, then destroy the pupil's key.

Rules served: the right to erasure (UK GDPR Art. 17) in an append-only history. The pupil's
stream gains a ``PupilDataErased`` event (it carries no personal field, so it stays readable and
is the record that erasure happened, Art. 5(2)); afterwards the data key is destroyed, which
turns every personal field of every copy (store, topics, read models rebuilt) into None. The
event comes first: if the process dies before the key is gone, a retry finds the record closed
and destroys the key again (destroying is idempotent).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, ClassVar

from pydantic import Field

from ap_contracts.events.base import DomainEvent
from ap_contracts.events.privacy import ErasureReason, ErasureRequester, PupilDataErased
from ap_incidents.application.legal_holds import holds_in_force, holds_placed
from ap_incidents.domain.commands import PupilCommand
from ap_incidents.domain.errors import ConflictsWithRecord, PupilNotRegistered
from ap_incidents.domain.state import PupilRecord


class ErasePupil(PupilCommand):
    """Erase a pupil's personal data (a data protection officer's decision, with its legal basis)."""

    reason: ErasureReason
    legal_basis: Annotated[str, Field(min_length=1, max_length=200, description="e.g. 'UK GDPR Art. 17(1)(a)'")]
    requested_by: ErasureRequester


class ErasureUnderLegalHold(ConflictsWithRecord):
    """A legal hold in force preserves the pupil's data: erasure waits until every hold is lifted
    (UK GDPR Art. 17(3)(e): erasure does not apply where the data is needed for legal claims)."""

    rule: ClassVar[str] = "privacy.erasure_under_legal_hold"


def decide_erasure(command: ErasePupil, state: PupilRecord,
                   history: Sequence[DomainEvent]) -> list[PupilDataErased]:
    """One erasure event for a registered pupil with no legal hold in force; nothing more once erased."""
    if state.erased:
        return []
    if not state.registered:
        raise PupilNotRegistered(f"pupil {command.pupil_ref} is not registered")
    placed = holds_placed(history)
    if in_force := sorted(holds_in_force(history), key=str):
        named = "; ".join(f"hold {hold} ({placed[hold].authority_reference})" for hold in in_force)
        raise ErasureUnderLegalHold(f"the pupil's data is under legal hold and cannot be erased until it is"
                                    f" lifted: {named}")
    return [PupilDataErased(pupil_ref=command.pupil_ref, reason=command.reason,
                            legal_basis=command.legal_basis, requested_by=command.requested_by)]
