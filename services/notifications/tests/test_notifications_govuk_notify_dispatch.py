"""GOV.UK Notify through the notifications service on real PostgreSQL (issue 14): one message per (rule, cause,
recipient) across a restart, and a message Notify refuses dead-lettered with Notify's reason.

The local Notify (``ap_testing.notify_server``) checks each request against Notify's published API.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from uuid import uuid4

import pytest
import pytest_asyncio

from ap_contracts.events.notifications import Audience, Channel, DeliveryFailure, NotificationDeliveryFailed
from ap_notifications.adapters.notify import NotifyDelivery
from ap_notifications.adapters.notify_settings import GovukNotifySettings
from ap_notifications.domain.alerts import Alert, Priority
from ap_notifications.domain.notification import notification_stream_id
from ap_notifications.entrypoints.bootstrap import NotificationServices, open_services
from ap_notifications.entrypoints.settings import NotificationSettings
from ap_runtime.privacy import KeyStore, PersonalDataCodec
from ap_testing.notifications.builders import HOME_SCHOOL
from ap_testing.notify_server import FakeNotify, FakeTemplate
from ap_testing.privacy import random_ring

pytestmark = pytest.mark.integration

TEMPLATE = "7b1e2c3d-4f5a-4b6c-8d7e-9f0a1b2c3d4e"
OpenService = Callable[[dict[str, dict[str, str]]], Awaitable[NotificationServices]]


@pytest.fixture
def notify() -> Iterator[FakeNotify]:
    server = FakeNotify(templates={TEMPLATE: FakeTemplate(subject="((subject))", body="((body))")}).start()
    yield server
    server.stop()


@pytest_asyncio.fixture(loop_scope="session")
async def open_service(new_database: Callable[[str], Awaitable[str]], notify: FakeNotify) -> AsyncIterator[OpenService]:
    """Starts the notifications service on one database with Notify as its channel; each call is a (re)start."""
    keys = await KeyStore.open(await new_database("notify_keys"), random_ring()[0], cache_ttl_seconds=0)
    settings = NotificationSettings(dsn=await new_database("notify_dispatch"))  # dispatching needs no Kafka
    notify_settings = GovukNotifySettings.model_validate({
        "AP_NOTIFY_GOVUK_API_KEY": notify.api_key, "AP_NOTIFY_GOVUK_BASE_URL": notify.base_url,
        "AP_NOTIFY_GOVUK_TEMPLATES_FILE": "unused.json", "AP_NOTIFY_GOVUK_BACKOFF_SECONDS": 0})
    opened: list[NotificationServices] = []

    async def start(directory: dict[str, dict[str, str]]) -> NotificationServices:
        delivery = NotifyDelivery(notify_settings, {"default": TEMPLATE}, directory)
        services = await open_services(settings, codec=PersonalDataCodec(keys), delivery=delivery)
        opened.append(services)
        return services

    yield start
    for services in opened:
        await services.close()
    await keys.close()


def alert() -> Alert:
    return Alert(rule_name="physical_intervention", audience=Audience.HOME_SCHOOL,
                 recipient_organisation_id=HOME_SCHOOL, pupil_ref=uuid4(), cause_event_id=uuid4(),
                 cause_event_type="PhysicalInterventionRecorded", template_id="physical_intervention",
                 priority=Priority.HIGH, link_path="/x")


async def test_a_restarted_service_does_not_send_a_notified_alert_again(
    open_service: OpenService, notify: FakeNotify,
) -> None:
    directory = {HOME_SCHOOL: {"default": "office@home-school.example"}}
    a = alert()
    first = await (await open_service(directory)).dispatcher.dispatch(a, uuid4())
    assert (first.newly_recorded, first.delivered_now) == (True, True)
    restarted = await open_service(directory)
    again = await restarted.dispatcher.dispatch(a, uuid4())  # the cause event redelivered after the restart
    assert again.notification_id == first.notification_id
    assert (again.newly_recorded, again.delivered_now) == (False, False)
    [sent] = notify.accepted
    assert sent.body is not None and sent.body["reference"] == str(first.notification_id)
    assert sent.body["email_address"] == "office@home-school.example"
    history = await restarted.store.load(notification_stream_id(first.notification_id))
    assert [type(e).__name__ for e in history] == ["NotificationSent"]


async def test_a_message_notify_refuses_is_dead_lettered_with_notify_s_reason_and_not_retried(
    open_service: OpenService, notify: FakeNotify,
) -> None:
    service = await open_service({HOME_SCHOOL: {"default": "no-address-here"}})
    result = await service.dispatcher.dispatch(alert(), uuid4())
    assert (result.newly_recorded, result.delivered_now) == (True, False)
    assert [r.status for r in notify.requests] == [400]
    _, failed = await service.store.load(notification_stream_id(result.notification_id))
    assert isinstance(failed, NotificationDeliveryFailed)
    assert (failed.channel, failed.failure, failed.attempt, failed.will_retry) == (
        Channel.EMAIL, DeliveryFailure.REJECTED, 1, False)
    assert failed.provider_detail is not None
    assert "400" in failed.provider_detail and "ValidationError" in failed.provider_detail
    # The reason may repeat the recipient's address: it is stored sealed with the pupil's key, never in clear.
    stored = await service.pool.fetchval("SELECT string_agg(payload::text, ' ') FROM events")
    assert "ValidationError" not in stored and "no-address-here" not in stored
