"""Notification events v1: shape, personal fields and the rules they carry."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

import pytest
from pydantic import ValidationError

from ap_contracts.events.base import event_model
from ap_contracts.events.notifications import (
    Audience,
    Channel,
    Comparison,
    DeliveryFailure,
    NotificationAcknowledged,
    NotificationDeliveryFailed,
    NotificationSent,
    ThresholdContext,
)
from ap_contracts.personal import RecordClass, personal_fields
from ap_contracts.topics import NOTIFICATIONS_EVENTS


def sent_to_parent(**changes: object) -> NotificationSent:
    fields: dict[str, object] = {
        "notification_id": uuid4(),
        "pupil_ref": uuid4(),
        "rule_name": "weekly_behaviour_summary",
        "audience": Audience.PARENT,
        "recipient_organisation_id": "home-school-4",
        "recipient_contact": "carer@example.org",
        "channel": Channel.EMAIL,
        "cause_event_id": uuid4(),
        "template_id": "parent_weekly.v1",
    }
    return NotificationSent.model_validate({**fields, **changes})


def test_the_three_events_are_registered_on_the_notifications_topic() -> None:
    for event_type in ("NotificationSent", "NotificationAcknowledged", "NotificationDeliveryFailed"):
        model = event_model(event_type, 1)
        assert model.topic == NOTIFICATIONS_EVENTS
        assert model.pii_subject_field == "pupil_ref"


def test_a_parents_contact_and_a_providers_detail_are_personal() -> None:
    assert personal_fields(NotificationSent) == {"recipient_contact": RecordClass.FAMILY_CONTACT}
    assert personal_fields(NotificationDeliveryFailed) == {"provider_detail": RecordClass.FAMILY_CONTACT}
    assert personal_fields(NotificationAcknowledged) == {}


def test_an_alert_to_a_parent_is_encrypted_with_the_pupils_key() -> None:
    event = sent_to_parent()
    assert event.pii_subject() == str(event.pupil_ref)


def test_a_contact_address_needs_a_pupil_to_encrypt_it() -> None:
    with pytest.raises(ValidationError, match="pupil_ref"):
        sent_to_parent(pupil_ref=None)


def test_an_erased_contact_still_reads_back() -> None:
    # After crypto-shredding the codec reveals personal fields as None; the event must still load.
    event = sent_to_parent(recipient_contact=None)
    assert event.recipient_contact is None


def test_a_threshold_alert_carries_the_threshold_in_force() -> None:
    threshold = ThresholdContext(metric="incident_severity", comparison=Comparison.AT_OR_ABOVE,
                                 threshold_value=3, observed_value=4, unit="severity_level")
    event = NotificationSent(
        notification_id=uuid4(), pupil_ref=uuid4(), rule_name="incident_over_threshold",
        audience=Audience.COMMISSIONER, recipient_organisation_id="la-commissioning",
        recipient_user_id="user-9", channel=Channel.IN_APP, cause_event_id=uuid4(),
        template_id="threshold_alert.v1", threshold=threshold,
    )
    assert event.pii_subject() is not None
    assert NotificationSent.model_validate_json(event.model_dump_json()) == event


def test_threshold_values_are_integers() -> None:
    with pytest.raises(ValidationError):
        ThresholdContext.model_validate({"metric": "attendance", "comparison": "below",
                                         "threshold_value": 90.5, "observed_value": 80, "unit": "percent"})


def test_acknowledgement_and_failure_round_trip() -> None:
    ack = NotificationAcknowledged(notification_id=uuid4(), acknowledged_by="user-2",
                                   acknowledged_at=datetime(2025, 3, 3, 8, 0, tzinfo=UTC))
    failed = NotificationDeliveryFailed(notification_id=uuid4(), channel=Channel.SMS,
                                        failure=DeliveryFailure.UNREACHABLE, attempt=2, will_retry=True)
    assert NotificationAcknowledged.model_validate_json(ack.model_dump_json()) == ack
    assert NotificationDeliveryFailed.model_validate_json(failed.model_dump_json()) == failed
    assert failed.pii_subject() is None


def test_a_delivery_attempt_counts_from_one() -> None:
    with pytest.raises(ValidationError):
        NotificationDeliveryFailed(notification_id=uuid4(), channel=Channel.SMS,
                                   failure=DeliveryFailure.BOUNCED, attempt=0, will_retry=False)
