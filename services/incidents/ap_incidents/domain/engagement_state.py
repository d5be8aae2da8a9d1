"""What the engagement rules read of a placement (seed 002 sections 5 and 6.9), and what each entry did.

Folded by ``domain/themes/engagement.py``: the targets set (for progress marks), the scores held with the
points left after reductions (one score per session or per day, a reduction never below zero). No target
wording, no notes: state holds no personal narrative.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from types import MappingProxyType
from typing import Any
from uuid import UUID

from ap_contracts.events.pupil_vocabulary import Session


def _empty() -> Mapping[Any, Any]:
    return MappingProxyType({})


@dataclass(frozen=True, slots=True)
class ScoreHeld:
    """One recorded score: the day and session it scores (None: the whole day), its points left, and the score
    it was given (as amended): the points taken from it by reductions are ``score - points``."""

    scored_on: date
    session: Session | None
    points: int
    score: int


@dataclass(frozen=True, slots=True)
class EngagementRecord:
    """A placement's targets (target id -> the day it was set) and scores (record id -> score held)."""

    targets: Mapping[UUID, date] = field(default_factory=_empty)
    scores: Mapping[UUID, ScoreHeld] = field(default_factory=_empty)

    def scores_on(self, day: date) -> list[ScoreHeld]:
        return [s for s in self.scores.values() if s.scored_on == day]

    def with_target(self, target_id: UUID, set_on: date) -> EngagementRecord:
        return replace(self, targets=MappingProxyType({**self.targets, target_id: set_on}))

    def without_target(self, target_id: UUID) -> EngagementRecord:
        return replace(self, targets=MappingProxyType({k: v for k, v in self.targets.items() if k != target_id}))

    def with_score(self, record_id: UUID, score: ScoreHeld) -> EngagementRecord:
        return replace(self, scores=MappingProxyType({**self.scores, record_id: score}))

    def without_score(self, record_id: UUID) -> EngagementRecord:
        return replace(self, scores=MappingProxyType({k: v for k, v in self.scores.items() if k != record_id}))

    def with_points_changed(self, record_id: UUID, delta: int) -> EngagementRecord:
        """A reduction (``delta`` < 0), or its withdrawal giving the points back; a score since withdrawn
        stays withdrawn."""
        score = self.scores.get(record_id)
        if score is None:
            return self
        return self.with_score(record_id, replace(score, points=score.points + delta))


@dataclass(frozen=True, slots=True)
class TargetSet:
    placement_id: UUID
    target_id: UUID


@dataclass(frozen=True, slots=True)
class EngagementScored:
    placement_id: UUID


@dataclass(frozen=True, slots=True)
class EngagementReduced:
    placement_id: UUID
    score_record_id: UUID
    points: int
