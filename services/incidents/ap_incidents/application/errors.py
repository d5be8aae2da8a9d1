"""Refusals of the application layer that are not pupil-path rules (those live in ``domain.errors``)."""

from __future__ import annotations

from typing import ClassVar

from ap_incidents.domain.errors import ConflictsWithRecord


class CommandIdReused(ConflictsWithRecord):
    """A client reused a command id for a different pupil or provision: it would answer with the wrong outcome."""

    rule_id: ClassVar[str] = "command.id_unique"


class ConcurrentWritesPersist(ConflictsWithRecord):
    """The pupil's stream kept changing under the command; nothing was written, the client may retry."""

    rule_id: ClassVar[str] = "stream.concurrent_write"
