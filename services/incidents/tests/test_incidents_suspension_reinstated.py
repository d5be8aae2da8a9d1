"""The governing board reinstates a suspension it had to consider (issue 16 follow-up; STATUTORY.md: over 5 school
days in a term): ``ReinstatePupil`` records SuspensionReinstated, once, by the excluding school; a suspension the
board need not consider is refused by its rule; the suspension keeps counting towards the yearly cap; an amended
meeting day is checked again; a refusal records nothing. Who may decide, on which exclusion and on which day is
tested for every decision on either kind of exclusion in test_incidents_board_decisions."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID

import pytest

from ap_contracts.events.pupil_vocabulary import academic_year_of
from ap_contracts.events.school_exclusions import SuspensionReinstated
from ap_incidents.domain import errors
from ap_incidents.domain.board_cases import BoardDecision

from .conftest import DAY, HOME_SCHOOL, Story
from .test_incidents_review_school_days import CalendarStory
from .test_incidents_suspension_school_days import CALENDARS


def _suspended(story: Story, half_days: int = 32) -> UUID:
    return story.excluded("suspend", duration_half_days=half_days)


def test_the_board_reinstates_a_suspension_it_had_to_consider(story: Story) -> None:
    suspension = _suspended(story)
    year = academic_year_of(DAY, story.rules.academic_year_start_month)
    counted = story.state.suspension_half_days_in(year)
    event = story.one(story.cmd.reinstate(suspension), story.who.head)
    assert isinstance(event, SuspensionReinstated)
    assert (event.exclusion_record_id, event.home_school_id, event.board_met_on) == (suspension, HOME_SCHOOL, DAY)
    assert story.state.board_cases[suspension].decision is BoardDecision.REINSTATED
    assert story.state.suspension_half_days_in(year) == counted == 32, "the days served still count"
    with pytest.raises(errors.BoardAlreadyDecided):
        story.run(story.cmd.uphold(suspension), story.who.head)


def test_a_suspension_the_board_need_not_consider_is_not_reinstated() -> None:
    story = CalendarStory(calendars=CALENDARS)
    suspension = _suspended(story, half_days=4)  # 2 school days: nothing asked of the board
    before = list(story.events)
    with pytest.raises(errors.SuspensionNotBeforeBoard) as refused:
        story.run(story.cmd.reinstate(suspension), story.who.head)
    assert refused.value.rule_id == "board_decision.suspension_before_board"
    assert story.events == before


def test_the_reinstatements_meeting_day_is_checked_again_when_amended(story: Story) -> None:
    suspension = _suspended(story)
    decision: UUID = story.one(story.cmd.reinstate(suspension), story.who.head).record_id
    before = list(story.events)
    for day, refusal in ((DAY - timedelta(days=1), errors.DatesOutOfOrder),
                         (story.now.date() + timedelta(days=1), errors.DatedInFuture)):
        with pytest.raises(refusal):
            story.run(story.cmd.amend(decision, {"board_met_on": day.isoformat()}), story.who.head)
    assert story.events == before
    assert date.fromisoformat(str(story.one(story.cmd.amend(decision, {"board_met_on": str(DAY)}),
                                            story.who.head).corrected_values["board_met_on"])) == DAY
