"""The governing board's one decision on an exclusion (issue 16; STATUTORY.md): the excluding school records that
its board upheld a permanent exclusion or a suspension it had to consider, once the parents were told of their
right to an independent review, or that it reinstated the pupil; never both, never twice, never on an exclusion
withdrawn in error, and never dated before the exclusion or after today."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest

from ap_contracts.events.school_exclusions import ExclusionUpheld
from ap_incidents.domain import errors
from ap_incidents.domain.board_cases import BoardDecision

from .conftest import DAY, HOME_SCHOOL, Story

# The exclusions a governing board must consider (STATUTORY.md: a permanent one, a suspension of over 5 school days
# in a term) and the two decisions it may record on either.
BEFORE_THE_BOARD: dict[str, dict[str, Any]] = {"exclude_permanently": {}, "suspend": {"duration_half_days": 32}}
BOARD_DECISIONS = [(kind, decide) for kind in BEFORE_THE_BOARD for decide in ("uphold", "reinstate")]


def _excluded(story: Story, kind: str = "exclude_permanently") -> UUID:
    return story.excluded(kind, **BEFORE_THE_BOARD[kind])


def test_the_school_records_that_its_board_upheld_a_permanent_exclusion(story: Story) -> None:
    exclusion = _excluded(story)
    event = story.one(story.cmd.uphold(exclusion, board_met_on=date(2025, 3, 11)), story.who.home_staff)
    assert isinstance(event, ExclusionUpheld)
    assert (event.exclusion_record_id, event.home_school_id, event.board_met_on,
            event.parents_told_of_independent_review) == (exclusion, HOME_SCHOOL, date(2025, 3, 11), True)
    assert story.state.board_cases[exclusion].decision is BoardDecision.UPHELD
    assert story.state.excluded_from_home_school, "an upheld exclusion stands"


def test_the_board_upholds_a_suspension_it_had_to_consider(story: Story) -> None:
    suspension = _excluded(story, "suspend")
    assert isinstance(story.one(story.cmd.uphold(suspension), story.who.head), ExclusionUpheld)


@pytest.mark.parametrize(("kind", "first"), BOARD_DECISIONS)
@pytest.mark.parametrize("then", ["uphold", "reinstate"])
def test_the_board_decides_once(story: Story, kind: str, first: str, then: str) -> None:
    exclusion = _excluded(story, kind)
    story.run(getattr(story.cmd, first)(exclusion), story.who.head)
    before = list(story.events)
    with pytest.raises(errors.BoardAlreadyDecided) as refused:
        story.run(getattr(story.cmd, then)(exclusion), story.who.head)
    assert refused.value.rule_id == "board_decision.once"
    assert story.events == before


@pytest.mark.parametrize(("kind", "decide"), BOARD_DECISIONS)
def test_nothing_is_decided_on_an_exclusion_withdrawn_in_error(story: Story, kind: str, decide: str) -> None:
    exclusion = _excluded(story, kind)
    story.run(story.cmd.withdraw(exclusion), story.who.head)
    with pytest.raises(errors.ExclusionWithdrawn) as refused:
        story.run(getattr(story.cmd, decide)(exclusion), story.who.head)
    assert refused.value.rule_id == "board_decision.exclusion_standing"


def test_the_decision_names_an_exclusion_of_this_pupil(story: Story) -> None:
    story.placed()
    incident = story.one(story.cmd.record_incident(), story.who.provider).record_id
    for unknown in (uuid4(), incident):
        with pytest.raises(errors.BoardCaseUnknown) as refused:
            story.run(story.cmd.uphold(unknown), story.who.head)
        assert refused.value.rule_id == "board_decision.exclusion_exists"
    other = Story()
    foreign = _excluded(other)
    with pytest.raises(errors.BoardCaseUnknown):
        story.run(story.cmd.uphold(foreign), story.who.head)


@pytest.mark.parametrize(("kind", "decide"), BOARD_DECISIONS)
def test_the_board_meets_after_the_exclusion_and_not_in_the_future(story: Story, kind: str, decide: str) -> None:
    exclusion = _excluded(story, kind)
    for met_on, refusal in ((DAY - timedelta(days=1), errors.DatesOutOfOrder),
                            (story.now.date() + timedelta(days=1), errors.DatedInFuture)):
        with pytest.raises(refusal):
            story.run(getattr(story.cmd, decide)(exclusion, board_met_on=met_on), story.who.head)
    assert story.state.board_cases[exclusion].decision is None


def test_upheld_only_once_the_parents_were_told_of_the_independent_review(story: Story) -> None:
    exclusion = _excluded(story)
    with pytest.raises(errors.IndependentReviewNotExplained) as refused:
        story.run(story.cmd.uphold(exclusion, parents_told_of_independent_review=False), story.who.head)
    assert refused.value.rule_id == "board_decision.parents_told_of_review"


@pytest.mark.parametrize(("kind", "decide"), BOARD_DECISIONS)
def test_only_the_excluding_school_records_its_boards_decision(story: Story, kind: str, decide: str) -> None:
    exclusion = _excluded(story, kind)
    for caller in (story.who.provider, story.who.other_head, story.who.la):
        with pytest.raises(errors.OnlyHomeSchool):
            story.run(getattr(story.cmd, decide)(exclusion), caller)
    assert story.state.board_cases[exclusion].decision is None


@pytest.mark.parametrize("decide", ["uphold", "reinstate"])
def test_a_decision_is_not_moved_to_another_exclusion_by_an_amendment(story: Story, decide: str) -> None:
    exclusion = _excluded(story)
    decision = story.one(getattr(story.cmd, decide)(exclusion), story.who.head).record_id
    with pytest.raises(errors.FieldNotAmendable):
        story.run(story.cmd.amend(decision, {"exclusion_record_id": str(uuid4())}), story.who.head)
