"""GOV.UK Notify as a delivery channel (issue 14), against a local server that checks each request against
Notify's published API (``ap_testing.notify_server``: paths, JSON body, the client's JWT, Notify's answers).

Proves: a message is sent once with the right body and a valid token; 429 and 5xx are retried with backoff up
to a bound; 400 and 403 are not (the message is dead-lettered with Notify's reason); the personalisation only
names what the audience may read; settings refuse a bad key by name.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import jwt
import pytest
import requests

from ap_contracts.events.notifications import Audience, Channel, DeliveryFailure
from ap_contracts.events.pupil_vocabulary import ProhibitedItem, RewardKind, Severity
from ap_notifications.adapters.notify import NotifyDelivery, personalisation
from ap_notifications.adapters.notify_settings import GovukNotifySettings, NotifyTemplatesInvalid, load_templates
from ap_notifications.application.dispatch import outbound
from ap_notifications.application.ports import DeliveryError, OutboundMessage
from ap_notifications.domain.decide_alerts import decide_alerts, event_day
from ap_notifications.domain.messages import AUDIENCE_MAY_READ, MESSAGE_FIELDS, FieldNotForAudience
from ap_notifications.domain.placement_terms import PlacementTerms, ThresholdChange, Thresholds
from ap_notifications.domain.rulebook import DEFAULT_RULE_BOOK
from ap_notifications.domain.rules import Situation
from ap_notifications.entrypoints.bootstrap import delivery_from_settings
from ap_notifications.entrypoints.settings import NotificationSettings
from ap_runtime.settings import InvalidSetting
from ap_testing.notifications.builders import (
    COMMISSIONER,
    HOME_SCHOOL,
    PARTNERSHIP,
    PROVISION,
    Events,
    outbound_message,
)
from ap_testing.notify_server import FakeNotify, FakeTemplate

SAFEGUARDING_TEMPLATE = "0d7f7d8a-6c55-4f0c-9b8e-1f4a0b6f9a11"
DEFAULT_TEMPLATE = "5a3c2d1e-0f9b-4e8d-a7c6-b5a4f3e2d1c0"
TEMPLATES = {"safeguarding_concern": SAFEGUARDING_TEMPLATE, "default": DEFAULT_TEMPLATE}
DIRECTORY = {"school-1": {"dsl": "dsl@school-1.example", "parent": "07700900123", "default": "office@school-1.example"}}


@pytest.fixture
def notify() -> Iterator[FakeNotify]:
    server = FakeNotify(templates={
        SAFEGUARDING_TEMPLATE: FakeTemplate(subject="((subject))", body="((body))\n\nReference ((pupil_ref))"),
        DEFAULT_TEMPLATE: FakeTemplate(subject="((subject))", body="((body))"),
    }).start()
    yield server
    server.stop()


class RecordedSleep:
    """The backoff's waits, recorded instead of waited for (no test waits for wall time)."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


def delivery(notify: FakeNotify, sleep: RecordedSleep, *, channel: str = "email", api_key: str | None = None,
             directory: dict[str, dict[str, str]] | None = None, max_attempts: int = 3) -> NotifyDelivery:
    settings = GovukNotifySettings.model_validate({
        "AP_NOTIFY_GOVUK_API_KEY": api_key or notify.api_key, "AP_NOTIFY_GOVUK_BASE_URL": notify.base_url,
        "AP_NOTIFY_GOVUK_CHANNEL": channel, "AP_NOTIFY_GOVUK_TEMPLATES_FILE": "unused.json",
        "AP_NOTIFY_GOVUK_MAX_ATTEMPTS": max_attempts, "AP_NOTIFY_GOVUK_BACKOFF_SECONDS": 0.5,
    })
    return NotifyDelivery(settings, TEMPLATES, directory or DIRECTORY, sleep=sleep)


async def test_an_email_is_sent_once_with_notify_body_and_a_valid_token(notify: FakeNotify) -> None:
    sleep = RecordedSleep()
    m = outbound_message()
    before = int(time.time())
    await delivery(notify, sleep).deliver(m)
    [sent] = notify.requests
    assert sent.status == 201 and sent.path == "/v2/notifications/email"
    assert sent.body == {
        "email_address": "dsl@school-1.example", "template_id": SAFEGUARDING_TEMPLATE,
        "reference": str(m.notification_id),
        "personalisation": {"subject": m.subject, "body": m.body, "pupil_ref": str(m.pupil_ref), "priority": "urgent",
                            "link_path": m.link_path},
    }
    assert sent.claims is not None and sent.claims["iss"] == notify.service_id
    assert before - 1 <= sent.claims["iat"] <= int(time.time()) + 1
    assert sent.answer["content"]["subject"] == m.subject and sent.answer["reference"] == str(m.notification_id)
    assert sleep.delays == []


async def test_a_text_message_goes_to_the_sms_path_with_the_recipient_s_mobile_number(notify: FakeNotify) -> None:
    m = outbound_message(audience=Audience.PARENT, template_id="physical_intervention_parents",
                         rule_name="physical_intervention_parents")
    sms = delivery(notify, RecordedSleep(), channel="sms")
    assert sms.channel is Channel.SMS
    await sms.deliver(m)
    [sent] = notify.accepted
    assert sent.path == "/v2/notifications/sms" and sent.body is not None
    assert sent.body["phone_number"] == "07700900123" and sent.body["template_id"] == DEFAULT_TEMPLATE
    assert set(sent.body["personalisation"]) == {"subject", "body", "pupil_ref", "priority", "link_path"}


@pytest.mark.parametrize("limit", ["RateLimitError", "TooManyRequestsError"])
async def test_a_rate_limit_answer_is_retried_once_after_the_backoff(notify: FakeNotify, limit: str) -> None:
    sleep = RecordedSleep()
    notify.answer_next(429, limit)
    await delivery(notify, sleep).deliver(outbound_message())
    assert [r.status for r in notify.requests] == [429, 201]
    assert notify.requests[0].answer["errors"][0]["error"] == limit
    assert sleep.delays == [0.5]


async def test_server_errors_are_retried_with_doubling_backoff_then_dead_lettered(notify: FakeNotify) -> None:
    sleep = RecordedSleep()
    for _ in range(3):
        notify.answer_next(500)
    with pytest.raises(DeliveryError) as failed:
        await delivery(notify, sleep, max_attempts=3).deliver(outbound_message())
    assert failed.value.failure is DeliveryFailure.PROVIDER_ERROR
    assert "500" in str(failed.value) and "after 3 attempts" in str(failed.value)
    assert [r.status for r in notify.requests] == [500, 500, 500]
    assert sleep.delays == [0.5, 1.0]
    assert notify.accepted == []


async def test_a_notify_that_cannot_be_reached_is_retried_then_dead_lettered_as_unreachable(
    notify: FakeNotify,
) -> None:
    sleep = RecordedSleep()
    gone = delivery(notify, sleep, max_attempts=2)
    notify.stop()  # nothing listens on its port any more
    with pytest.raises(DeliveryError) as failed:
        await gone.deliver(outbound_message())
    assert failed.value.failure is DeliveryFailure.UNREACHABLE and "after 2 attempts" in str(failed.value)
    assert sleep.delays == [0.5]


async def test_a_validation_error_is_not_retried_and_names_notify_s_reason(notify: FakeNotify) -> None:
    sleep = RecordedSleep()
    with pytest.raises(DeliveryError) as failed:
        await delivery(notify, sleep, directory={"school-1": {"dsl": "not-an-address"}}).deliver(outbound_message())
    assert failed.value.failure is DeliveryFailure.REJECTED
    reason = str(failed.value)
    assert "400" in reason and "ValidationError: email_address Not a valid email address" in reason
    assert len(notify.requests) == 1 and sleep.delays == []


async def test_a_token_signed_with_another_secret_is_refused_and_not_retried(notify: FakeNotify) -> None:
    sleep = RecordedSleep()
    wrong_key = f"ap-test-key-{notify.service_id}-{uuid4()}"
    with pytest.raises(DeliveryError) as failed:
        await delivery(notify, sleep, api_key=wrong_key).deliver(outbound_message())
    assert failed.value.failure is DeliveryFailure.REJECTED and "403" in str(failed.value)
    assert "AuthError" in str(failed.value)
    assert [r.status for r in notify.requests] == [403] and sleep.delays == []


async def test_a_kind_without_a_template_and_no_default_is_refused_before_calling_notify(notify: FakeNotify) -> None:
    settings = GovukNotifySettings.model_validate({
        "AP_NOTIFY_GOVUK_API_KEY": notify.api_key, "AP_NOTIFY_GOVUK_BASE_URL": notify.base_url,
        "AP_NOTIFY_GOVUK_TEMPLATES_FILE": "unused.json"})
    only_safeguarding = NotifyDelivery(settings, {"safeguarding_concern": SAFEGUARDING_TEMPLATE}, DIRECTORY)
    with pytest.raises(DeliveryError) as failed:
        await only_safeguarding.deliver(outbound_message(template_id="placement_ended"))
    assert failed.value.failure is DeliveryFailure.REJECTED and notify.requests == []


def every_field(audience: Audience) -> OutboundMessage:
    return outbound_message(audience=audience, incident_severity=4, threshold={
        "metric": "incident_severity", "comparison": "at_or_above", "threshold_value": 3, "observed_value": 4,
        "unit": "level"})


@pytest.mark.parametrize("audience", list(Audience))
def test_the_personalisation_names_only_fields_the_audience_may_read(audience: Audience) -> None:
    may_read = AUDIENCE_MAY_READ.get(audience, MESSAGE_FIELDS)
    full = every_field(audience)
    try:
        named = set(personalisation(full))
    except FieldNotForAudience:
        # Refused: then the message without the fields the audience may not read is what is sent.
        trimmed = outbound_message(audience=audience,
                                   incident_severity=None if "incident_severity" not in may_read else 4,
                                   threshold=None if "threshold" not in may_read else full.threshold)
        named = set(personalisation(trimmed))
    assert named - {"subject", "body"} <= may_read


def test_every_alert_the_rules_send_personalises_a_notify_template_within_its_audience() -> None:
    """The alerts the rules really make (staff's, with severity and threshold; parents', without) all pass."""
    ev = Events()
    placement = PlacementTerms(
        placement_id=ev.placement_id, pupil_ref=ev.pupil_ref, provision_id=PROVISION, home_school_id=HOME_SCHOOL,
        commissioner_id=COMMISSIONER, partnership_id=PARTNERSHIP,
        thresholds=(ThresholdChange(date(2025, 1, 13), 1, Thresholds(Severity.SERIOUS, 90)),))
    events = [ev.concern(immediate_risk=True), ev.intervention(), ev.search(ProhibitedItem.KNIFE_OR_WEAPON),
              ev.incident(Severity.SERIOUS), ev.proposed(), ev.ended(), ev.reward(RewardKind.CERTIFICATE)]
    audiences = set()
    for event in events:
        day = event_day(event, datetime(2025, 3, 10, tzinfo=UTC))
        for alert in decide_alerts(Situation(event, uuid4(), day, placement), DEFAULT_RULE_BOOK).alerts:
            named = set(personalisation(outbound(uuid4(), alert))) - {"subject", "body"}
            assert named <= AUDIENCE_MAY_READ.get(alert.audience, MESSAGE_FIELDS), alert.rule_name
            audiences.add(alert.audience)
    assert {Audience.PARENT, Audience.HOME_SCHOOL, Audience.COMMISSIONER, Audience.DSL} <= audiences


def test_a_parent_message_carrying_a_severity_or_threshold_is_refused_not_trimmed() -> None:
    with pytest.raises(FieldNotForAudience, match="incident_severity"):
        personalisation(outbound_message(audience=Audience.PARENT, incident_severity=4))
    with pytest.raises(FieldNotForAudience, match="threshold"):
        personalisation(every_field(Audience.PARENT))
    staff = personalisation(every_field(Audience.COMMISSIONER))
    assert staff["incident_severity"] == "4" and staff["threshold"] == "incident_severity 4 level, at_or_above 3"


def test_notify_delivery_needs_its_key_and_names_the_variable(tmp_path: Path) -> None:
    with pytest.raises(InvalidSetting) as refused:
        NotificationSettings.from_env({"AP_NOTIFY_DELIVERY": "notify"})
    assert set(refused.value.problems) == {"AP_NOTIFY_GOVUK_API_KEY", "AP_NOTIFY_GOVUK_TEMPLATES_FILE"}
    secret = str(uuid4())
    with pytest.raises(InvalidSetting) as refused:
        NotificationSettings.from_env({"AP_NOTIFY_DELIVERY": "notify", "AP_NOTIFY_GOVUK_API_KEY": f"bad-{secret}",
                                       "AP_NOTIFY_GOVUK_TEMPLATES_FILE": str(tmp_path / "t.json")})
    assert list(refused.value.problems) == ["AP_NOTIFY_GOVUK_API_KEY"] and secret not in str(refused.value)


def test_the_environment_chooses_notify_with_its_templates_and_directory(tmp_path: Path) -> None:
    (tmp_path / "templates.json").write_text(json.dumps(TEMPLATES))
    (tmp_path / "directory.json").write_text(json.dumps(DIRECTORY))
    key = f"council-live-{uuid4()}-{uuid4()}"
    settings = NotificationSettings.from_env({
        "AP_NOTIFY_DELIVERY": "notify", "AP_NOTIFY_GOVUK_API_KEY": key, "AP_NOTIFY_GOVUK_CHANNEL": "sms",
        "AP_NOTIFY_GOVUK_BASE_URL": "http://127.0.0.1:9",
        "AP_NOTIFY_GOVUK_TEMPLATES_FILE": str(tmp_path / "templates.json"),
        "AP_NOTIFY_RECIPIENTS_FILE": str(tmp_path / "directory.json")})
    assert settings.govuk_notify is not None and key not in repr(settings)
    chosen = delivery_from_settings(settings)
    assert isinstance(chosen, NotifyDelivery) and chosen.channel is Channel.SMS
    assert chosen.template_for(outbound_message()) == SAFEGUARDING_TEMPLATE


def test_a_templates_file_naming_something_other_than_a_template_id_is_refused(tmp_path: Path) -> None:
    bad: dict[str, Any] = {"safeguarding_concern": "not-a-uuid"}
    (tmp_path / "t.json").write_text(json.dumps(bad))
    with pytest.raises(NotifyTemplatesInvalid, match="safeguarding_concern"):
        load_templates(tmp_path / "t.json")
    (tmp_path / "t.json").write_text(json.dumps({"default": str(UUID(DEFAULT_TEMPLATE))}))
    assert load_templates(tmp_path / "t.json") == {"default": DEFAULT_TEMPLATE}


def test_the_local_notify_refuses_a_stale_token_and_a_body_outside_notify_s_schema(notify: FakeNotify) -> None:
    """The stand-in is strict where Notify is: so the tests above could fail on a wrong request."""
    def post(body: dict[str, Any], iat: int) -> requests.Response:
        token = jwt.encode({"iss": notify.service_id, "iat": iat}, notify.secret, algorithm="HS256",
                           headers={"typ": "JWT"})
        return requests.post(f"{notify.base_url}/v2/notifications/email", json=body, timeout=5,
                             headers={"Authorization": f"Bearer {token}"})
    good = {"email_address": "a@b.example", "template_id": DEFAULT_TEMPLATE,
            "personalisation": {"subject": "s", "body": "b"}}
    assert post(good, int(time.time()) - 60).json()["errors"][0]["error"] == "AuthError"
    assert post(good | {"recipient_name": "x"}, int(time.time())).status_code == 400
    assert post(good | {"personalisation": {"subject": "s"}}, int(time.time())).json()["errors"][0]["message"] == (
        "Missing personalisation: body")
    assert post(good, int(time.time())).status_code == 201
