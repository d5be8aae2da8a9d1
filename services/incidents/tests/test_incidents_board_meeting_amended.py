"""An amended meeting day of a governing board's decision (the generic AmendRecord, issue 16 follow-up) meets the
rules the decision met: not before the exclusion was made, not after today; a refusal records nothing, and a day
between the two is amended."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

import pytest

from ap_contracts.events.pupil_corrections import RecordAmended
from ap_incidents.domain import errors

from .conftest import DAY, Story


def _decided(story: Story, decide: str) -> UUID:
    story.registered()
    exclusion = story.one(story.cmd.exclude_permanently(), story.who.head).record_id
    decision: UUID = story.one(getattr(story.cmd, decide)(exclusion), story.who.head).record_id
    return decision


@pytest.mark.parametrize("decide", ["uphold", "reinstate"])
def test_an_amended_meeting_day_before_the_exclusion_is_refused(story: Story, decide: str) -> None:
    decision = _decided(story, decide)
    before = list(story.events)
    with pytest.raises(errors.DatesOutOfOrder) as refused:
        story.run(story.cmd.amend(decision, {"board_met_on": str(DAY - timedelta(days=1))}), story.who.head)
    assert "the board meeting" in str(refused.value)
    assert story.events == before


@pytest.mark.parametrize("decide", ["uphold", "reinstate"])
def test_an_amended_meeting_day_after_today_is_refused(story: Story, decide: str) -> None:
    decision = _decided(story, decide)
    before = list(story.events)
    tomorrow = story.now.date() + timedelta(days=1)
    with pytest.raises(errors.DatedInFuture):
        story.run(story.cmd.amend(decision, {"board_met_on": tomorrow.isoformat()}), story.who.head)
    assert story.events == before


@pytest.mark.parametrize("decide", ["uphold", "reinstate"])
def test_a_meeting_day_between_the_exclusion_and_today_is_amended(story: Story, decide: str) -> None:
    decision = _decided(story, decide)
    today = story.now.date().isoformat()
    event = story.one(story.cmd.amend(decision, {"board_met_on": today}), story.who.head)
    assert isinstance(event, RecordAmended)
    assert event.corrected_values == {"board_met_on": today}
