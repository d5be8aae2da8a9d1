"""Engagement scores and targets (seed 002 sections 5.1 and 6.9, issue 14): given the pupil's record, when a
keyworker sets a target, scores a session or reduces a score, then what is recorded or refused (rule ids
``engagement.*``)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ap_contracts.events.engagement import (
    EngagementScoreRecorded,
    EngagementScoreReduced,
    EngagementTargetSet,
    TargetArea,
    TargetProgress,
    TargetProgressMark,
)
from ap_contracts.events.pupil_corrections import RecordWithdrawnInError
from ap_contracts.events.pupil_vocabulary import Session
from ap_contracts.events.pupils import PupilEvent
from ap_incidents.domain import command_models as c
from ap_incidents.domain import errors_engagement as engagement_errors
from ap_incidents.domain.errors_base import DomainError
from ap_incidents.domain.rules import RuleBook

from .conftest import DAY, START, TRAINED, Story


def _target(story: Story, **kw: Any) -> c.SetEngagementTarget:
    return c.SetEngagementTarget(**{
        "command_id": uuid4(), "pupil_ref": story.pupil_ref, "placement_id": story.placement_id,
        "target_id": uuid4(), "area": TargetArea.WORK_COMPLETION, "set_on": DAY - timedelta(7),
        "due_by": DAY + timedelta(14), "description": "Finish each maths task before break", "keyworker": TRAINED,
    } | kw)


def _score(story: Story, **kw: Any) -> c.RecordEngagementScore:
    return c.RecordEngagementScore(**{
        "command_id": uuid4(), "pupil_ref": story.pupil_ref, "placement_id": story.placement_id,
        "scored_on": DAY, "session": Session.AM, "score": 4, "keyworker": TRAINED,
        "notes": "Settled quickly and asked for help twice",
    } | kw)


def _reduce(story: Story, score_record_id: UUID, **kw: Any) -> c.ReduceEngagementScore:
    return c.ReduceEngagementScore(**{
        "command_id": uuid4(), "pupil_ref": story.pupil_ref, "placement_id": story.placement_id,
        "score_record_id": score_record_id, "reduced_on": DAY, "points": 1,
        "reason": "Three warnings for leaving the room",
    } | kw)


def _refused(story: Story, command: c.PupilCommand, rule: str) -> None:
    before = list(story.events)
    with pytest.raises(DomainError) as refused:
        story.run(command, story.who.provider)
    assert refused.value.rule_id == rule, refused.value
    assert story.events == before


def _target_set(story: Story, **kw: Any) -> UUID:
    command = _target(story, **kw)
    story.run(command, story.who.provider)
    return command.target_id


# ----------------------------------------------------------------------------- targets


def test_a_keyworker_sets_a_target_with_its_dates(story):
    story.placed()
    event = story.one(_target(story), story.who.provider)
    assert isinstance(event, EngagementTargetSet)
    assert (event.set_on, event.due_by, event.area) == (DAY - timedelta(7), DAY + timedelta(14),
                                                       TargetArea.WORK_COMPLETION)


def test_a_target_dated_backwards_is_refused(story):
    story.placed()
    _refused(story, _target(story, set_on=DAY, due_by=DAY - timedelta(1)), "engagement.target_dates_forward")


def test_a_target_is_set_once(story):
    story.placed()
    target_id = _target_set(story)
    _refused(story, _target(story, target_id=target_id), "engagement.target_set_once")


def test_a_target_before_the_learner_was_placed_is_refused(story):
    story.placed()
    _refused(story, _target(story, set_on=START - timedelta(1)), "engagement.learner_placed_on_day")


# ----------------------------------------------------------------------------- scores


def test_a_session_score_with_progress_is_recorded_on_the_rule_books_scale(story):
    story.placed()
    target_id = _target_set(story)
    mark = TargetProgressMark(target_id=target_id, progress=TargetProgress.EXCEEDED)
    event = story.one(_score(story, progress=(mark,)), story.who.provider)
    assert isinstance(event, EngagementScoreRecorded)
    assert (event.score, event.scale_max, event.session, event.progress) == (4, 5, Session.AM, (mark,))
    assert event.rule_version == story.rules.version


@pytest.mark.parametrize("score", [-1, 6, 99])
def test_a_score_outside_the_scale_is_refused(story, score):
    story.placed()
    _refused(story, _score(story, score=score), "engagement.score_on_scale")


def test_the_scale_is_rule_book_data():
    story = Story(rules=RuleBook(engagement_score_max=10))
    story.placed()
    event = story.one(_score(story, score=9), story.who.provider)
    assert isinstance(event, EngagementScoreRecorded) and event.scale_max == 10
    _refused(story, _score(story, session=Session.PM, score=11), "engagement.score_on_scale")


def test_a_score_for_a_day_before_the_placement_is_refused(story):
    story.placed()
    _refused(story, _score(story, scored_on=START - timedelta(1)), "engagement.learner_placed_on_day")


def test_a_score_after_the_placement_ended_is_refused(story):
    story.placed()
    story.confirmed_back().run(story.cmd.end_placement(), story.who.la)
    with pytest.raises(DomainError) as refused:
        story.run(_score(story), story.who.provider)
    assert refused.value.rule_id == "placement.closed_after_end"


def test_a_score_for_another_placement_is_refused(story):
    story.placed()
    with pytest.raises(DomainError) as refused:
        story.run(_score(story, placement_id=uuid4()), story.who.provider)
    assert refused.value.rule_id == "placement.exists"


def test_one_score_per_session_or_one_for_the_day(story):
    story.placed()
    story.run(_score(story), story.who.provider)
    _refused(story, _score(story), "engagement.one_score_per_session")
    _refused(story, _score(story, session=None), "engagement.one_score_per_session")
    assert story.run(_score(story, session=Session.PM), story.who.provider)
    story.run(_score(story, scored_on=DAY - timedelta(1), session=None), story.who.provider)
    _refused(story, _score(story, scored_on=DAY - timedelta(1), session=Session.PM),
             "engagement.one_score_per_session")


def test_a_withdrawn_score_frees_its_session(story):
    story.placed()
    first = story.one(_score(story), story.who.provider)
    story.run(story.cmd.withdraw(first.record_id), story.who.provider_manager)
    assert story.run(_score(story), story.who.provider)


@pytest.mark.parametrize("when", ["unknown", "set_later", "twice"])
def test_progress_only_against_a_target_already_set(story, when):
    story.placed()
    target_id = _target_set(story, set_on=DAY)
    marks = {
        "unknown": (TargetProgressMark(target_id=uuid4(), progress=TargetProgress.MET),),
        "set_later": (TargetProgressMark(target_id=target_id, progress=TargetProgress.MET),),
        "twice": (TargetProgressMark(target_id=target_id, progress=TargetProgress.MET),) * 2,
    }[when]
    scored_on = DAY - timedelta(1) if when == "set_later" else DAY
    _refused(story, _score(story, scored_on=scored_on, progress=marks), "engagement.progress_against_set_target")


# ----------------------------------------------------------------------------- the reduction sanction


def test_a_score_is_reduced_as_a_sanction(story):
    story.placed()
    scored = story.one(_score(story), story.who.provider)
    event = story.one(_reduce(story, scored.record_id, points=2), story.who.provider)
    assert isinstance(event, EngagementScoreReduced)
    assert (event.score_record_id, event.points) == (scored.record_id, 2)
    assert story.state.placements[story.placement_id].engagement.scores[scored.record_id].points == 2


def test_a_reduction_never_takes_a_score_below_zero(story):
    story.placed()
    scored = story.one(_score(story, score=3), story.who.provider)
    story.run(_reduce(story, scored.record_id, points=2), story.who.provider)
    _refused(story, _reduce(story, scored.record_id, points=2), "engagement.reduction_within_score")


def test_a_withdrawn_reduction_gives_the_points_back(story):
    story.placed()
    scored = story.one(_score(story, score=3), story.who.provider)
    reduced = story.one(_reduce(story, scored.record_id, points=3), story.who.provider)
    story.run(story.cmd.withdraw(reduced.record_id), story.who.provider_manager)
    assert story.run(_reduce(story, scored.record_id, points=3), story.who.provider)


@pytest.mark.parametrize("which", ["unknown", "later_day"])
def test_a_reduction_names_a_score_recorded_by_that_day(story, which):
    story.placed()
    scored = story.one(_score(story), story.who.provider)
    target = uuid4() if which == "unknown" else scored.record_id
    _refused(story, _reduce(story, target, reduced_on=DAY - timedelta(1)), "engagement.reduces_recorded_score")


def test_every_engagement_rule_id_is_in_its_namespace():
    rules = {error.rule_id for error in vars(engagement_errors).values()
             if isinstance(error, type) and issubclass(error, DomainError) and hasattr(error, "rule_id")}
    assert rules and all(rule.startswith("engagement.") for rule in rules)


def test_a_bare_weekly_score_reduced_sanction_is_refused_for_the_command_that_names_the_score(story):
    story.placed()
    _refused(story, story.cmd.apply_sanction(sanction="weekly_score_reduced"), "engagement.reduction_names_score")
    assert story.run(story.cmd.apply_sanction(), story.who.provider)


# ----------------------------------------------------------------------------- invariant under any sequence

_STEPS = st.one_of(
    st.tuples(st.just("score"), st.integers(-1, 6), st.integers(0, 3), st.sampled_from([Session.AM, Session.PM, None])),
    st.tuples(st.just("reduce"), st.integers(0, 5), st.integers(1, 6)),
    st.tuples(st.just("withdraw"), st.integers(0, 8)),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(_STEPS, max_size=25))
def test_a_score_keeps_exactly_its_points_less_its_standing_reductions(plan):
    """Whatever is scored, reduced and withdrawn, each standing score holds its points less the reductions still
    standing, never below zero, and a refusal is one of the engagement rules or the ended entry's."""
    story = Story()
    story.placed()
    entries: list[PupilEvent] = []
    for step in plan:
        if step[0] == "score":
            command: c.PupilCommand = _score(story, score=step[1], scored_on=DAY - timedelta(step[2]),
                                             session=step[3])
        elif step[0] == "reduce":
            scores = [e for e in entries if isinstance(e, EngagementScoreRecorded)]
            if not scores:
                continue
            command = _reduce(story, scores[step[1] % len(scores)].record_id, points=step[2])
        else:
            if not entries:
                continue
            command = story.cmd.withdraw(entries[step[1] % len(entries)].record_id)
        try:
            entries += story.run(command, story.who.provider_manager)
        except DomainError as refused:
            assert refused.rule_id.startswith(("engagement.", "correction.", "record.")), refused.rule_id
    withdrawn = {e.target_record_id for e in story.events if isinstance(e, RecordWithdrawnInError)}
    standing = [e for e in entries if e.record_id not in withdrawn]
    held = story.state.placements[story.placement_id].engagement.scores
    for score in (e for e in standing if isinstance(e, EngagementScoreRecorded)):
        taken = sum(e.points for e in standing
                    if isinstance(e, EngagementScoreReduced) and e.score_record_id == score.record_id)
        assert held[score.record_id].points == score.score - taken >= 0
    assert set(held) == {e.record_id for e in standing if isinstance(e, EngagementScoreRecorded)}


def test_what_reports_count_is_locked_and_the_words_may_be_amended(story):
    """Reports count the score, its day and session and the progress marks: those are withdrawn and recorded
    again, never amended in place (reporting keeps no amendment of them); the notes may be amended."""
    story.placed()
    scored = story.one(_score(story), story.who.provider)
    before = list(story.events)
    with pytest.raises(DomainError) as refused:
        story.run(story.cmd.amend(scored.record_id, {"score": 1}), story.who.provider_manager)
    assert refused.value.rule_id.startswith("correction.") and story.events == before
    assert story.run(story.cmd.amend(scored.record_id, {"notes": "Settled after a slow start"}),
                     story.who.provider_manager)
