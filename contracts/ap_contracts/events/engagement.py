"""v1 engagement events of a placement: the keyworker's targets, the engagement scores and their reduction.

Seed 002 section 5.1: the weekly report to the home school carries a score of how well each learner
engaged with learning and their progress against the targets their keyworker set; the term average decides
who qualifies for the end-of-term trip; learners who exceed their targets go on the provision's Achievement
Board (5.3). Section 6.9: a reduction in the scores is a sanction, and lowers the rewards the scores earn.

Privacy: scores, target areas, progress marks and dates are clear (counted by reports, like an incident's
severity); what a target says, the keyworker's notes and the keyworker's staff id are behaviour-class
personal data of the pupil, sealed with the pupil's key.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, ClassVar, Protocol, Self, TypeVar
from uuid import UUID

from pydantic import Field, StrictInt, model_validator

from ap_contracts.envelope import StrictModel
from ap_contracts.events.placements import PlacementEvent
from ap_contracts.events.pupil_corrections import CorrectionReason
from ap_contracts.events.pupil_vocabulary import BehaviourText, RuleVersion, Session, StaffIdText

Points = Annotated[StrictInt, Field(ge=0, le=100)]
PositivePoints = Annotated[StrictInt, Field(ge=1, le=100)]


class _Scored(Protocol):
    @property
    def score(self) -> int: ...

    @property
    def scale_max(self) -> int: ...


_ScoredT = TypeVar("_ScoredT", bound=_Scored)


def within_scale(event: _ScoredT) -> _ScoredT:
    """A score is at most the top of the scale it is given on (a recorded score and its amendment alike)."""
    if event.score > event.scale_max:
        raise ValueError("score is at most scale_max")
    return event


class TargetArea(StrEnum):
    """What a keyworker's target is about (the words of the target itself are personal)."""

    ATTITUDE_TO_LEARNING = "attitude_to_learning"
    ATTENDANCE_AND_PUNCTUALITY = "attendance_and_punctuality"
    BEHAVIOUR_IN_SESSIONS = "behaviour_in_sessions"
    RELATIONSHIPS = "relationships"
    WORK_COMPLETION = "work_completion"
    PERSONAL_DEVELOPMENT = "personal_development"


class TargetProgress(StrEnum):
    """Progress against one target, as the keyworker judged it when scoring."""

    NOT_YET = "not_yet"
    WORKING_TOWARDS = "working_towards"
    MET = "met"
    EXCEEDED = "exceeded"


class TargetProgressMark(StrictModel):
    """The learner's progress against one of their targets."""

    target_id: UUID
    progress: TargetProgress


class EngagementTargetSet(PlacementEvent):
    """The learner's keyworker set a target to work towards, from ``set_on`` and due by ``due_by``."""

    event_type: ClassVar[str] = "EngagementTargetSet"

    target_id: UUID
    area: TargetArea
    set_on: date
    due_by: date
    description: BehaviourText
    keyworker: StaffIdText

    @model_validator(mode="after")
    def _dates_forward(self) -> Self:
        if self.due_by < self.set_on:
            raise ValueError("due_by is on or after set_on")
        return self


class EngagementScoreRecorded(PlacementEvent):
    """How well the learner engaged with learning in one session (or over the whole day when ``session`` is
    None), on the rule book's scale, with progress against the learner's targets."""

    event_type: ClassVar[str] = "EngagementScoreRecorded"

    scored_on: date
    session: Session | None = Field(description="The session scored; None: the whole day")
    score: Points
    scale_max: PositivePoints = Field(description="The top of the scale the score was given on")
    progress: tuple[TargetProgressMark, ...] = ()
    keyworker: StaffIdText
    notes: BehaviourText
    rule_version: RuleVersion

    @model_validator(mode="after")
    def _on_scale(self) -> Self:
        return within_scale(self)


class EngagementScoreReduced(PlacementEvent):
    """Sanction (seed 002 section 6.9): a score is reduced by ``points``, lowering the rewards it earns (the
    term average that decides the end-of-term trip)."""

    event_type: ClassVar[str] = "EngagementScoreReduced"

    score_record_id: UUID = Field(description="The EngagementScoreRecorded entry reduced")
    reduced_on: date
    points: PositivePoints
    incident_id: UUID | None = None
    reason: BehaviourText


class EngagementScoreAmended(PlacementEvent):
    """A recorded engagement score was given wrongly and counts as ``score`` from now on (issue 16): the old
    score stays in the record, reductions already taken from it still count, and ``reason`` with its
    ``explanation`` say why (the correction reasons of every other amendment)."""

    event_type: ClassVar[str] = "EngagementScoreAmended"

    score_record_id: UUID = Field(description="The EngagementScoreRecorded entry amended")
    score: Points
    scale_max: PositivePoints = Field(description="The top of the scale the score is given on")
    reason: CorrectionReason
    explanation: BehaviourText
    rule_version: RuleVersion

    @model_validator(mode="after")
    def _on_scale(self) -> Self:
        return within_scale(self)


__all__ = [
    "EngagementScoreAmended", "EngagementScoreRecorded", "EngagementScoreReduced", "EngagementTargetSet",
    "TargetArea", "TargetProgress", "TargetProgressMark",
]
