"""The pupil record as the rules need it: folded from the pupil's stream by ``evolve``.

State holds only what some rule reads (dates, codes, counts, ids) and never a personal narrative,
so that erasing a pupil's personal fields cannot change a decision.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType
from typing import Any, TypeVar
from uuid import UUID

from ap_contracts.events.pupil_vocabulary import (
    CommissionerDecision,
    EligibilityOutcome,
    KeyStage,
    PlacementEndReason,
    Session,
    Sex,
    TimetableKind,
    YearGroup,
    key_stage_of,
)
from ap_incidents.domain.board_cases import BoardCase, DecisionOnExclusion
from ap_incidents.domain.engagement_state import EngagementRecord, EngagementReduced, EngagementScored, TargetSet
from ap_incidents.domain.record_index import RecordIndex

K = TypeVar("K")
V = TypeVar("V")

def _empty() -> Mapping[Any, Any]:
    return MappingProxyType({})


# ----------------------------------------------------------------------------- what an entry did


@dataclass(frozen=True, slots=True)
class NoEffect:
    """The entry changed nothing a rule reads."""


@dataclass(frozen=True, slots=True)
class SlipsChanged:
    placement_id: UUID
    delta: int


@dataclass(frozen=True, slots=True)
class SuspensionCounted:
    academic_year: str
    half_days: int
    term: str | None = None  # the school term it counted in, when the home school's calendar placed it


@dataclass(frozen=True, slots=True)
class AttendanceMarked:
    placement_id: UUID
    session_date: date
    session: Session


@dataclass(frozen=True, slots=True)
class IncidentOpened:
    placement_id: UUID
    incident_id: UUID


@dataclass(frozen=True, slots=True)
class PermanentExclusionMade:
    home_school_id: str


@dataclass(frozen=True, slots=True)
class ProposalMade:
    placement_id: UUID
    proposal_id: UUID


@dataclass(frozen=True, slots=True)
class TransitionPlanned:
    placement_id: UUID


@dataclass(frozen=True, slots=True)
class TimetableChanged:
    """A reduced timetable review changed the timetable; what it was before, to undo it."""

    placement_id: UUID
    previous_timetable: TimetableKind
    previous_review_date: date | None


Effect = (
    NoEffect
    | SlipsChanged
    | SuspensionCounted
    | AttendanceMarked
    | IncidentOpened
    | PermanentExclusionMade
    | ProposalMade
    | TransitionPlanned
    | TimetableChanged
    | TargetSet
    | EngagementScored
    | EngagementReduced
    | DecisionOnExclusion
)


@dataclass(frozen=True, slots=True)
class RecordEntry:
    """One entry of the pupil record, as corrections need it."""

    event_type: str
    schema_version: int = 1
    placement_id: UUID | None = None
    effect: Effect = NoEffect()
    withdrawn: bool = False


# ----------------------------------------------------------------------------- referral


@dataclass(frozen=True, slots=True)
class Referral:
    referral_id: UUID
    provision_id: str
    received_on: date
    parent_consulted: bool = False
    eligibility: EligibilityOutcome | None = None
    eligibility_knew_of_ehcp: bool = False
    meeting_held: bool = False
    approved_key_stages: frozenset[KeyStage] = frozenset()
    placed: bool = False
    # Who commissions a place on this referral (None on referrals recorded before it was named).
    commissioner_id: str | None = None
    # When each step happened: a placement may not start before the steps it depends on.
    first_consulted_on: date | None = None
    eligibility_decided_on: date | None = None
    first_meeting_on: date | None = None
    key_stage_approved_on: Mapping[KeyStage, date] = field(default_factory=_empty)


# ----------------------------------------------------------------------------- placement


@dataclass(frozen=True, slots=True)
class Proposal:
    proposal_id: UUID
    decision: CommissionerDecision | None = None
    decision_record_id: UUID | None = None


@dataclass(frozen=True, slots=True)
class Placement:
    placement_id: UUID
    referral_id: UUID
    provision_id: str
    home_school_id: str
    commissioner_id: str
    start_date: date
    timetable: TimetableKind
    reduced_timetable_review_date: date | None
    ended_on: date | None = None
    end_reason: PlacementEndReason | None = None
    slip_balance: int = 0
    incident_ids: frozenset[UUID] = frozenset()
    attendance: frozenset[tuple[date, Session]] = frozenset()
    proposals: Mapping[UUID, Proposal] = field(default_factory=_empty)
    transition_plan_ids: frozenset[UUID] = frozenset()
    # Reduced-timetable reviews in order; only the latest can be withdrawn in error.
    timetable_review_ids: tuple[UUID, ...] = ()
    reintegration_confirmed: bool = False
    # Seed 002 section 5: the keyworker's targets and the engagement scores (domain/engagement_state.py).
    engagement: EngagementRecord = field(default_factory=EngagementRecord)

    @property
    def active(self) -> bool:
        return self.ended_on is None

    @property
    def pending_proposal(self) -> Proposal | None:
        return next((p for p in self.proposals.values() if p.decision is None), None)

    @property
    def upheld_withdrawal(self) -> Proposal | None:
        return next(
            (p for p in self.proposals.values() if p.decision is CommissionerDecision.WITHDRAWAL_UPHELD), None
        )

    def parties(self) -> frozenset[str]:
        """Organisations that share responsibility for the placement."""
        return frozenset({self.provision_id, self.commissioner_id, self.home_school_id})


# ----------------------------------------------------------------------------- the pupil


@dataclass(frozen=True, slots=True)
class PermanentExclusion:
    record_id: UUID
    home_school_id: str


@dataclass(frozen=True, slots=True)
class PendingTransfer:
    """A requested move to another school, waiting for the other party's confirmation."""

    transfer_id: UUID
    from_school_id: str
    to_school_id: str
    requested_by: str
    requested_on: date


@dataclass(frozen=True, slots=True)
class LegalHold:
    """A legal hold placed on the pupil's record (its id is the key it is filed under)."""

    authority_reference: str
    in_force: bool = True


@dataclass(frozen=True, slots=True)
class PupilRecord:
    """Everything the pupil-path rules read about one pupil."""

    pupil_ref: UUID | None = None
    erased: bool = False
    legal_holds: Mapping[UUID, LegalHold] = field(default_factory=_empty)
    subject_access_releases: Mapping[UUID, str] = field(default_factory=_empty)  # release id -> request reference
    home_school_id: str | None = None
    sex: Sex | None = None
    year_group: YearGroup | None = None
    has_ehcp: bool = False
    looked_after: bool = False  # issue 14: a looked-after child's placement names the authority looking after it
    referrals: Mapping[UUID, Referral] = field(default_factory=_empty)
    placements: Mapping[UUID, Placement] = field(default_factory=_empty)
    active_placement_id: UUID | None = None
    suspension_half_days: Mapping[str, int] = field(default_factory=_empty)
    suspension_half_days_by_term: Mapping[str, int] = field(default_factory=_empty)  # '2026-27 autumn' -> total
    permanent_exclusion: PermanentExclusion | None = None
    board_cases: Mapping[UUID, BoardCase] = field(default_factory=_empty)  # exclusion record id -> its case
    pending_transfer: PendingTransfer | None = None
    records: RecordIndex[RecordEntry] = field(default_factory=RecordIndex)

    @property
    def registered(self) -> bool:
        return self.pupil_ref is not None

    @property
    def holds_in_force(self) -> frozenset[UUID]:
        return frozenset(hold_id for hold_id, hold in self.legal_holds.items() if hold.in_force)

    @property
    def key_stage(self) -> KeyStage | None:
        return None if self.year_group is None else key_stage_of(self.year_group)

    @property
    def active_placement(self) -> Placement | None:
        return None if self.active_placement_id is None else self.placements[self.active_placement_id]

    @property
    def excluded_from_home_school(self) -> bool:
        """Permanently excluded, not reinstated, from the school the pupil is still registered with."""
        pex = self.permanent_exclusion
        return pex is not None and pex.home_school_id == self.home_school_id

    def suspension_half_days_in(self, academic_year: str) -> int:
        return self.suspension_half_days.get(academic_year, 0)

    def suspension_half_days_in_term(self, term: str) -> int:
        return self.suspension_half_days_by_term.get(term, 0)


def with_item(mapping: Mapping[K, V], key: K, value: V) -> Mapping[K, V]:
    """A copy of a read-only mapping with one key set (small mappings only)."""
    copied = dict(mapping)
    copied[key] = value
    return MappingProxyType(copied)
