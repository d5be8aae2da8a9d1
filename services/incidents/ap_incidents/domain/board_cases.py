"""The exclusions a governing board must consider, as the pupil record keeps them (issue 16; STATUTORY.md): a
permanent exclusion, or a suspension whose term total asks anything of the board, and the board's one decision.

Withdrawal in error is the record index's fact (``RecordEntry.withdrawn``), not repeated here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from uuid import UUID


class BoardDecision(StrEnum):
    REINSTATED = "reinstated"
    UPHELD = "upheld"


@dataclass(frozen=True, slots=True)
class BoardCase:
    """One exclusion before the board: the school that excluded, the day it was made (a permanent exclusion's
    decision, a suspension's first day: a board cannot meet on it before then) and the decision, once made."""

    home_school_id: str
    made_on: date
    decision: BoardDecision | None = None


@dataclass(frozen=True, slots=True)
class DecisionOnExclusion:
    """A board decision's entry names the exclusion it decided: an amended meeting day is checked against it."""

    exclusion_record_id: UUID
