"""The DfE returns that spare double keying (issue 15; STATUTORY.md): the school census exclusions
module and its alternative provision placement module, produced from the same incidents events the
reports count, so that nothing a school recorded on the platform is typed again into its MIS.

No DfE specification for the year is at hand here, so the fields are those STATUTORY.md lists, named
as the census names them, with these assumptions (each a column or a note of the file, not a guess
hidden in a figure):

- The school is the platform's organisation id of the pupil's home school; the pupil is the
  platform's pseudonymous ``pupil_ref``. Reporting holds neither the LAEstab nor the UPN (the UPN is
  personal data the reporting service never holds): the school's MIS joins both on import.
- Exclusion category: ``PERM`` for a permanent exclusion, ``FIXD`` for a suspension. The events do
  not say whether a half-day suspension was a lunchtime one, so ``LNCH`` is never produced.
- Sessions are half days (census "number of sessions"), after any amendment; blank for ``PERM``.
- A permanent exclusion the governing board reinstated is not returned (DfE statistics do not count
  it); an entry withdrawn in error is not returned; amended start dates and lengths are returned as
  amended.
- A pupil erased because the record was made in error is in neither return (the pupil was never
  there), and an event about the pupil after the erasure in the events given (read late, or again under a
  new id) returns no row either; other erasures keep the pseudonymous rows, as the reporting read model
  keeps its counts (the rows hold no personal field an erasure removes).
- Reasons are the census codes of ``ExclusionReason`` (primary, then up to two further).
- The AP placement module returns each placement open on any day of the census period: the setting
  by the platform's provision id (standing for its URN or UKPRN), entry and leaving dates, and the
  attendance pattern (``FT`` full time, ``PT`` a reduced timetable). The placement reason the census
  asks for is not in the placement events, so the column is absent rather than invented.

Rows are sorted by school, pupil, date and record, so the same events give the same bytes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum
from typing import TypeVar
from uuid import UUID

from ap_contracts.events.base import DomainEvent
from ap_contracts.events.placement_vocabulary import TimetableKind
from ap_contracts.events.placements import PlacementEnded, PlacementStarted
from ap_contracts.events.privacy import ErasureReason, PupilDataErased
from ap_contracts.events.pupil_corrections import RecordAmended, RecordWithdrawnInError
from ap_contracts.events.school_exclusions import (
    PermanentExclusionIssued,
    PermanentExclusionReinstated,
    SuspensionIssued,
)
from ap_reporting.domain.vocabulary import Period


class ExclusionCategory(StrEnum):
    """School census exclusion category codes the events can tell apart."""

    PERMANENT = "PERM"
    FIXED_PERIOD = "FIXD"


class AttendancePattern(StrEnum):
    """How the pupil attends the alternative provision (census AP placement module)."""

    FULL_TIME = "FT"
    PART_TIME = "PT"


EXCLUSION_RETURN_FIELDS = ("school_id", "pupil_ref", "category", "start_date", "sessions", "reason_1",
                           "reason_2", "reason_3", "academic_year")
AP_PLACEMENT_RETURN_FIELDS = ("school_id", "pupil_ref", "setting_id", "entry_date", "leaving_date",
                              "attendance_pattern", "placement_id")


@dataclass(frozen=True, slots=True)
class ExclusionReturnRow:
    school_id: str
    pupil_ref: UUID
    category: ExclusionCategory
    start_date: date
    sessions: int | None
    reasons: tuple[str, ...]
    academic_year: str
    record_id: UUID

    def cells(self) -> tuple[object, ...]:
        reasons = (*self.reasons, "", "", "")[:3]
        return (self.school_id, self.pupil_ref, self.category.value, self.start_date.isoformat(),
                "" if self.sessions is None else self.sessions, *reasons, self.academic_year)


@dataclass(frozen=True, slots=True)
class ApPlacementReturnRow:
    school_id: str
    pupil_ref: UUID
    setting_id: str
    entry_date: date
    leaving_date: date | None
    attendance_pattern: AttendancePattern
    placement_id: UUID

    def cells(self) -> tuple[object, ...]:
        return (self.school_id, self.pupil_ref, self.setting_id, self.entry_date.isoformat(),
                "" if self.leaving_date is None else self.leaving_date.isoformat(), self.attendance_pattern.value,
                self.placement_id)


class _NeverThere:
    """The pupils erased so far as recorded in error: their rows leave, and no event about one read after the
    erasure (late, or again under a new id) brings a row back."""

    def __init__(self) -> None:
        self._pupils: set[UUID] = set()

    def erased_by(self, event: DomainEvent) -> UUID | None:
        """The pupil whose whole record ``event`` says was made in error (noted), else None."""
        if isinstance(event, PupilDataErased) and event.reason is ErasureReason.RECORDED_IN_ERROR:
            pupil_ref: UUID = event.pupil_ref
            self._pupils.add(pupil_ref)
            return pupil_ref
        return None

    def about(self, event: DomainEvent) -> bool:
        """Whether ``event`` is about a pupil erased as recorded in error before it."""
        return vars(event).get("pupil_ref") in self._pupils


def _exclusion_row(event: SuspensionIssued | PermanentExclusionIssued) -> ExclusionReturnRow:
    reasons = tuple(r.value for r in (event.primary_reason, *event.further_reasons))
    if isinstance(event, SuspensionIssued):
        return ExclusionReturnRow(event.home_school_id, event.pupil_ref, ExclusionCategory.FIXED_PERIOD,
                                  event.first_day, event.duration_half_days, reasons, event.academic_year,
                                  event.record_id)
    return ExclusionReturnRow(event.home_school_id, event.pupil_ref, ExclusionCategory.PERMANENT, event.decided_on,
                              None, reasons, event.academic_year, event.record_id)


def _amended(row: ExclusionReturnRow, event: RecordAmended) -> ExclusionReturnRow:
    """The census fields an amendment may correct in clear: a suspension's length, an exclusion's date."""
    values = event.corrected_values
    if row.category is ExclusionCategory.FIXED_PERIOD and "duration_half_days" in values:
        row = replace(row, sessions=int(str(values["duration_half_days"])))
    if row.category is ExclusionCategory.PERMANENT and "decided_on" in values:
        row = replace(row, start_date=date.fromisoformat(str(values["decided_on"])))
    return row


def exclusions_return(events: Iterable[DomainEvent], period: Period) -> list[ExclusionReturnRow]:
    """Suspensions and standing permanent exclusions starting in ``period``, corrections applied, in
    recorded order (rule: a reinstated permanent exclusion does not count; a withdrawn entry never counts)."""
    rows: dict[UUID, ExclusionReturnRow] = {}
    never_there = _NeverThere()
    for event in events:
        if never_there.about(event):
            continue
        if isinstance(event, SuspensionIssued | PermanentExclusionIssued):
            rows[event.record_id] = _exclusion_row(event)
        elif isinstance(event, PermanentExclusionReinstated):
            rows.pop(event.exclusion_record_id, None)
        elif isinstance(event, RecordWithdrawnInError):
            rows.pop(event.target_record_id, None)
        elif isinstance(event, RecordAmended) and event.target_record_id in rows:
            rows[event.target_record_id] = _amended(rows[event.target_record_id], event)
        elif (erased := never_there.erased_by(event)) is not None:
            rows = {k: r for k, r in rows.items() if r.pupil_ref != erased}
    kept = [row for row in rows.values() if row.start_date in period]
    return sorted(kept, key=lambda r: (r.school_id, str(r.pupil_ref), r.start_date, str(r.record_id)))


def _withdraw(rows: dict[UUID, ApPlacementReturnRow], started: dict[UUID, UUID], ended: dict[UUID, UUID],
              record_id: UUID) -> None:
    """A start withdrawn in error drops the placement; an end withdrawn in error reopens it."""
    if record_id in started:
        rows.pop(started[record_id], None)
    elif record_id in ended and ended[record_id] in rows:
        rows[ended[record_id]] = replace(rows[ended[record_id]], leaving_date=None)


def ap_placements_return(events: Iterable[DomainEvent], period: Period) -> list[ApPlacementReturnRow]:
    """Every AP placement open on a day of ``period``: entered by its last day and not left before its first."""
    rows: dict[UUID, ApPlacementReturnRow] = {}
    started_by_record: dict[UUID, UUID] = {}
    ended_by_record: dict[UUID, UUID] = {}
    never_there = _NeverThere()
    for event in events:
        if never_there.about(event):
            continue
        if isinstance(event, PlacementStarted):
            pattern = (AttendancePattern.FULL_TIME if event.timetable is TimetableKind.FULL_TIME
                       else AttendancePattern.PART_TIME)
            rows[event.placement_id] = ApPlacementReturnRow(event.home_school_id, event.pupil_ref,
                                                            event.provision_id, event.start_date, None, pattern,
                                                            event.placement_id)
            started_by_record[event.record_id] = event.placement_id
        elif isinstance(event, PlacementEnded) and event.placement_id in rows:
            rows[event.placement_id] = replace(rows[event.placement_id], leaving_date=event.end_date)
            ended_by_record[event.record_id] = event.placement_id
        elif isinstance(event, RecordWithdrawnInError):
            _withdraw(rows, started_by_record, ended_by_record, event.target_record_id)
        elif (erased := never_there.erased_by(event)) is not None:
            rows = {k: r for k, r in rows.items() if r.pupil_ref != erased}
    kept = [r for r in rows.values() if r.entry_date <= period.last_day
            and (r.leaving_date is None or r.leaving_date >= period.first_day)]
    return sorted(kept, key=lambda r: (r.school_id, str(r.pupil_ref), r.entry_date, str(r.placement_id)))


Row = TypeVar("Row", ExclusionReturnRow, ApPlacementReturnRow)


def rows_by_school(rows: Iterable[Row]) -> dict[str, list[Row]]:
    """Each school's own rows, in the file's order: a school returns the census for its own pupils."""
    schools: dict[str, list[Row]] = {}
    for row in rows:
        schools.setdefault(row.school_id, []).append(row)
    return schools
