"""One notification's life: sent once, acknowledged at most once, delivery failures recorded.

Identity rule: a notification's id is derived from what caused it (the cause event, the rule, the
audience and the recipient organisation), so a redelivered or replayed event decides the same id,
the command executor sees the same command, and nobody is alerted twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID, uuid5

from ap_contracts.events.base import DomainEvent
from ap_contracts.events.notifications import (
    AlertEscalated,
    Audience,
    Channel,
    DeliveryFailure,
    EscalationRole,
    NotificationAcknowledged,
    NotificationDeliveryFailed,
    NotificationSent,
)
from ap_notifications.domain.alert_classes import is_safeguarding_alert
from ap_notifications.domain.alerts import Alert
from ap_notifications.domain.commands import AcknowledgeNotification
from ap_notifications.domain.errors import NotificationNotFound, NotReachedByTheChain

NOTIFICATIONS_NAMESPACE = UUID("6f1d3c52-7a51-4d0e-9a53-3c0f5d7b2e41")


def notification_id_for(cause_event_id: UUID, rule_name: str, audience: Audience, recipient: str) -> UUID:
    """The notification (and command) id for one alert; the same inputs always give the same id.

    The recipient is part of the key because one rule may alert two organisations in the same
    role (the provision's and the home school's DSL).
    """
    return uuid5(NOTIFICATIONS_NAMESPACE, f"{cause_event_id}|{rule_name}|{audience.value}|{recipient}")


def notification_stream_id(notification_id: UUID) -> str:
    return f"notification-{notification_id}"


def acknowledgement_command_id(notification_id: UUID) -> UUID:
    """One acknowledgement per notification: the first recipient to acknowledge it is recorded."""
    return uuid5(notification_id, "acknowledged")


def delivery_failure_command_id(notification_id: UUID, attempt: int) -> UUID:
    return uuid5(notification_id, f"delivery-failed-{attempt}")


def sent_event(history: Sequence[DomainEvent]) -> NotificationSent | None:
    return next((e for e in history if isinstance(e, NotificationSent)), None)


def decide_send(history: Sequence[DomainEvent], alert: Alert, channel: Channel) -> list[NotificationSent]:
    """Record the alert as sent, unless this notification was recorded already."""
    if sent_event(history) is not None:
        return []
    return [NotificationSent(
        notification_id=notification_id_for(alert.cause_event_id, alert.rule_name, alert.audience,
                                             alert.recipient_organisation_id),
        pupil_ref=alert.pupil_ref,
        rule_name=alert.rule_name,
        audience=alert.audience,
        recipient_organisation_id=alert.recipient_organisation_id,
        channel=channel,
        cause_event_id=alert.cause_event_id,
        template_id=alert.template_id,
        threshold=alert.threshold,
        priority=alert.priority.value,  # issue 14: what the escalation check reads
    )]


def decide_acknowledge(
    history: Sequence[DomainEvent], command: AcknowledgeNotification
) -> list[NotificationAcknowledged]:
    """Acknowledge a notification that was sent; acknowledging it again changes nothing."""
    sent = sent_event(history)
    if sent is None:
        raise NotificationNotFound(command.notification_id)
    if not acknowledged_by_one_reached(history, sent, command.by_roles):
        raise NotReachedByTheChain(notification_id=command.notification_id)
    if any(isinstance(e, NotificationAcknowledged) for e in history):
        return []
    return [NotificationAcknowledged(
        notification_id=command.notification_id, pupil_ref=sent.pupil_ref, acknowledged_by=command.by_user_id,
        acknowledged_at=command.at,
    )]


def acknowledged_by_one_reached(history: Sequence[DomainEvent], sent: NotificationSent,
                                 roles: frozenset[EscalationRole]) -> bool:
    """Rule ``escalation.acknowledged_by_those_reached``: a safeguarding alert (``alert_classes``) is acknowledged by
    the DSL (its deputy holds the DSL's role) or by a role an ``AlertEscalated`` step of it went to; any other alert
    by whoever the policy lets acknowledge it."""
    if not is_safeguarding_alert(sent.rule_name, sent.audience.value) or EscalationRole.DSL in roles:
        return True
    return any(isinstance(e, AlertEscalated) and e.notification_id == sent.notification_id
               and e.recipient_role in roles for e in history)


def decide_delivery_failed(
    history: Sequence[DomainEvent], notification_id: UUID, channel: Channel, failure: DeliveryFailure,
    attempt: int, will_retry: bool, provider_detail: str | None = None,
) -> list[NotificationDeliveryFailed]:
    """Record that a channel did not deliver a notification that was sent, with the provider's reason (the
    dead letter says why, issue 14; sealed with the pupil's key, as it may repeat the recipient's address)."""
    sent = sent_event(history)
    if sent is None:
        raise NotificationNotFound(notification_id)
    detail = None if sent.pupil_ref is None or not provider_detail else provider_detail[:500]
    return [NotificationDeliveryFailed(
        notification_id=sent.notification_id, pupil_ref=sent.pupil_ref, channel=channel, failure=failure,
        attempt=attempt, will_retry=will_retry, provider_detail=detail,
    )]
