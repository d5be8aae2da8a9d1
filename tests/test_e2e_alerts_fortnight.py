"""Issue 14, what it must show: a scripted fortnight through the public APIs, each recipient's messages exactly, once,
in order.

Two provisions (North, South) and three home schools place three pupils, one of them looked after by another
local authority (``ap_testing.notifications.fortnight``). Day by day the people send their requests to the
incidents API and the notifications API (OS processes, tokens minted for each person): organisations registered,
escalation chains set by the heads, pupils referred and placed, incidents at and below thresholds, a threshold
raised, an urgent safeguarding concern nobody acknowledges and one a DSL acknowledges, force used, two suspensions
(the looked-after child's and another's), a managed move. The incidents relay publishes to Kafka, the notifications
worker sends by SMTP to a local SMTP server with daily digests; the escalation and digest checks run as processes.
Every process reads its time from one clock file the test moves through the fortnight: nothing is back-dated,
nothing sleeps for wall time to pass.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from ap_testing.notifications import fortnight as f

pytestmark = pytest.mark.e2e

NewDatabase = Callable[[str], Awaitable[str]]


# The expected messages, address by address with the reason for each, are f.EXPECTED.


async def test_a_fortnight_of_alerts_reaches_each_recipient_exactly_once_in_order(
    new_database: NewDatabase, new_topic: Callable[..., Awaitable[str]], kafka_bootstrap: str,
) -> None:
    async with f.open_stage(new_database, new_topic, kafka_bootstrap, f.at(f.day(1), 15)) as stage:
        stage.start_worker()
        fortnight = f.Fortnight(stage)
        for n in f.DAYS:
            await fortnight.whole_day(n)
        await fortnight.digests(10, minutes_late=5)  # the CronJob's next run sends nothing again
        sent = await f.notifications_sent(stage.pool)
        boxes = await f.labelled(stage.pool, stage.smtp.mailbox())
        report = stage.report()

    assert boxes == f.EXPECTED, report
    assert len(stage.smtp.handed) == len(stage.smtp.mailbox()), "a message was handed to SMTP twice"
    assert not {s.cause for s in sent} & fortnight.quiet_event_ids(), "an alert about a request no rule fires for"
    assert len(sent) == len({s.notification_id for s in sent}) == f.NOTIFICATIONS_SENT
