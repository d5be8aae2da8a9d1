"""Amending an engagement score given wrongly (issue 16): given the pupil's record, when the provision's staff amend
a score, then the score counts as amended (its reductions kept) or the amendment is refused, nothing recorded
(rule ids ``engagement.*``, ``correction.changes_something``)."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

from ap_contracts.events.engagement import EngagementScoreAmended
from ap_contracts.events.pupil_corrections import CorrectionReason
from ap_incidents.domain import command_models as c

from .conftest import Story
from .test_incidents_engagement import _reduce, _refused, _score


def _amend(story: Story, score_record_id: UUID, **kw: Any) -> c.AmendEngagementScore:
    return c.AmendEngagementScore(**{
        "command_id": uuid4(), "pupil_ref": story.pupil_ref, "placement_id": story.placement_id,
        "score_record_id": score_record_id, "score": 5, "reason": CorrectionReason.WRONG_VALUE,
        "explanation": "Scored on the wrong row of the sheet",
    } | kw)


def _held(story: Story, record_id: UUID) -> tuple[int, int]:
    held = story.state.placements[story.placement_id].engagement.scores[record_id]
    return held.score, held.points


def test_a_score_given_wrongly_counts_as_amended(story):
    story.placed()
    scored = story.one(_score(story, score=2), story.who.provider)
    event = story.one(_amend(story, scored.record_id, score=4), story.who.provider)
    assert isinstance(event, EngagementScoreAmended)
    assert (event.score_record_id, event.score, event.scale_max, event.reason) == (
        scored.record_id, 4, 5, CorrectionReason.WRONG_VALUE)
    assert _held(story, scored.record_id) == (4, 4)
    story.run(_amend(story, scored.record_id, score=3), story.who.provider)  # amended again
    assert _held(story, scored.record_id) == (3, 3)


def test_an_amended_score_keeps_the_reductions_taken_from_it(story):
    story.placed()
    scored = story.one(_score(story, score=4), story.who.provider)
    story.run(_reduce(story, scored.record_id, points=3), story.who.provider)
    story.run(_amend(story, scored.record_id, score=5), story.who.provider)
    assert _held(story, scored.record_id) == (5, 2)
    _refused(story, _amend(story, scored.record_id, score=2), "engagement.amendment_keeps_reductions")
    story.run(_amend(story, scored.record_id, score=3), story.who.provider)  # exactly the points taken
    assert _held(story, scored.record_id) == (3, 0)


def test_an_amendment_is_on_the_scale_and_changes_the_score(story):
    story.placed()
    scored = story.one(_score(story, score=4), story.who.provider)
    _refused(story, _amend(story, scored.record_id, score=6), "engagement.score_on_scale")
    _refused(story, _amend(story, scored.record_id, score=-1), "engagement.score_on_scale")
    _refused(story, _amend(story, scored.record_id, score=4), "correction.changes_something")
    _refused(story, _amend(story, scored.record_id, explanation="  "), "record.narrative_required")


def test_an_amendment_names_a_score_of_the_placement_not_withdrawn(story):
    story.placed()
    _refused(story, _amend(story, uuid4()), "engagement.amends_recorded_score")
    scored = story.one(_score(story), story.who.provider)
    story.run(story.cmd.withdraw(scored.record_id), story.who.provider_manager)
    _refused(story, _amend(story, scored.record_id), "engagement.amends_recorded_score")
    reduced_not_a_score = story.one(_score(story, score=3), story.who.provider)
    reduction = story.one(_reduce(story, reduced_not_a_score.record_id), story.who.provider)
    _refused(story, _amend(story, reduction.record_id), "engagement.amends_recorded_score")
