"""Erasure of a pupil's personal data: record that it happened, then destroy the pupil's key.

Rules served: the right to erasure (UK GDPR Art. 17) in an append-only history. The pupil's
stream gains a ``PupilDataErased`` event (it carries no personal field, so it stays readable and
is the record that erasure happened, Art. 5(2)); afterwards the data key is destroyed, which
turns every personal field of every copy (store, topics, read models rebuilt) into None. The
event comes first: if the process dies before the key is gone, a retry finds the record closed
and destroys the key again (destroying is idempotent).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from ap_contracts.events.privacy import ErasureReason, ErasureRequester, PupilDataErased
from ap_incidents.domain.commands import PupilCommand
from ap_incidents.domain.errors import PupilNotRegistered
from ap_incidents.domain.state import PupilRecord


class ErasePupil(PupilCommand):
    """Erase a pupil's personal data (a data protection officer's decision, with its legal basis)."""

    reason: ErasureReason
    legal_basis: Annotated[str, Field(min_length=1, max_length=200, description="e.g. 'UK GDPR Art. 17(1)(a)'")]
    requested_by: ErasureRequester


def decide_erasure(command: ErasePupil, state: PupilRecord) -> list[PupilDataErased]:
    """One erasure event for a registered pupil; nothing more once the record is erased."""
    if state.erased:
        return []
    if not state.registered:
        raise PupilNotRegistered(f"pupil {command.pupil_ref} is not registered")
    return [PupilDataErased(pupil_ref=command.pupil_ref, reason=command.reason,
                            legal_basis=command.legal_basis, requested_by=command.requested_by)]
