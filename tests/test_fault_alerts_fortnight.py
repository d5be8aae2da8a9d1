"""Issue 14, what it must show: the scripted fortnight through the public APIs survives its faults, every message
delivered once.

The fortnight of ``tests/test_e2e_alerts_fortnight.py`` again, with faults: the notifications worker SIGKILLed while
it is sending day 9's alerts and started again; (second test) the SMTP server stopped when day 6's first escalation
steps and day 9's digests fall due, started again on the same port, and the checks' next runs five minutes on
deliver them before anything later is due; (third test) the SMTP server stopped on the morning of day 6, so the
urgent alerts sent at once fail (recorded NotificationDeliveryFailed, will_retry) until it is started again and the
periodic check's next run sends them. Each address must still end with exactly ``fortnight.EXPECTED``, once each in
its mailbox (a mail system drops a repeated Message-ID; how often SMTP was handed a repeat is printed).
"""

from __future__ import annotations

import os
import signal
from collections.abc import Awaitable, Callable

import pytest

from ap_testing.notifications import fortnight as f

pytestmark = pytest.mark.fault  # the worker is SIGKILLed, the SMTP server stopped (ap_testing.levels)

NewDatabase = Callable[[str], Awaitable[str]]
NewTopic = Callable[..., Awaitable[str]]
UNDELIVERED = "SELECT count(*) FROM notification_deliveries WHERE delivered_at IS NULL AND attempts > 0"


async def kill_while_sending(fortnight: f.Fortnight, n: int) -> None:
    """Day n recorded; the worker SIGKILLed once it has recorded the day's first alert, then started again."""
    stage = fortnight.stage
    recorded = await fortnight.record(n, wait=False)

    async def sending() -> bool:
        return any(s.cause in recorded for s in await f.notifications_sent(stage.pool))

    await f.until(sending, f"day {n}'s first alert recorded", stage)
    os.kill(stage.worker.popen.pid, signal.SIGKILL)
    assert stage.worker.popen.wait(10) == -signal.SIGKILL
    stage.start_worker()
    await stage.applied(recorded)
    await fortnight.acknowledge(n)
    await fortnight.escalations(n)
    await fortnight.digests(n)


async def tried_while_down(fortnight: f.Fortnight, checks: Callable[[], Awaitable[None]]) -> None:
    """The SMTP server stopped while ``checks`` run: what they send fails; then it starts again on the same port."""
    stage = fortnight.stage
    await stage.smtp.stop()
    await checks()
    assert await stage.pool.fetchval(UNDELIVERED) >= 1, "a step or a digest was tried while the server was down"
    await stage.smtp.start()


async def smtp_down_at_first_checks(fortnight: f.Fortnight, n: int) -> None:
    """The SMTP server is down when day 6's first escalation steps (15:30) and day 9's digests (17:00) fall due:
    they fail, and the CronJobs' next runs, five minutes on, deliver them once, before the next step is due."""
    stage = fortnight.stage
    await fortnight.record(n)
    await fortnight.acknowledge(n)
    if n == 6:
        await tried_while_down(fortnight, lambda: fortnight.escalations(n, steps=(1,)))
        stage.clock.set(f.at(f.day(n), 15, 35))
        await stage.check("escalation_check")
        await stage.check("digest_check")  # the periodic check that sends what waits for a retry
        await fortnight.escalations(n, steps=(2, 3, 4, 4))
        await fortnight.digests(n)
    else:
        await fortnight.escalations(n)
        await tried_while_down(fortnight, lambda: fortnight.digests(n))
        await fortnight.digests(n, minutes_late=5)


async def smtp_down_while_sending_at_once(fortnight: f.Fortnight, n: int) -> None:
    """Day n's urgent alerts sent at once while the server is down fail (will_retry); the periodic check's next
    run, five minutes on, sends them once the server is back."""
    stage = fortnight.stage
    await stage.smtp.stop()
    await fortnight.record(n)
    failed = await stage.pool.fetchval("SELECT count(*) FROM events WHERE event_type = 'NotificationDeliveryFailed'"
                                       " AND (payload->>'will_retry')::boolean")
    assert failed == 3, "the concern's three alerts were each tried once and held for a retry"
    await stage.smtp.start()  # the same port again
    stage.clock.set(f.at(f.day(n), 15, 5))
    await stage.check("digest_check")
    await fortnight.acknowledge(n)
    await fortnight.escalations(n)
    await fortnight.digests(n)


async def the_faulty_fortnight(new_database: NewDatabase, new_topic: NewTopic, kafka_bootstrap: str,
                               fault: Callable[[f.Fortnight, int], Awaitable[None]], on: tuple[int, ...]) -> None:
    """The fortnight with ``fault`` playing the days ``on``; every other day as in the e2e test."""
    async with f.open_stage(new_database, new_topic, kafka_bootstrap, f.at(f.day(1), 15)) as stage:
        stage.start_worker()
        fortnight = f.Fortnight(stage)
        for n in f.DAYS:
            await (fault(fortnight, n) if n in on else fortnight.whole_day(n))
        sent = await f.notifications_sent(stage.pool)
        boxes = await f.labelled(stage.pool, stage.smtp.mailbox())
        report = stage.report()

    print(f"messages handed to SMTP again: {len(stage.smtp.handed) - len(stage.smtp.mailbox())}")
    assert boxes == f.EXPECTED, report
    assert len(sent) == len({s.notification_id for s in sent}) == f.NOTIFICATIONS_SENT


async def test_the_worker_killed_while_sending_still_delivers_each_message_once(
    new_database: NewDatabase, new_topic: NewTopic, kafka_bootstrap: str,
) -> None:
    await the_faulty_fortnight(new_database, new_topic, kafka_bootstrap, kill_while_sending, on=(9,))


async def test_the_smtp_server_down_when_escalations_and_digests_fall_due_delays_them_and_sends_each_once(
    new_database: NewDatabase, new_topic: NewTopic, kafka_bootstrap: str,
) -> None:
    await the_faulty_fortnight(new_database, new_topic, kafka_bootstrap, smtp_down_at_first_checks, on=(6, 9))


async def test_the_smtp_server_down_while_alerts_are_sent_at_once_delays_them_and_sends_each_once(
    new_database: NewDatabase, new_topic: NewTopic, kafka_bootstrap: str,
) -> None:
    await the_faulty_fortnight(new_database, new_topic, kafka_bootstrap, smtp_down_while_sending_at_once, on=(6,))
