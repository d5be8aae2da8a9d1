"""Request and response bodies of the notifications API (no narrative, no names)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from pydantic import ConfigDict, Field

from ap_contracts.text import TextGuardedModel


class _Body(TextGuardedModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class NotificationView(_Body):
    notification_id: UUID
    pupil_ref: UUID | None
    rule_name: str
    audience: str
    channel: str
    cause_event_id: UUID
    template_id: str
    threshold: dict[str, Any] | None
    sent_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    delivery_failures: int


class NotificationList(_Body):
    organisation_id: str
    notifications: list[NotificationView]


class AcknowledgementView(_Body):
    notification_id: UUID
    acknowledged: bool = True
    already_acknowledged: bool


class OfferRequest(_Body):
    """Send a pupil's child-protection file to another setting's DSL; ``transfer_id`` makes retries safe."""

    transfer_id: UUID
    pupil_ref: UUID
    to_organisation_id: str = Field(min_length=1, max_length=200)
    receiving_dsl_organisation_id: str | None = Field(
        default=None, min_length=1, max_length=200, description="Defaults to the receiving organisation"
    )


class TransferView(_Body):
    transfer_id: UUID
    pupil_ref: UUID
    from_organisation_id: str
    to_organisation_id: str
    receiving_dsl_organisation_id: str
    offered_at: datetime
    due_by: date
    confirmed_at: datetime | None = None
    overdue_detected_on: date | None = None
    duplicate: bool = False
