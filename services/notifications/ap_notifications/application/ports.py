"""What the handlers need from the outside world; ``adapters/`` implements each port."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol
from uuid import UUID

from ap_contracts.events.notifications import Audience, Channel, DeliveryFailure


@dataclass(frozen=True, slots=True)
class OutboundMessage:
    """One notification as a channel delivers it: no narrative, no names (see ``domain.messages``)."""

    notification_id: UUID
    rule_name: str
    template_id: str
    audience: Audience
    recipient_organisation_id: str
    pupil_ref: UUID
    cause_event_id: UUID
    cause_event_type: str
    priority: str
    link_path: str
    subject: str
    body: str
    threshold: dict[str, Any] | None = None
    incident_severity: int | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "notification_id": str(self.notification_id),
            "rule_name": self.rule_name,
            "template_id": self.template_id,
            "audience": self.audience.value,
            "recipient_organisation_id": self.recipient_organisation_id,
            "pupil_ref": str(self.pupil_ref),
            "cause_event_id": str(self.cause_event_id),
            "cause_event_type": self.cause_event_type,
            "priority": self.priority,
            "incident_severity": self.incident_severity,
            "link_path": self.link_path,
            "subject": self.subject,
            "body": self.body,
            "threshold": self.threshold,
        }


class DeliveryError(Exception):
    """A channel could not deliver; ``failure`` is recorded as ``NotificationDeliveryFailed``."""

    def __init__(self, failure: DeliveryFailure, detail: str) -> None:
        super().__init__(detail)
        self.failure = failure


class Delivery(Protocol):
    """A delivery channel (file outbox, email)."""

    @property
    def channel(self) -> Channel: ...

    async def deliver(self, message: OutboundMessage) -> None:
        """Deliver or raise ``DeliveryError``; delivering the same notification twice must be harmless."""


class DeliveryLedger(Protocol):
    """Which notifications a channel has delivered, so a replay does not deliver them again."""

    async def delivered(self, notification_id: UUID) -> bool: ...

    async def record_delivered(self, notification_id: UUID, channel: Channel) -> None: ...

    async def record_failed(self, notification_id: UUID, channel: Channel, failure: DeliveryFailure) -> int:
        """Record a failed attempt; returns the attempt number (1 for the first)."""
        ...
