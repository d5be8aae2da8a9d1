"""Record an alert as ``NotificationSent`` (exactly once) and hand it to the delivery channel.

The command id is the notification id derived from (cause event, rule, audience, recipient), so a
redelivered or replayed cause records nothing new. Delivery is at least once: the delivery ledger
skips notifications already delivered, and only a crash between delivering and recording the
delivery can repeat one (the file outbox rewrites the same file; email carries the notification id
as its Message-ID). A failed delivery is recorded as ``NotificationDeliveryFailed``; it is not
retried automatically.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from ap_contracts.envelope import Actor
from ap_notifications.application.ports import Delivery, DeliveryError, DeliveryLedger, OutboundMessage
from ap_notifications.domain.alerts import Alert
from ap_notifications.domain.messages import render
from ap_notifications.domain.notification import (
    decide_delivery_failed,
    decide_send,
    delivery_failure_command_id,
    notification_id_for,
    notification_stream_id,
)
from ap_runtime.commands import CommandExecutor, CommandMeta
from ap_runtime.logging import get_logger

log = get_logger("ap.notifications.dispatch")

PLATFORM_ORGANISATION = "ap-platform"
SYSTEM_ACTOR = Actor(user_id="ap-notifications", organisation_id=PLATFORM_ORGANISATION)


@dataclass(frozen=True, slots=True)
class Dispatched:
    notification_id: UUID
    newly_recorded: bool
    delivered_now: bool


def outbound(notification_id: UUID, alert: Alert) -> OutboundMessage:
    message = render(alert)
    return OutboundMessage(
        notification_id=notification_id, rule_name=alert.rule_name, template_id=alert.template_id,
        audience=alert.audience, recipient_organisation_id=alert.recipient_organisation_id,
        pupil_ref=alert.pupil_ref, cause_event_id=alert.cause_event_id, cause_event_type=alert.cause_event_type,
        priority=alert.priority.value, link_path=alert.link_path, subject=message.subject, body=message.body,
        threshold=None if alert.threshold is None else alert.threshold.model_dump(mode="json"),
        incident_severity=alert.incident_severity,
    )


class AlertDispatcher:
    def __init__(self, executor: CommandExecutor, delivery: Delivery, ledger: DeliveryLedger) -> None:
        self._executor = executor
        self._delivery = delivery
        self._ledger = ledger

    async def dispatch(self, alert: Alert, correlation_id: UUID) -> Dispatched:
        notification_id = notification_id_for(alert.cause_event_id, alert.rule_name, alert.audience,
                                               alert.recipient_organisation_id)
        stream = notification_stream_id(notification_id)
        channel = self._delivery.channel
        outcome = await self._executor.execute(
            stream, self._meta(notification_id, correlation_id, alert.cause_event_id),
            lambda history: decide_send(history, alert, channel),
        )
        recorded = bool(outcome.event_ids) and not outcome.duplicate
        if await self._ledger.delivered(notification_id):
            return Dispatched(notification_id, recorded, False)
        try:
            await self._delivery.deliver(outbound(notification_id, alert))
        except DeliveryError as exc:
            failure = exc.failure
            attempt = await self._ledger.record_failed(notification_id, channel, failure)
            await self._executor.execute(
                stream, self._meta(delivery_failure_command_id(notification_id, attempt), correlation_id,
                                   alert.cause_event_id),
                lambda history: decide_delivery_failed(history, notification_id, channel, failure, attempt,
                                                       will_retry=False),
            )
            log.warning("notification not delivered", notification_id=str(notification_id),
                        failure=failure.value, attempt=attempt)
            return Dispatched(notification_id, recorded, False)
        await self._ledger.record_delivered(notification_id, channel)
        return Dispatched(notification_id, recorded, True)

    @staticmethod
    def _meta(command_id: UUID, correlation_id: UUID, cause: UUID) -> CommandMeta:
        return CommandMeta(command_id=command_id, actor=SYSTEM_ACTOR, organisation_id=PLATFORM_ORGANISATION,
                           correlation_id=correlation_id, causation_id=cause)
