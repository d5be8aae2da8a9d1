"""Generated schemas are valid draft 2020-12 and agree with the models on real payloads.

Uses jsonschema-rs, an independent validator (installed with schemathesis), so the schema files
are checked by something other than pydantic itself.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import jsonschema_rs
import pytest

from ap_contracts.envelope import Actor, EventEnvelope
from ap_contracts.events.notifications import Audience, Channel, NotificationSent
from ap_contracts.schema_tools import contract_events, envelope_schema, event_schema

EVENTS = contract_events()


@pytest.mark.parametrize("model", EVENTS.values(), ids=[f"{t}.v{v}" for t, v in EVENTS])
def test_event_schema_is_valid_draft_2020_12(model: Any) -> None:
    assert jsonschema_rs.meta.is_valid(event_schema(model))


def test_envelope_schema_is_valid_draft_2020_12() -> None:
    assert jsonschema_rs.meta.is_valid(envelope_schema())


def test_a_model_payload_validates_against_its_schema_and_a_bad_one_does_not() -> None:
    event = NotificationSent(
        notification_id=uuid4(), pupil_ref=uuid4(), rule_name="placement_ended", audience=Audience.HOME_SCHOOL,
        recipient_organisation_id="home-school-2", recipient_user_id="user-5", channel=Channel.IN_APP,
        cause_event_id=uuid4(), template_id="placement_ended.v1",
    )
    validator = jsonschema_rs.Draft202012Validator(event_schema(NotificationSent), validate_formats=True)
    payload = event.model_dump(mode="json")
    assert validator.is_valid(payload)
    assert not validator.is_valid({**payload, "channel": "fax"})
    assert not validator.is_valid({**payload, "unexpected": 1})
    assert not validator.is_valid({k: v for k, v in payload.items() if k != "template_id"})


def test_an_envelope_on_the_wire_validates_against_the_envelope_schema() -> None:
    envelope = EventEnvelope(
        event_type="NotificationSent", schema_version=1, stream_id="notification-1", stream_version=1,
        occurred_at=datetime(2025, 2, 3, 10, 0, tzinfo=UTC), actor=Actor(user_id="system", organisation_id="la"),
        organisation_id="la", correlation_id=uuid4(), payload={"anything": "sealed"},
    )
    validator = jsonschema_rs.Draft202012Validator(envelope_schema(), validate_formats=True)
    assert validator.is_valid(envelope.model_dump(mode="json"))
