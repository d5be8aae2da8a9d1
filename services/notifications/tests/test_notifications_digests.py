"""Daily digests and quiet hours (issue 14) driven by a controllable clock, on real PostgreSQL.

The dispatcher records each alert at the clock's time; ``entrypoints/digest_check.py`` runs at chosen times,
in this process and as a fresh process (a restart). Urgent alerts go at once; normal and info ones go in one
digest per recipient at 16:00, each alert in exactly one digest, once; a parent's high-priority message
recorded at night is sent once at seven.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime
from pathlib import Path
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import pytest
import pytest_asyncio

from ap_contracts.events.notifications import Audience
from ap_notifications.adapters.held_messages import PostgresHeldMessages
from ap_notifications.application.digests import HeldRelease
from ap_notifications.domain.alerts import Alert, Priority
from ap_notifications.domain.digest import DeliverySchedule
from ap_notifications.entrypoints.bootstrap import NotificationServices
from ap_notifications.entrypoints.digest_check import send_due
from ap_testing.notifications.builders import COMMISSIONER, HOME_SCHOOL
from ap_testing.notifications.checks import check_succeeds, services_with_check_env
from ap_testing.store_reads import read_everything_stored

pytestmark = pytest.mark.integration

LONDON = ZoneInfo("Europe/London")
FAMILY = "family-of-pupil"


def london(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=LONDON)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def alert(template: str, audience: Audience, recipient: str, priority: Priority) -> Alert:
    return Alert(rule_name=template, audience=audience, recipient_organisation_id=recipient, pupil_ref=uuid4(),
                 cause_event_id=uuid4(), cause_event_type="PlacementEnded", template_id=template, priority=priority,
                 link_path=f"/pupils/{uuid4()}/placements/{uuid4()}")


Scheduled = tuple[NotificationServices, Clock, dict[str, str], Path]


@pytest_asyncio.fixture(loop_scope="session")
async def scheduled(new_database: Callable[[str], Awaitable[str]], kafka_bootstrap: str,
                    tmp_path: Path) -> AsyncIterator[Scheduled]:
    outbox = tmp_path / "outbox"
    schedule_file = tmp_path / "schedule.json"
    schedule_file.write_text(DeliverySchedule().model_dump_json(), encoding="utf-8")
    clock = Clock(london(2, 9))
    async with services_with_check_env(new_database, kafka_bootstrap, outbox, "digest",
                                       extra_env={"AP_NOTIFY_SCHEDULE_FILE": str(schedule_file)},
                                       clock=clock, schedule=DeliverySchedule()) as (services, env):
        yield services, clock, env, outbox


async def check_in_a_new_process(env: dict[str, str], now: datetime) -> None:
    await check_succeeds("digest_check", env, "--now", now.isoformat())


def outbox_files(outbox: Path) -> dict[str, int]:
    """Message file name -> inode (a message delivered again is written to a new inode)."""
    if not outbox.exists():
        return {}
    return {p.name: p.stat().st_ino for p in outbox.iterdir() if not p.name.startswith(".tmp-")}


def message(outbox: Path, message_id: UUID) -> dict[str, object]:
    loaded: dict[str, object] = json.loads((outbox / f"{message_id}.json").read_text())
    return loaded


async def test_normal_alerts_wait_for_one_daily_digest_per_recipient_and_urgent_ones_do_not(
    scheduled: Scheduled,
) -> None:
    services, clock, env, outbox = scheduled
    send = services.dispatcher.dispatch
    first_alert = alert("placement_ended", Audience.HOME_SCHOOL, HOME_SCHOOL, Priority.NORMAL)
    school_normal = [await send(first_alert, uuid4()),
                     await send(alert("placement_ended", Audience.HOME_SCHOOL, HOME_SCHOOL, Priority.NORMAL), uuid4())]
    commissioner_info = await send(alert("placement_ended", Audience.COMMISSIONER, COMMISSIONER, Priority.INFO),
                                   uuid4())
    urgent = await send(alert("physical_intervention", Audience.HOME_SCHOOL, HOME_SCHOOL, Priority.URGENT), uuid4())
    assert urgent.delivered_now and not any(d.delivered_now for d in [*school_normal, commissioner_info])
    assert set(outbox_files(outbox)) == {f"{urgent.notification_id}.json"}

    assert await send_due(services, london(2, 15, 59)) == []
    digests = await send_due(services, london(2, 16))
    by_recipient = {d.batch.recipient_organisation_id: d for d in digests}
    assert sorted(by_recipient) == [COMMISSIONER, HOME_SCHOOL]
    assert by_recipient[HOME_SCHOOL].notification_ids == tuple(d.notification_id for d in school_normal)
    assert by_recipient[COMMISSIONER].notification_ids == (commissioner_info.notification_id,)
    school_digest = message(outbox, by_recipient[HOME_SCHOOL].batch.batch_id)
    assert school_digest["subject"] == "Daily digest: 2 alerts" and school_digest["audience"] == "home_school"
    sent_today = outbox_files(outbox)
    assert len(sent_today) == 3  # the urgent alert and two digests

    # A restarted check (a new process) and a second one in this process later the same day send nothing again.
    await check_in_a_new_process(env, london(2, 16, 5))
    assert await send_due(services, london(2, 18)) == []
    assert outbox_files(outbox) == sent_today

    # An alert recorded after the digest went belongs to tomorrow's; so does one recorded just before 16:00 whose
    # digest closed before it was held (the two raced): it is not lost and not sent twice.
    clock.now = london(2, 16, 30)
    late = await send(alert("placement_ended", Audience.HOME_SCHOOL, HOME_SCHOOL, Priority.NORMAL), uuid4())
    clock.now = london(2, 15, 59)
    raced = await send(alert("placement_ended", Audience.HOME_SCHOOL, HOME_SCHOOL, Priority.NORMAL), uuid4())
    assert await send_due(services, london(3, 15, 59)) == []
    tomorrow = await send_due(services, london(3, 16))
    assert [(d.batch.recipient_organisation_id, d.notification_ids) for d in tomorrow] == [
        (HOME_SCHOOL, (late.notification_id, raced.notification_id))]

    # Redelivering an alert already digested (a replayed cause) holds and sends nothing new.
    clock.now = london(3, 17)
    everything = outbox_files(outbox)
    await send(alert("placement_ended", Audience.HOME_SCHOOL, HOME_SCHOOL, Priority.NORMAL), uuid4())  # a new one
    replayed = await send(first_alert, uuid4())
    assert not replayed.newly_recorded and not replayed.delivered_now
    following = await send_due(services, london(4, 16))
    assert len(following) == 1 and school_normal[0].notification_id not in following[0].notification_ids
    assert {k: v for k, v in outbox_files(outbox).items() if k in everything} == everything
    # Once its digest went, no copy of an alert's message is kept beside the ledger.
    assert await services.pool.fetchval("SELECT count(*) FROM notification_held") == 0


async def test_a_parent_is_not_messaged_in_quiet_hours_except_for_urgent_matters(scheduled: Scheduled) -> None:
    services, clock, env, outbox = scheduled
    send = services.dispatcher.dispatch
    clock.now = london(2, 22)
    held = await send(alert("physical_intervention", Audience.PARENT, FAMILY, Priority.HIGH), uuid4())
    urgent = await send(alert("physical_intervention", Audience.PARENT, FAMILY, Priority.URGENT), uuid4())
    school = await send(alert("physical_intervention", Audience.HOME_SCHOOL, HOME_SCHOOL, Priority.HIGH), uuid4())
    assert (held.newly_recorded, held.delivered_now) == (True, False)
    assert urgent.delivered_now and school.delivered_now  # urgent matters, and a school, at once
    assert f"{held.notification_id}.json" not in outbox_files(outbox)

    assert await send_due(services, london(3, 6, 59)) == []
    await check_in_a_new_process(env, london(3, 7))  # quiet hours end: the held message goes, from a new process
    first = outbox_files(outbox)
    assert f"{held.notification_id}.json" in first
    assert message(outbox, held.notification_id)["recipient_organisation_id"] == FAMILY
    assert await send_due(services, london(3, 7, 5)) == []
    await check_in_a_new_process(env, london(3, 8))
    assert outbox_files(outbox) == first  # sent once

    clock.now = london(3, 12)
    daytime = await send(alert("physical_intervention", Audience.PARENT, FAMILY, Priority.HIGH), uuid4())
    assert daytime.delivered_now


async def test_a_held_message_whose_delivery_fails_is_tried_at_the_next_check_and_given_up_after_the_bound(
    scheduled: Scheduled,
) -> None:
    services, clock, _, outbox = scheduled
    release = HeldRelease(services.dispatcher, PostgresHeldMessages(services.pool), max_attempts=2)
    send = services.dispatcher.dispatch
    first_school = await send(alert("physical_intervention", Audience.HOME_SCHOOL, HOME_SCHOOL, Priority.HIGH),
                              uuid4())  # at once: the outbox exists from here on
    clock.now = london(2, 22)
    retried = await send(alert("physical_intervention", Audience.PARENT, FAMILY, Priority.HIGH), uuid4())
    clock.now = london(3, 22)
    abandoned = await send(alert("physical_intervention", Audience.PARENT, FAMILY, Priority.HIGH), uuid4())
    assert first_school.delivered_now and not retried.delivered_now and not abandoned.delivered_now

    aside = outbox.with_name("outbox-aside")
    outbox.rename(aside)
    outbox.write_text("not a directory")  # the channel fails
    assert await release.release(london(3, 7), uuid4()) == []
    outbox.unlink()
    aside.rename(outbox)
    assert [r.notification_ids for r in await release.release(london(3, 7, 5), uuid4())] == [
        (retried.notification_id,)]

    outbox.rename(aside)
    outbox.write_text("not a directory")
    assert await release.release(london(4, 7), uuid4()) == []
    assert await release.release(london(4, 7, 5), uuid4()) == []  # the second failure: given up
    outbox.unlink()
    aside.rename(outbox)
    assert await release.release(london(4, 7, 10), uuid4()) == []
    assert f"{abandoned.notification_id}.json" not in outbox_files(outbox)
    assert await services.pool.fetchval("SELECT count(*) FROM notification_held") == 0
    stored = await read_everything_stored(services.store)
    failures = Counter(e.payload["notification_id"] for e in stored if e.event_type == "NotificationDeliveryFailed")
    assert failures == Counter({str(retried.notification_id): 1, str(abandoned.notification_id): 2})
