"""What the handlers need from the outside world; ``adapters/`` implements each port."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
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
    pupil_ref: UUID | None  # None: a daily digest, about several pupils (each line names its own)
    cause_event_id: UUID | None  # None: a daily digest, caused by several events
    cause_event_type: str
    priority: str
    link_path: str
    subject: str
    body: str
    threshold: dict[str, Any] | None = None
    incident_severity: int | None = None
    # A person in the organisation (an escalation step, issue 14); None: the organisation in its audience role.
    recipient_role: str | None = None
    # The notification an escalation step is a message of (issue 14): a failed delivery of the step is recorded
    # on that notification's stream and retried as an at-once delivery is. None: the message is its own.
    notification_of: UUID | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "notification_id": str(self.notification_id),
            "rule_name": self.rule_name,
            "template_id": self.template_id,
            "audience": self.audience.value,
            "recipient_organisation_id": self.recipient_organisation_id,
            "pupil_ref": None if self.pupil_ref is None else str(self.pupil_ref),
            "cause_event_id": None if self.cause_event_id is None else str(self.cause_event_id),
            "cause_event_type": self.cause_event_type,
            "priority": self.priority,
            "incident_severity": self.incident_severity,
            "link_path": self.link_path,
            "subject": self.subject,
            "body": self.body,
            "threshold": self.threshold,
            "recipient_role": self.recipient_role,
            "notification_of": None if self.notification_of is None else str(self.notification_of),
        }


class DeliveryError(Exception):
    """A channel could not deliver; ``failure`` is recorded as ``NotificationDeliveryFailed``."""

    def __init__(self, failure: DeliveryFailure, detail: str, *, safe_to_retry: bool = True) -> None:
        super().__init__(detail)
        self.failure = failure
        # False when the channel may have taken the message (an unexplained answer): sending again could
        # deliver it twice, so it is not retried even if ``failure`` is a passing one (issue 14).
        self.safe_to_retry = safe_to_retry


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


class HeldMessages(Protocol):
    """Messages waiting for a digest or for the end of quiet hours (``adapters/held_messages.py``)."""

    async def hold(self, message: OutboundMessage, kind: str, batch_id: UUID, due_at: datetime,
                   next_batch: Callable[[datetime], tuple[UUID, datetime]]) -> UUID:
        """Put the message in the batch, or the next open one; returns the batch it is in."""
        ...

    async def record_failure(self, batch_id: UUID, max_attempts: int) -> int:
        """Count a failed delivery of the batch; returns the failures so far (given up at ``max_attempts``)."""
        ...

    async def pending(self, message_id: UUID) -> bool:
        """Whether the message waits in a batch still to be sent."""
        ...

    async def held_alone(self, message_id: UUID) -> bool:
        """Whether the message was ever held alone (for its retry or quiet hours), whatever became of it."""
        ...

    async def forget_pupil(self, pupil_ref: UUID) -> int:
        """Delete, unsent, the waiting copies of messages about the pupil (erasure); returns how many."""
        ...
