"""Engagement on a placement (seed 002 section 5.1 and 6.9, issue 14): the keyworker's targets, the engagement
scores given per session or per day with progress against those targets, and the score reduction sanction.

Rules (ids in ``domain/errors_engagement.py``): a score is on the rule book's scale (engagement.score_on_scale);
a target is due on or after the day it is set (engagement.target_dates_forward); everything is about a day the
learner was placed at the provision (engagement.learner_placed_on_day; an ended placement takes nothing more,
placement.closed_after_end); one score per session or one for the whole day (engagement.one_score_per_session); progress
only against a target of the placement already set (engagement.progress_against_set_target); a reduction names
a recorded score (engagement.reduces_recorded_score) and leaves it at zero or more
(engagement.reduction_within_score). A score given wrongly is amended (issue 16; the generic amendment locks the
score, which the rules and reports count): it names a recorded score (engagement.amends_recorded_score), stays on
the scale and keeps the reductions taken from it (engagement.amendment_keeps_reductions). Who records them is the
access policy's (ENG-1: the provision's staff).
The term averages, the end-of-term trip and the Achievement Board are reporting's reads of these facts.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from uuid import UUID

from pydantic import Field, StrictInt

from ap_contracts.events.engagement import (
    EngagementScoreAmended,
    EngagementScoreRecorded,
    EngagementScoreReduced,
    EngagementTargetSet,
    TargetArea,
    TargetProgressMark,
)
from ap_contracts.events.pupil_corrections import CorrectionReason
from ap_contracts.events.pupil_vocabulary import Session
from ap_contracts.events.pupils import PupilEvent
from ap_contracts.identifiers import StaffId
from ap_incidents.domain.commands import PlacementCommand, PositiveInt, Text
from ap_incidents.domain.context import DecisionContext
from ap_incidents.domain.correction_policy import NOT_CORRECTABLE, Correction, Corrector
from ap_incidents.domain.engagement_state import (
    EngagementRecord,
    EngagementReduced,
    EngagementScored,
    ScoreHeld,
    TargetSet,
)
from ap_incidents.domain.errors_engagement import (
    AmendedScoreUnknown,
    AmendmentBelowReductions,
    LearnerNotPlacedThatDay,
    ReducedScoreUnknown,
    ReductionBelowZero,
    ScoreOffScale,
    SessionAlreadyScored,
    TargetAlreadySet,
    TargetDatedBackwards,
    TargetUnknown,
)
from ap_incidents.domain.errors_withdrawal import NothingToAmend
from ap_incidents.domain.folding import NOTHING, Applied, with_placement
from ap_incidents.domain.guards import placement_entry, require_incident, require_not_future, require_text
from ap_incidents.domain.identity import record_id_for
from ap_incidents.domain.state import Placement, PupilRecord
from ap_incidents.domain.theme import CommandDeclaration, EventRule, Theme

# ----------------------------------------------------------------------------- commands


class SetEngagementTarget(PlacementCommand):
    target_id: UUID
    area: TargetArea
    set_on: date
    due_by: date
    description: Text
    keyworker: StaffId


class RecordEngagementScore(PlacementCommand):
    scored_on: date
    session: Session | None = Field(default=None, description="The session scored; omitted: the whole day")
    score: StrictInt = Field(description="On the rule book's scale (engagement_score_min to engagement_score_max)")
    progress: tuple[TargetProgressMark, ...] = Field(default=(), max_length=50)
    keyworker: StaffId
    notes: Text = ""


class ReduceEngagementScore(PlacementCommand):
    score_record_id: UUID
    reduced_on: date
    points: PositiveInt
    incident_id: UUID | None = None
    reason: Text


class AmendEngagementScore(PlacementCommand):
    score_record_id: UUID
    score: StrictInt = Field(description="The score it should have been, on the rule book's scale")
    reason: CorrectionReason
    explanation: Text


# ----------------------------------------------------------------------------- decisions


def _placed_on(command: PlacementCommand, state: PupilRecord, context: DecisionContext, day: date,
               what: str) -> Placement:
    """The open placement the command names, the learner placed at its provision on ``day`` (not in the future)."""
    placement = placement_entry(command, state)
    if day < placement.start_date:
        raise LearnerNotPlacedThatDay(
            f"{what} ({day}) is before the learner was placed at {placement.provision_id} ({placement.start_date})")
    require_not_future(day, context, what)
    return placement


def set_target(command: SetEngagementTarget, state: PupilRecord, context: DecisionContext) -> list[PupilEvent]:
    """A keyworker's target, with the day it is set and the day it is due (due on or after it is set)."""
    placement = _placed_on(command, state, context, command.set_on, "the target")
    if command.due_by < command.set_on:
        raise TargetDatedBackwards(f"the target is due by {command.due_by}, before it is set ({command.set_on})")
    if any(command.target_id in p.engagement.targets for p in state.placements.values()):
        raise TargetAlreadySet(f"target {command.target_id} is already set")
    return [EngagementTargetSet(
        pupil_ref=command.pupil_ref, record_id=record_id_for(command.command_id), placement_id=placement.placement_id,
        target_id=command.target_id, area=command.area, set_on=command.set_on, due_by=command.due_by,
        description=require_text(command.description, "the target"), keyworker=command.keyworker,
    )]


def _check_progress(engagement: EngagementRecord, marks: tuple[TargetProgressMark, ...], day: date) -> None:
    seen: set[UUID] = set()
    for mark in marks:
        set_on = engagement.targets.get(mark.target_id)
        if set_on is None or set_on > day or mark.target_id in seen:
            problem = ("is marked twice" if mark.target_id in seen else
                       "is not a target of this placement" if set_on is None else f"was only set on {set_on}")
            raise TargetUnknown(f"progress on {day}: target {mark.target_id} {problem}")
        seen.add(mark.target_id)


def record_score(command: RecordEngagementScore, state: PupilRecord, context: DecisionContext) -> list[PupilEvent]:
    """One score per session (or for the whole day), on the rule book's scale, with progress against targets."""
    placement = _placed_on(command, state, context, command.scored_on, "the score")
    low, high = context.rules.engagement_score_min, context.rules.engagement_score_max
    if not low <= command.score <= high:
        raise ScoreOffScale(f"score {command.score} is outside the scale {low} to {high} "
                            f"(rule book {context.rules.version})")
    taken = placement.engagement.scores_on(command.scored_on)
    if any(command.session is None or s.session is None or s.session is command.session for s in taken):
        what = "the whole day" if command.session is None else f"the {command.session.value} session"
        raise SessionAlreadyScored(f"{command.scored_on} already has a score covering {what}: amend or withdraw it")
    _check_progress(placement.engagement, command.progress, command.scored_on)
    return [EngagementScoreRecorded(
        pupil_ref=command.pupil_ref, record_id=record_id_for(command.command_id), placement_id=placement.placement_id,
        scored_on=command.scored_on, session=command.session, score=command.score, scale_max=high,
        progress=command.progress, keyworker=command.keyworker, notes=command.notes,
        rule_version=context.rules.version,
    )]


def reduce_score(command: ReduceEngagementScore, state: PupilRecord, context: DecisionContext) -> list[PupilEvent]:
    """Sanction 6.9: a recorded score reduced, never below zero; the lower score earns less (the term average)."""
    placement = _placed_on(command, state, context, command.reduced_on, "the reduction")
    require_incident(placement, command.incident_id)
    score = placement.engagement.scores.get(command.score_record_id)
    if score is None or score.scored_on > command.reduced_on:
        problem = "is not a score on this placement" if score is None else f"scores {score.scored_on}, a later day"
        raise ReducedScoreUnknown(f"entry {command.score_record_id} {problem}")
    if command.points > score.points:
        raise ReductionBelowZero(f"the score has {score.points} points left; {command.points} cannot be taken")
    return [EngagementScoreReduced(
        pupil_ref=command.pupil_ref, record_id=record_id_for(command.command_id), placement_id=placement.placement_id,
        score_record_id=command.score_record_id, reduced_on=command.reduced_on, points=command.points,
        incident_id=command.incident_id, reason=require_text(command.reason, "the reason for the reduction"),
    )]


def amend_score(command: AmendEngagementScore, state: PupilRecord, context: DecisionContext) -> list[PupilEvent]:
    """A score given wrongly counts as another from now on (issue 16), on the scale, keeping its reductions."""
    placement = placement_entry(command, state)
    held = placement.engagement.scores.get(command.score_record_id)
    if held is None:
        raise AmendedScoreUnknown(f"entry {command.score_record_id} is not a score of this placement")
    low, high = context.rules.engagement_score_min, context.rules.engagement_score_max
    if not low <= command.score <= high:
        raise ScoreOffScale(f"score {command.score} is outside the scale {low} to {high}")
    if command.score == held.score:
        raise NothingToAmend(f"the score is already {held.score}")
    if command.score < held.score - held.points:
        raise AmendmentBelowReductions(f"reductions have taken {held.score - held.points} points from this score; "
                                       f"it cannot be amended to {command.score}")
    return [EngagementScoreAmended(
        pupil_ref=command.pupil_ref, record_id=record_id_for(command.command_id), placement_id=placement.placement_id,
        score_record_id=command.score_record_id, score=command.score, scale_max=high, reason=command.reason,
        explanation=require_text(command.explanation, "why the score is amended"),
        rule_version=context.rules.version,
    )]


# ----------------------------------------------------------------------------- folds (evolve)


def _with_engagement(state: PupilRecord, placement: Placement, engagement: EngagementRecord) -> PupilRecord:
    return with_placement(state, replace(placement, engagement=engagement))


def _target_set(event: EngagementTargetSet, state: PupilRecord) -> Applied:
    placement = state.placements.get(event.placement_id)
    if placement is None:
        return state, NOTHING
    engagement = placement.engagement.with_target(event.target_id, event.set_on)
    return _with_engagement(state, placement, engagement), TargetSet(event.placement_id, event.target_id)


def _score_recorded(event: EngagementScoreRecorded, state: PupilRecord) -> Applied:
    placement = state.placements.get(event.placement_id)
    if placement is None:
        return state, NOTHING
    held = ScoreHeld(event.scored_on, event.session, event.score, event.score)
    engagement = placement.engagement.with_score(event.record_id, held)
    return _with_engagement(state, placement, engagement), EngagementScored(event.placement_id)


def _score_reduced(event: EngagementScoreReduced, state: PupilRecord) -> Applied:
    placement = state.placements.get(event.placement_id)
    if placement is None:
        return state, NOTHING
    engagement = placement.engagement.with_points_changed(event.score_record_id, -event.points)
    effect = EngagementReduced(event.placement_id, event.score_record_id, event.points)
    return _with_engagement(state, placement, engagement), effect


def _score_amended(event: EngagementScoreAmended, state: PupilRecord) -> Applied:
    placement = state.placements.get(event.placement_id)
    held = None if placement is None else placement.engagement.scores.get(event.score_record_id)
    if placement is None or held is None:
        return state, NOTHING
    amended = replace(held, score=event.score, points=held.points + event.score - held.score)
    engagement = placement.engagement.with_score(event.score_record_id, amended)
    return _with_engagement(state, placement, engagement), NOTHING


# ----------------------------------------------------------------------------- declarations

THEME = Theme(
    __name__,
    declarations=(
        CommandDeclaration(SetEngagementTarget, set_target, "incidents.set_engagement_target",
            (EngagementTargetSet,), "engagement-targets", "Set a learner's engagement target"),
        CommandDeclaration(RecordEngagementScore, record_score, "incidents.record_engagement_score",
            (EngagementScoreRecorded,), "engagement-scores", "Record an engagement score and progress on targets"),
        CommandDeclaration(ReduceEngagementScore, reduce_score, "incidents.reduce_engagement_score",
            (EngagementScoreReduced,), "engagement-score-reductions", "Reduce an engagement score (a sanction)"),
        CommandDeclaration(AmendEngagementScore, amend_score, "incidents.amend_engagement_score",
            (EngagementScoreAmended,), "engagement-score-amendments", "Amend an engagement score given wrongly"),
    ),
    events={
        # What the rules and the reports count is locked (withdraw and record again); the words may be amended.
        EngagementTargetSet: EventRule(_target_set, Correction(
            Corrector.PROVIDER, locked=frozenset({"target_id", "area", "set_on", "due_by"}), withdrawable=True)),
        EngagementScoreRecorded: EventRule(_score_recorded, Correction(
            Corrector.PROVIDER,
            locked=frozenset({"scored_on", "session", "score", "scale_max", "progress", "rule_version"}),
            withdrawable=True)),
        # An amendment is amended again, not corrected itself (the corrections theme's rule for its own entries).
        EngagementScoreAmended: EventRule(_score_amended, NOT_CORRECTABLE),
        EngagementScoreReduced: EventRule(_score_reduced, Correction(
            Corrector.PROVIDER, locked=frozenset({"score_record_id", "reduced_on", "points", "incident_id"}),
            withdrawable=True)),
    },
)
