"""When an alert is delivered (issue 14) as pure functions: at once, in a daily digest, or after quiet hours.

Unit level: no server. Rules: schedule.digest, schedule.urgent_at_once, schedule.quiet_hours
(``domain/digest.py``, ``domain/quiet_hours.py``).
"""

from __future__ import annotations

from datetime import UTC, datetime, time
from uuid import uuid4
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from ap_contracts.events.notifications import Audience
from ap_notifications.domain.alerts import Priority
from ap_notifications.domain.digest import DeliverySchedule, Timing, digest_id, next_digest_at, when_to_deliver
from ap_notifications.domain.digest_messages import DigestLine, render_digest
from ap_notifications.domain.quiet_hours import QuietHours

pytestmark = pytest.mark.unit

LONDON = ZoneInfo("Europe/London")
SCHEDULE = DeliverySchedule()


def london(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=LONDON)


@pytest.mark.parametrize(("at", "quiet"), [
    (london(2, 20, 59), False), (london(2, 21, 0), True), (london(2, 23, 30), True), (london(3, 0, 0), True),
    (london(3, 6, 59), True), (london(3, 7, 0), False), (london(3, 12, 0), False),
])
def test_quiet_hours_run_from_nine_at_night_to_seven_in_the_morning_london_time(at: datetime, quiet: bool) -> None:
    assert QuietHours().holds(at) is quiet
    assert QuietHours().holds(at.astimezone(UTC)) is quiet  # the same moment however it is written


def test_quiet_hours_end_at_seven_local_time_across_the_clock_change() -> None:
    # The clocks go forward on 29 March 2026: 07:00 in London is 06:00 UTC that morning, 07:00 UTC the day before.
    assert QuietHours().end_after(london(28, 22)).astimezone(UTC) == datetime(2026, 3, 29, 6, 0, tzinfo=UTC)
    assert QuietHours().end_after(london(27, 22)).astimezone(UTC) == datetime(2026, 3, 28, 7, 0, tzinfo=UTC)


def test_quiet_hours_that_begin_and_end_together_are_refused() -> None:
    with pytest.raises(ValidationError, match="same time"):
        QuietHours(start=time(7), end=time(7))


@pytest.mark.parametrize(("audience", "priority", "at", "timing", "due"), [
    # schedule.urgent_at_once: urgent goes at once, to parents in quiet hours too.
    (Audience.PARENT, Priority.URGENT, london(2, 22), Timing.NOW, None),
    (Audience.HOME_SCHOOL, Priority.URGENT, london(2, 22), Timing.NOW, None),
    # schedule.quiet_hours: a parent's high-priority message at night waits for seven; in the day it goes at once.
    (Audience.PARENT, Priority.HIGH, london(2, 22), Timing.HELD, london(3, 7)),
    (Audience.PARENT, Priority.HIGH, london(3, 6, 30), Timing.HELD, london(3, 7)),
    (Audience.PARENT, Priority.HIGH, london(2, 12), Timing.NOW, None),
    (Audience.HOME_SCHOOL, Priority.HIGH, london(2, 22), Timing.NOW, None),
    # schedule.digest: normal and info alerts wait for the next 16:00 digest.
    (Audience.HOME_SCHOOL, Priority.NORMAL, london(2, 9), Timing.DIGEST, london(2, 16)),
    (Audience.COMMISSIONER, Priority.INFO, london(2, 16), Timing.DIGEST, london(3, 16)),
    (Audience.PARENT, Priority.INFO, london(2, 22), Timing.DIGEST, london(3, 16)),
])
def test_when_an_alert_is_delivered(audience: Audience, priority: Priority, at: datetime, timing: Timing,
                                    due: datetime | None) -> None:
    when = when_to_deliver(SCHEDULE, audience, priority, at)
    assert (when.timing, when.due_at) == (timing, due)


def test_without_a_schedule_everything_goes_at_once() -> None:
    assert when_to_deliver(None, Audience.PARENT, Priority.INFO, london(2, 23)).timing is Timing.NOW


def test_a_parents_digest_due_in_quiet_hours_waits_for_their_end_and_a_schools_does_not() -> None:
    late = DeliverySchedule(digest_time=time(21, 30))
    assert next_digest_at(late, Audience.PARENT, london(2, 12)) == london(3, 7)
    assert next_digest_at(late, Audience.HOME_SCHOOL, london(2, 12)) == london(2, 21, 30)


def test_a_digest_is_named_by_its_recipient_and_its_time_however_the_time_is_written() -> None:
    due = london(2, 16)
    assert digest_id("school-a", Audience.HOME_SCHOOL, due) == digest_id("school-a", Audience.HOME_SCHOOL,
                                                                         due.astimezone(UTC))
    assert digest_id("school-a", Audience.HOME_SCHOOL, due) != digest_id("school-b", Audience.HOME_SCHOOL, due)
    assert digest_id("school-a", Audience.HOME_SCHOOL, due) != digest_id("school-a", Audience.DSL, due)


def test_a_digest_lists_each_alert_by_subject_reference_and_link_only() -> None:
    refs = [uuid4(), uuid4()]
    message = render_digest([DigestLine("Placement ended", refs[0], "/pupils/a/placements/b"),
                             DigestLine("Reward achieved", refs[1], "/pupils/c/records/d")])
    assert message.subject == "Daily digest: 2 alerts"
    assert message.body.splitlines() == [
        "2 alerts since your last digest:",
        f"- Placement ended (pupil reference {refs[0]}): /pupils/a/placements/b",
        f"- Reward achieved (pupil reference {refs[1]}): /pupils/c/records/d",
    ]
