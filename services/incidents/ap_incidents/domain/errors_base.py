"""The bases of every incidents domain refusal: a stable ``rule`` id and a refusal ``kind`` (see ``errors``)."""

from __future__ import annotations

from typing import ClassVar

from ap_runtime.refusal import RefusalKind


class DomainError(Exception):
    """Base of every refusal by the pupil-path domain."""

    rule: ClassVar[str]
    kind: ClassVar[RefusalKind]

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidCommand(DomainError):
    kind: ClassVar[RefusalKind] = RefusalKind.BREAKS_RULE


class ConflictsWithRecord(DomainError):
    kind: ClassVar[RefusalKind] = RefusalKind.CONFLICTS_WITH_RECORD


class ReservedToAnotherParty(DomainError):
    kind: ClassVar[RefusalKind] = RefusalKind.RESERVED_TO_ANOTHER_PARTY
