"""Issue 14, what it must show: the scripted fortnight survives its faults, every message delivered once.

The fortnight of ``tests/test_e2e_alerts_fortnight.py`` again, with faults: the notifications worker
SIGKILLed while it is sending day 9's alerts and started again; and (second test) the SMTP server stopped
when the first escalation step and the digests fall due, and started again on the same port. Each address
must still end with exactly ``fortnight.EXPECTED``, once each in its mailbox (a mail system drops a repeated
Message-ID; how often SMTP was handed a repeat is printed).

Third test: the SMTP server stopped from day 1 until the end of the first day an alert was sent at once (and
failed), then started again; each such alert is recorded NotificationDeliveryFailed (will_retry true) and sent
by the periodic check's next run.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

import pytest

from ap_testing.notifications import fortnight as f

pytestmark = pytest.mark.fault  # the worker is SIGKILLed, the SMTP server stopped (ap_testing.levels)

NewDatabase = Callable[[str], Awaitable[str]]
NewTopic = Callable[..., Awaitable[str]]


async def kill_while_sending(stage: f.Stage, day_9: f.Day, day_10: f.Day) -> None:
    """Days 9 and 10 recorded together; the worker SIGKILLed once it has recorded day 9's first alert."""
    await stage.record_day(*day_9, wait=False)
    await stage.record_day(*day_10, wait=False)
    causes = {str(getattr(e, "record_id")) for e in day_9[1]}

    async def sending_day_9() -> bool:
        return any(s.cause in causes for s in await f.notifications_sent(stage.pool))

    await f.until(sending_day_9, "day 9's first alert recorded", [stage.worker])
    os.kill(stage.worker.popen.pid, signal.SIGKILL)
    assert stage.worker.popen.wait(10) == -signal.SIGKILL
    stage.start_worker()
    await stage.applied(day_9[1] + day_10[1])


async def the_faulty_fortnight(new_database: NewDatabase, new_topic: NewTopic, kafka_bootstrap: str, *,
                               smtp_down_at_first_checks: bool, smtp_down_until_an_alert_fails: bool = False) -> None:
    script = f.the_fortnight(f.Pupils())
    async with f.open_stage(new_database, new_topic, kafka_bootstrap) as stage:
        stage.start_worker()
        if smtp_down_until_an_alert_fails:
            await stage.smtp.stop()
        for on, events in script[:7]:
            await stage.record_day(on, events)
            if not stage.smtp.running and await stage.pool.fetchval(
                    "SELECT count(*) FROM notification_deliveries WHERE delivered_at IS NULL AND attempts > 0"):
                await stage.smtp.start()  # the same port again, after that day's at-once alerts failed
                # The periodic check's next run (the worker's clock is the wall clock; the digests are 12h away).
                await stage.check("digest_check", datetime.now(UTC) + timedelta(minutes=5))
        assert stage.smtp.running, "an alert was sent at once while the server was down"
        await kill_while_sending(stage, script[7], script[8])

        sent = await f.notifications_sent(stage.pool)
        last_sent = max(s.sent_at for s in sent)
        first_step, digest_time = last_sent + f.ESCALATION_DEADLINE, last_sent + timedelta(days=1)
        if smtp_down_at_first_checks:
            # The relay is down when step 1 is due and when the digests are due: both fail, and the same
            # checks run again once it is back (a CronJob's next run) deliver them, once.
            await stage.smtp.stop()
            await stage.check("escalation_check", first_step)
            await stage.check("digest_check", digest_time)
            failed = await stage.pool.fetchval(
                "SELECT count(*) FROM notification_deliveries WHERE delivered_at IS NULL AND attempts > 0")
            assert failed >= 2, "the step and the digests were tried while the server was down"
            await stage.smtp.start()  # the same port again
        for step in (1, 2, 3, 4):
            await stage.check("escalation_check", last_sent + step * f.ESCALATION_DEADLINE)
        await stage.check("digest_check", digest_time + timedelta(minutes=5))
        boxes = await f.labelled(stage.pool, stage.smtp.mailbox())
        report = f.report(stage)

    print(f"messages handed to SMTP again after the kill: {len(stage.smtp.handed) - len(stage.smtp.mailbox())}")
    assert boxes == f.EXPECTED, report
    assert len(sent) == len({s.notification_id for s in sent}) == 13


async def test_the_worker_killed_while_sending_still_delivers_each_message_once(
    new_database: NewDatabase, new_topic: NewTopic, kafka_bootstrap: str,
) -> None:
    await the_faulty_fortnight(new_database, new_topic, kafka_bootstrap, smtp_down_at_first_checks=False)


async def test_the_smtp_server_down_when_escalations_and_digests_fall_due_delays_them_and_sends_each_once(
    new_database: NewDatabase, new_topic: NewTopic, kafka_bootstrap: str,
) -> None:
    await the_faulty_fortnight(new_database, new_topic, kafka_bootstrap, smtp_down_at_first_checks=True)


async def test_the_smtp_server_down_while_alerts_are_sent_at_once_delays_them_and_sends_each_once(
    new_database: NewDatabase, new_topic: NewTopic, kafka_bootstrap: str,
) -> None:
    await the_faulty_fortnight(new_database, new_topic, kafka_bootstrap, smtp_down_at_first_checks=False,
                               smtp_down_until_an_alert_fails=True)
