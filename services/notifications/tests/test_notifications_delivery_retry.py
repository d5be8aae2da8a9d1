"""An alert whose delivery at once failed is tried again, with backoff, then given up (issue 14 guarantee:
delivery retried with backoff and dead-lettered after a bound; ``domain/delivery_retry.py``).

Real PostgreSQL and the local SMTP server (``ap_testing.smtp_server``), which is stopped to stand for a relay
that is down; the periodic check (``entrypoints/digest_check.send_due``) runs at chosen times of a
controllable clock, from two checks at once and from a restarted process.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest
import pytest_asyncio

from ap_contracts.events.notifications import Audience
from ap_notifications.adapters.smtp import SmtpDelivery, SmtpSettings
from ap_notifications.domain.alerts import Alert, Priority
from ap_notifications.domain.digest import DeliverySchedule
from ap_notifications.entrypoints.bootstrap import NotificationServices, open_services
from ap_notifications.entrypoints.digest_check import send_due
from ap_notifications.entrypoints.settings import NotificationSettings
from ap_runtime.privacy import KeyStore, PersonalDataCodec
from ap_testing.notifications.builders import HOME_SCHOOL
from ap_testing.privacy import random_ring
from ap_testing.smtp_server import LocalSmtpServer
from ap_testing.store_reads import read_everything_stored

pytestmark = pytest.mark.integration

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)  # a Monday morning: no quiet hours, no digest due
DIRECTORY = {HOME_SCHOOL: {"default": "office@home-school.example"}}


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def urgent_alert(recipient: str = HOME_SCHOOL) -> Alert:
    return Alert(rule_name="physical_intervention", audience=Audience.HOME_SCHOOL,
                 recipient_organisation_id=recipient, pupil_ref=uuid4(), cause_event_id=uuid4(),
                 cause_event_type="PhysicalInterventionRecorded", template_id="physical_intervention",
                 priority=Priority.URGENT, link_path=f"/pupils/{uuid4()}/incidents/{uuid4()}")


Opener = Callable[[DeliverySchedule], Awaitable[tuple[NotificationServices, Clock]]]


@pytest_asyncio.fixture(loop_scope="session")
async def relay() -> AsyncIterator[LocalSmtpServer]:
    server = await LocalSmtpServer().start()
    yield server
    await server.stop()


@pytest_asyncio.fixture(loop_scope="session")
async def open_notifications(new_database: Callable[[str], Awaitable[str]], kafka_bootstrap: str, tmp_path: Path,
                             relay: LocalSmtpServer) -> AsyncIterator[Opener]:
    """Opens the notifications services on one database, as many times as a test restarts them."""
    ring, _ = random_ring("mk-retry")
    keys_dsn, dsn = await new_database("retry_keys"), await new_database("retry_notif")
    keys = await KeyStore.open(keys_dsn, ring, cache_ttl_seconds=0)
    opened: list[NotificationServices] = []

    async def open_one(schedule: DeliverySchedule) -> tuple[NotificationServices, Clock]:
        clock = Clock(T0)
        settings = NotificationSettings(dsn=dsn, kafka_bootstrap=kafka_bootstrap, outbox_dir=tmp_path / "outbox")
        delivery = SmtpDelivery(SmtpSettings(host=relay.host, port=relay.port, timeout_seconds=5), DIRECTORY)
        services = await open_services(settings, codec=PersonalDataCodec(keys), delivery=delivery, clock=clock,
                                       schedule=schedule)
        opened.append(services)
        return services, clock

    yield open_one
    for services in opened:
        await services.close()
    await keys.close()


async def failures_of(services: NotificationServices, notification_id: UUID) -> list[dict[str, Any]]:
    stored = await read_everything_stored(services.store)
    return [e.payload for e in stored if e.event_type == "NotificationDeliveryFailed"
            and e.payload["notification_id"] == str(notification_id)]


async def test_an_urgent_alert_sent_while_the_relay_is_down_is_delivered_once_after_it_restarts(
    open_notifications: Opener, relay: LocalSmtpServer,
) -> None:
    services, clock = await open_notifications(DeliverySchedule())
    await relay.stop()
    alert = urgent_alert()
    sent = await services.dispatcher.dispatch(alert, uuid4())
    assert sent.newly_recorded and not sent.delivered_now
    [failure] = await failures_of(services, sent.notification_id)
    assert (failure["failure"], failure["attempt"], failure["will_retry"]) == ("unreachable", 1, True)

    await relay.start()
    assert await send_due(services, T0 + timedelta(seconds=30)) == []  # the first backoff step is a minute
    assert relay.handed == []

    # Two checks at once, each on its own connections: one claims the alert, the other finds it taken.
    at = T0 + timedelta(minutes=1)
    first, second = await asyncio.gather(send_due(services, at), send_due(services, at))
    assert sorted(len(r) for r in (first, second)) == [0, 1]
    assert [m.message_id for m in relay.handed] == [f"<{sent.notification_id}@ap-platform>"]

    # A replayed cause and later checks send nothing again.
    clock.now = at + timedelta(minutes=1)
    replayed = await services.dispatcher.dispatch(alert, uuid4())
    assert not replayed.newly_recorded and not replayed.delivered_now
    assert await send_due(services, T0 + timedelta(hours=2)) == []
    assert len(relay.handed) == 1
    assert len(await failures_of(services, sent.notification_id)) == 1


async def test_a_replay_while_a_retry_waits_leaves_the_sending_to_the_retry(
    open_notifications: Opener, relay: LocalSmtpServer,
) -> None:
    services, _ = await open_notifications(DeliverySchedule())
    await relay.stop()
    alert = urgent_alert()
    sent = await services.dispatcher.dispatch(alert, uuid4())
    await relay.start()
    replayed = await services.dispatcher.dispatch(alert, uuid4())  # the relay is back, the retry not yet due
    assert not replayed.delivered_now and relay.handed == []
    assert [r.notification_ids for r in await send_due(services, T0 + timedelta(minutes=1))] == [
        (sent.notification_id,)]
    assert len(relay.handed) == 1


async def test_a_delivery_that_keeps_failing_is_retried_with_backoff_across_a_restart_then_given_up(
    open_notifications: Opener, relay: LocalSmtpServer,
) -> None:
    schedule = DeliverySchedule(delivery_attempts=3, retry_backoff_minutes=(1, 2))
    services, _ = await open_notifications(schedule)
    await relay.stop()
    sent = await services.dispatcher.dispatch(urgent_alert(), uuid4())
    assert await send_due(services, T0 + timedelta(minutes=1)) == []  # attempt 2 fails: next in 2 minutes

    restarted, _ = await open_notifications(schedule)  # a new process between attempts
    assert await send_due(restarted, T0 + timedelta(minutes=2)) == []  # not due: nothing tried
    assert [f["attempt"] for f in await failures_of(restarted, sent.notification_id)] == [1, 2]
    assert await send_due(restarted, T0 + timedelta(minutes=3)) == []  # attempt 3, the last: given up
    failures = await failures_of(restarted, sent.notification_id)
    assert [(f["attempt"], f["will_retry"]) for f in failures] == [(1, True), (2, True), (3, False)]

    await relay.start()
    assert await send_due(restarted, T0 + timedelta(hours=3)) == []
    assert relay.handed == []
    assert await restarted.pool.fetchval("SELECT count(*) FROM notification_held") == 0


async def test_a_recipient_without_an_address_is_not_retried(open_notifications: Opener,
                                                              relay: LocalSmtpServer) -> None:
    services, _ = await open_notifications(DeliverySchedule())
    sent = await services.dispatcher.dispatch(urgent_alert("school-without-address"), uuid4())
    [failure] = await failures_of(services, sent.notification_id)
    assert (failure["failure"], failure["will_retry"]) == ("no_contact_details", False)
    assert await send_due(services, T0 + timedelta(hours=1)) == []
    assert await services.pool.fetchval("SELECT count(*) FROM notification_held") == 0
    assert relay.handed == []
