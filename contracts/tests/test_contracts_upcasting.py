"""Upcasting, worked through on a throwaway event pair.

Version 1 of "ContractsTestVisitLogged" stored the visit length in whole hours and the visitor's
role as free text. Version 2 stores minutes and a fixed role list. The stored v1 events are never
rewritten: an upcaster turns each v1 payload into a v2 payload when it is read.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any
from uuid import uuid4

import pytest
from pydantic import StrictInt

from ap_contracts.envelope import StrictModel
from ap_contracts.events.notifications import NotificationAcknowledged
from ap_contracts.upcasting import UpcasterAlreadyRegistered, UpcasterRegistry, read_event, upcast

EVENT_TYPE = "ContractsTestVisitLogged"


class VisitLoggedV1(StrictModel):
    visitor_role: str
    hours: StrictInt


class VisitorRole(StrEnum):
    KEYWORKER = "keyworker"
    SOCIAL_WORKER = "social_worker"
    OTHER = "other"


class VisitLoggedV2(StrictModel):
    visitor_role: VisitorRole
    duration_minutes: StrictInt


class VisitLoggedV3(StrictModel):
    visitor_role: VisitorRole
    duration_minutes: StrictInt
    follow_up_needed: bool


@pytest.fixture
def upcasters() -> UpcasterRegistry:
    registry = UpcasterRegistry()

    @registry.register(EVENT_TYPE, from_version=1)
    def _v1_to_v2(payload: dict[str, Any]) -> dict[str, Any]:
        role = payload["visitor_role"].strip().lower().replace(" ", "_")
        return {
            "visitor_role": role if role in set(VisitorRole) else VisitorRole.OTHER.value,
            "duration_minutes": payload["hours"] * 60,
        }

    @registry.register(EVENT_TYPE, from_version=2)
    def _v2_to_v3(payload: dict[str, Any]) -> dict[str, Any]:
        return {**payload, "follow_up_needed": False}

    return registry


def test_an_old_payload_is_read_as_the_latest_version(upcasters: UpcasterRegistry) -> None:
    stored_v1 = VisitLoggedV1(visitor_role="Social Worker", hours=2).model_dump(mode="json")

    version, payload = upcasters.upcast(EVENT_TYPE, 1, stored_v1)

    assert version == 3
    assert VisitLoggedV3.model_validate(payload) == VisitLoggedV3(
        visitor_role=VisitorRole.SOCIAL_WORKER, duration_minutes=120, follow_up_needed=False
    )


def test_reading_from_a_middle_version_applies_only_the_later_steps(upcasters: UpcasterRegistry) -> None:
    version, payload = upcasters.upcast(EVENT_TYPE, 2, {"visitor_role": "other", "duration_minutes": 5})
    assert version == 3
    assert VisitLoggedV3.model_validate(payload).duration_minutes == 5


def test_an_unknown_role_becomes_other(upcasters: UpcasterRegistry) -> None:
    _, payload = upcasters.upcast(EVENT_TYPE, 1, {"visitor_role": "Caretaker", "hours": 1})
    assert payload["visitor_role"] == "other"


def test_without_upcasters_the_payload_is_unchanged() -> None:
    stored = {"visitor_role": "Caretaker", "hours": 1}
    assert UpcasterRegistry().upcast(EVENT_TYPE, 1, stored) == (1, stored)


def test_the_latest_version_is_left_alone(upcasters: UpcasterRegistry) -> None:
    payload = {"visitor_role": "keyworker", "duration_minutes": 30, "follow_up_needed": True}
    assert upcasters.upcast(EVENT_TYPE, 3, payload) == (3, payload)


def test_upcasting_never_changes_the_callers_payload(upcasters: UpcasterRegistry) -> None:
    stored = {"visitor_role": "keyworker", "hours": 1}
    upcasters.upcast(EVENT_TYPE, 1, stored)
    assert stored == {"visitor_role": "keyworker", "hours": 1}


def test_one_upcaster_per_version(upcasters: UpcasterRegistry) -> None:
    with pytest.raises(UpcasterAlreadyRegistered):
        upcasters.register(EVENT_TYPE, from_version=1)(lambda payload: payload)
    with pytest.raises(ValueError, match="start at 1"):
        upcasters.register(EVENT_TYPE, from_version=0)


def test_read_event_validates_the_registered_model_of_a_current_event() -> None:
    notification_id = uuid4()
    payload = {"notification_id": str(notification_id), "acknowledged_by": "user-3",
               "acknowledged_at": "2025-01-06T09:30:00Z"}
    assert upcast("NotificationAcknowledged", 1, payload) == (1, payload)
    event = read_event("NotificationAcknowledged", 1, payload)
    assert isinstance(event, NotificationAcknowledged)
    assert event.notification_id == notification_id
