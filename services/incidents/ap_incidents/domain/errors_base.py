"""The bases of every incidents domain refusal, on the shared refusal template (``ap_runtime.refusal.Refusal``):
a stable ``rule_id`` and a refusal ``kind`` (see ``errors``).

An incidents refusal is raised with its sentence already written at the raise site (the facts it names differ
from one raise to the next), so its one fact is that sentence, ``reason``.
"""

from __future__ import annotations

from typing import ClassVar

from ap_runtime.refusal import Refusal, RefusalKind


class DomainError(Refusal):
    """Base of every refusal by the pupil-path domain."""

    says = "{reason}"
    reason: str


class InvalidCommand(DomainError):
    kind: ClassVar[RefusalKind] = RefusalKind.BREAKS_RULE


class ConflictsWithRecord(DomainError):
    kind: ClassVar[RefusalKind] = RefusalKind.CONFLICTS_WITH_RECORD


class ReservedToAnotherParty(DomainError):
    kind: ClassVar[RefusalKind] = RefusalKind.RESERVED_TO_ANOTHER_PARTY
