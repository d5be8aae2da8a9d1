"""What the incidents queries need from the read models; ``adapters/read_models.py`` implements each port.

Rule served: the application reads through interfaces (issue 10, layers), so it names no driver.
Each port answers one question of one read model and returns plain rows (mappings of column to
value); which rows a caller may see is still decided by the query module that asks, and each port
narrows to the caller in the read itself so that paging and ``limit`` count only visible rows.
``entrypoints/bootstrap.py`` wires the PostgreSQL adapters.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol
from uuid import UUID

from ap_runtime.access import AuditRecord

Row = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class LogPage:
    """Which behaviour-log rows to read: after ``after_version``, at most ``limit``, none of the
    ``hidden_event_types`` or ``hidden_classes`` (a correction counts as the entry it corrects:
    ``correction_event_types`` name the corrections), and none after ``through_version`` if set."""

    after_version: int
    limit: int
    hidden_event_types: Sequence[str]
    hidden_classes: Sequence[str]
    correction_event_types: Sequence[str]
    through_version: int | None


class BehaviourLogReadModel(Protocol):
    """The projected behaviour log of each pupil."""

    async def entries(self, pupil_ref: UUID, page: LogPage) -> list[Row]:
        """The pupil's log rows in stream order, as ``page`` narrows them (``personal`` still sealed)."""
        ...


@dataclass(frozen=True, slots=True)
class RegisterFilter:
    """Which placement-register rows to read: those whose parties relate to ``organisation_id`` under
    one of ``relationships`` (every row when ``sees_all``), then the caller's own narrowing."""

    organisation_id: str
    sees_all: bool
    relationships: Sequence[str]
    status: str | None = None
    provision_id: str | None = None
    pupil_ref: UUID | None = None
    limit: int = 200


class PlacementRegisterReadModel(Protocol):
    """The projected placement register (placements joined with the pupil's current school and LA)."""

    async def rows(self, wanted: RegisterFilter) -> list[Row]:
        """Register rows by start date: the placement's columns, ``pupil_home_school_id``,
        ``pupil_local_authority_id``, ``display_name_sources`` (sealed) and ``erased``."""
        ...


class AttendanceMarksReadModel(Protocol):
    """The projected attendance marks of each provision's placements."""

    async def day(self, provision_id: str, session_date: date) -> list[Row]:
        """One row per current mark on ``session_date`` of each placement at ``provision_id`` open that day
        (``pupil_ref``, ``placement_id``, then ``record_id``, ``session``, ``code``, ``recorded_by``,
        ``recorded_at``, ``amended_by``, ``amended_at``: all None for a placement with no mark yet)."""
        ...


class ExclusionsForBoardReadModel(Protocol):
    """The projected exclusions a governing board must consider (permanent, or a suspension making it meet)."""

    async def awaiting(self, local_authority_id: str) -> list[Row]:
        """Those with no decision and not withdrawn, in the schools the authority answers for: ``record_id``,
        ``pupil_ref``, ``kind``, ``home_school_id`` and the exclusion's clear values (no personal field)."""
        ...


@dataclass(frozen=True, slots=True)
class AuditSelection:
    """Which access-audit records to read (filters combine with AND; ``until`` exclusive)."""

    pupil_ref: UUID | None
    user_id: str | None
    since: datetime | None
    until: datetime | None
    organisation_id: str | None
    after_seq: int
    limit: int


class AccessAuditReader(Protocol):
    """The access audit, read by a data protection officer."""

    async def records(self, selection: AuditSelection) -> list[AuditRecord]:
        """Matching records, oldest first."""
        ...


@dataclass(frozen=True, slots=True)
class IncidentsReadModels:
    """The read models one incidents application reads; ``access_audit`` is None where no audit
    database is configured for reading."""

    behaviour_log: BehaviourLogReadModel
    placement_register: PlacementRegisterReadModel
    access_audit: AccessAuditReader | None = None
    #: The exclusions awaiting a governing board's decision; None where the read model is not wired.
    exclusions_for_board: ExclusionsForBoardReadModel | None = None
    #: The marks of a day at a provision (the register page); None where the read model is not wired.
    attendance_marks: AttendanceMarksReadModel | None = None
