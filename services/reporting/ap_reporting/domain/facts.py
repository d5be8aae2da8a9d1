"""What the reports are assembled from: one row per recorded fact, counts and codes only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from ap_contracts.events.pupil_vocabulary import (
    IncidentCategory,
    KeyStage,
    PlacementEndReason,
    RewardKind,
    Severity,
)
from ap_reporting.domain.vocabulary import Period, Phase


@dataclass(frozen=True, slots=True)
class PlacementFact:
    placement_id: UUID
    pupil_ref: UUID
    provision_id: str
    home_school_id: str
    partnership_id: str
    start_date: date
    pupil_key_stage: KeyStage
    outside_key_stage: bool
    end_date: date | None = None
    end_reason: PlacementEndReason | None = None

    def active_during(self, period: Period) -> bool:
        return self.start_date <= period.last_day and (self.end_date is None or self.end_date >= period.first_day)

    def length_of_stay_days(self) -> int | None:
        return None if self.end_date is None else (self.end_date - self.start_date).days + 1


@dataclass(frozen=True, slots=True)
class AttendanceFact:
    placement_id: UUID
    session_date: date
    attended: bool
    possible: bool


@dataclass(frozen=True, slots=True)
class IncidentFact:
    placement_id: UUID
    happened_on: date
    category: IncidentCategory
    severity: Severity
    record_id: UUID | None = None  # the incident's event id, for a figure's trace (``figure_trace``)


@dataclass(frozen=True, slots=True)
class RewardFact:
    placement_id: UUID
    granted_on: date
    kind: RewardKind
    quantity: int


@dataclass(frozen=True, slots=True)
class SuspensionFact:
    pupil_ref: UUID
    placement_id: UUID | None
    first_day: date
    half_days: int
    academic_year: str
    phase: Phase
    record_id: UUID | None = None  # the event it was recorded by: what a figure's trace lists (figure_trace)


@dataclass(frozen=True, slots=True)
class PermanentExclusionFact:
    pupil_ref: UUID
    placement_id: UUID | None
    decided_on: date
    academic_year: str
    phase: Phase
    reinstated: bool = False
    record_id: UUID | None = None  # the event it was recorded by: what a figure's trace lists (figure_trace)
