"""A pupil sent home for the rest of a day (issue 14; seed 002 appendices 2 and 3): recorded as what it is, an
unauthorised absence and not an exclusion, by the provision's staff for a day of the placement; refused before
the placement started or in the future, recording nothing."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import uuid4

import pytest

from ap_contracts.events.pupil_vocabulary import Session
from ap_contracts.events.sent_home import SentHomeReason, SentHomeRecorded
from ap_incidents.domain import command_models as c
from ap_incidents.domain.declarations import DECLARATIONS
from ap_incidents.domain.errors_base import DomainError

from .conftest import DAY, START, TODAY, Story


def _sent_home(story: Story, **kw: Any) -> c.RecordSentHome:
    return c.RecordSentHome(**{
        "command_id": uuid4(), "pupil_ref": story.pupil_ref, "placement_id": story.placement_id, "sent_on": DAY,
        "from_session": Session.AM, "reason": SentHomeReason.SUSPECTED_UNDER_INFLUENCE, "collected_by_parent": True,
    } | kw)


def test_the_provision_records_a_pupil_sent_home_with_its_reason_and_session(story: Story) -> None:
    story.placed()
    event = story.one(_sent_home(story, reason=SentHomeReason.REFUSED_SEARCH, from_session=Session.PM,
                                 collected_by_parent=False), story.who.provider)
    assert isinstance(event, SentHomeRecorded)
    assert (event.placement_id, event.sent_on, event.from_session, event.reason, event.collected_by_parent) == (
        story.placement_id, DAY, Session.PM, SentHomeReason.REFUSED_SEARCH, False)
    assert event.rule_version == story.rules.version


@pytest.mark.parametrize(("day", "rule"), [(START - timedelta(days=1), "record.within_placement"),
                                           (TODAY + timedelta(days=1), "record.not_in_future")])
def test_a_day_outside_the_placement_is_refused_and_records_nothing(story: Story, day: date, rule: str) -> None:
    story.placed()
    before = list(story.events)
    with pytest.raises(DomainError) as refused:
        story.run(_sent_home(story, sent_on=day), story.who.provider)
    assert refused.value.rule_id == rule
    assert story.events == before


def test_the_command_has_its_own_access_action() -> None:
    [declared] = [d for d in DECLARATIONS if d.model is c.RecordSentHome]
    assert (declared.action, declared.path, declared.emits) == ("incidents.record_sent_home", "sent-home",
                                                               (SentHomeRecorded,))
