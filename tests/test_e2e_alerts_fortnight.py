"""Issue 14, what it must show: a scripted fortnight of alerts, each recipient's messages exactly, once, in order.

Two provisions (North, South) and three home schools place three pupils (``ap_testing.notifications.fortnight``).
The facts are recorded day by day with the day they were recorded: thresholds crossed and not crossed, an
urgent safeguarding concern nobody acknowledges, a managed move. They go through the real event store, the
relay, Kafka and the notifications worker process, which sends by SMTP to a local SMTP server under a digest
schedule (16:00 London, quiet hours off); the escalation and digest checks run as processes at a chosen
``--now``. Nothing sleeps for wall time to pass.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta

import pytest

from ap_testing.notifications import fortnight as f

pytestmark = pytest.mark.e2e

NewDatabase = Callable[[str], Awaitable[str]]


# The expected messages, address by address with the reason for each, are f.EXPECTED.


async def test_a_fortnight_of_alerts_reaches_each_recipient_exactly_once_in_order(
    new_database: NewDatabase, new_topic: Callable[..., Awaitable[str]], kafka_bootstrap: str,
) -> None:
    script = f.the_fortnight(f.Pupils())
    quiet = [event for n in (0, 1, 3, 4) for event in script[n][1]]
    async with f.open_stage(new_database, new_topic, kafka_bootstrap) as stage:
        stage.start_worker()
        for on, events in script:
            await stage.record_day(on, events)
        sent = await f.notifications_sent(stage.pool)
        last_sent = max(s.sent_at for s in sent)
        for step in (1, 2, 3, 4, 4):  # the last check run twice: a repeated run sends nothing
            await stage.check("escalation_check", last_sent + step * f.ESCALATION_DEADLINE)
        for _ in range(2):
            await stage.check("digest_check", last_sent + timedelta(days=1))
        boxes = await f.labelled(stage.pool, stage.smtp.mailbox())
        report = f.report(stage)

    assert boxes == f.EXPECTED, report
    assert len(stage.smtp.handed) == len(stage.smtp.mailbox()), "a message was handed to SMTP twice"
    assert not {s.cause for s in sent} & {str(getattr(e, "record_id")) for e in quiet}
    assert len(sent) == len({s.notification_id for s in sent}) == 13
