"""A notification is decided once per (cause, rule, audience, recipient) and acknowledged at most once."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

import pytest

from ap_contracts.events.notifications import Audience, Channel, DeliveryFailure, NotificationAcknowledged
from ap_notifications.domain.alerts import Alert, Priority
from ap_notifications.domain.commands import AcknowledgeNotification
from ap_notifications.domain.errors import NotificationNotFound
from ap_notifications.domain.notification import (
    acknowledgement_command_id,
    decide_acknowledge,
    decide_delivery_failed,
    decide_send,
    notification_id_for,
)


def alert(**kw: object) -> Alert:
    fields: dict[str, object] = {
        "rule_name": "physical_intervention", "audience": Audience.HOME_SCHOOL, "recipient_organisation_id": "s-1",
        "pupil_ref": uuid4(), "cause_event_id": uuid4(), "cause_event_type": "PhysicalInterventionRecorded",
        "template_id": "physical_intervention", "priority": Priority.HIGH, "link_path": "/x",
    }
    return Alert(**(fields | kw))  # type: ignore[arg-type]


def test_the_same_cause_rule_audience_and_recipient_give_the_same_notification_id() -> None:
    cause = uuid4()
    assert notification_id_for(cause, "r", Audience.DSL, "a") == notification_id_for(cause, "r", Audience.DSL, "a")


@pytest.mark.parametrize("change", ["cause", "rule", "audience", "recipient"])
def test_any_difference_gives_another_notification(change: str) -> None:
    cause = uuid4()
    base = (cause, "r", Audience.DSL, "a")
    other = {"cause": (uuid4(), "r", Audience.DSL, "a"), "rule": (cause, "q", Audience.DSL, "a"),
             "audience": (cause, "r", Audience.HOME_SCHOOL, "a"), "recipient": (cause, "r", Audience.DSL, "b")}
    assert notification_id_for(*base) != notification_id_for(*other[change])


def test_an_alert_is_recorded_as_sent_once_with_no_contact_details() -> None:
    a = alert()
    [sent] = decide_send([], a, Channel.IN_APP)
    assert sent.notification_id == notification_id_for(a.cause_event_id, a.rule_name, a.audience,
                                                       a.recipient_organisation_id)
    assert (sent.pupil_ref, sent.cause_event_id, sent.recipient_contact) == (a.pupil_ref, a.cause_event_id, None)
    assert decide_send([sent], a, Channel.IN_APP) == []


def test_acknowledging_needs_a_sent_notification_and_happens_once() -> None:
    nid = uuid4()
    with pytest.raises(NotificationNotFound):
        decide_acknowledge([], AcknowledgeNotification(nid, "u-1", datetime.now(UTC)))
    [sent] = decide_send([], alert(), Channel.EMAIL)
    [ack] = decide_acknowledge([sent], AcknowledgeNotification(sent.notification_id, "u-1", datetime.now(UTC)))
    assert isinstance(ack, NotificationAcknowledged) and ack.acknowledged_by == "u-1"
    again = AcknowledgeNotification(sent.notification_id, "u-2", datetime.now(UTC))
    assert decide_acknowledge([sent, ack], again) == []
    assert acknowledgement_command_id(nid) == acknowledgement_command_id(nid)


def test_a_delivery_failure_is_recorded_against_a_sent_notification() -> None:
    [sent] = decide_send([], alert(), Channel.EMAIL)
    [failed] = decide_delivery_failed([sent], sent.notification_id, Channel.EMAIL, DeliveryFailure.BOUNCED, 1, False)
    assert (failed.notification_id, failed.attempt, failed.provider_detail) == (sent.notification_id, 1, None)
    with pytest.raises(NotificationNotFound):
        decide_delivery_failed([], uuid4(), Channel.EMAIL, DeliveryFailure.BOUNCED, 1, False)
