"""Refusals of the engagement rules (seed 002 sections 5 and 6.9), each named after its rule."""

from __future__ import annotations

from ap_incidents.domain.errors_base import ConflictsWithRecord, InvalidCommand


class ScoreOffScale(InvalidCommand):
    """A score is given on the rule book's scale (``engagement_score_min`` to ``engagement_score_max``)."""

    rule_id = "engagement.score_on_scale"


class TargetDatedBackwards(InvalidCommand):
    """A target is due on or after the day it is set."""

    rule_id = "engagement.target_dates_forward"


class LearnerNotPlacedThatDay(ConflictsWithRecord):
    """Targets, scores and reductions are about a day the learner was placed at the provision (on or after the
    placement's start; an ended placement takes nothing more)."""

    rule_id = "engagement.learner_placed_on_day"


class TargetAlreadySet(ConflictsWithRecord):
    rule_id = "engagement.target_set_once"


class SessionAlreadyScored(ConflictsWithRecord):
    """One score per session, or one for the whole day instead of its sessions."""

    rule_id = "engagement.one_score_per_session"


class TargetUnknown(ConflictsWithRecord):
    """Progress is marked against a target of this placement set on or before the day scored, once per score."""

    rule_id = "engagement.progress_against_set_target"


class ReducedScoreUnknown(ConflictsWithRecord):
    """A reduction names a score recorded on this placement, on or before the day it is reduced."""

    rule_id = "engagement.reduces_recorded_score"


class ReductionBelowZero(ConflictsWithRecord):
    """A score is reduced by at most the points it has left."""

    rule_id = "engagement.reduction_within_score"


class ScoreReductionNamesItsScore(InvalidCommand):
    """Seed 002 section 6.9: a reduction in the scores lowers the rewards they earn, so it names the score and the
    points (``ReduceEngagementScore``); a bare "weekly score reduced" sanction would reduce nothing."""

    rule_id = "engagement.reduction_names_score"


class AmendedScoreUnknown(ConflictsWithRecord):
    """An amendment names a score recorded on this placement and not withdrawn (issue 16)."""

    rule_id = "engagement.amends_recorded_score"


class AmendmentBelowReductions(ConflictsWithRecord):
    """An amended score keeps the reductions already taken from it: it is at least the points they took."""

    rule_id = "engagement.amendment_keeps_reductions"
