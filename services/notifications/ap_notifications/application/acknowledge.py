"""Acknowledge a notification (a commissioner confirms it has seen a decision it must take)."""

from __future__ import annotations

from datetime import datetime
from types import MappingProxyType
from uuid import UUID

from ap_contracts.events.notifications import EscalationRole, NotificationSent
from ap_notifications.domain.commands import AcknowledgeNotification
from ap_notifications.domain.notification import (
    acknowledgement_command_id,
    decide_acknowledge,
    notification_stream_id,
    sent_event,
)
from ap_runtime.access import Principal, Role
from ap_runtime.commands import CommandExecutor, CommandMeta, CommandOutcome
from ap_runtime.eventstore import EventStorePort

ESCALATION_ROLES: MappingProxyType[Role, tuple[EscalationRole, ...]] = MappingProxyType({
    Role.DSL: (EscalationRole.DSL, EscalationRole.DEPUTY_DSL),
    Role.HOME_SCHOOL_HEAD: (EscalationRole.HEAD,),
    Role.PROVISION_MANAGER: (EscalationRole.HEAD,),
})


async def load_sent(store: EventStorePort, notification_id: UUID) -> NotificationSent | None:
    """The notification as sent, or None when there is no such notification."""
    return sent_event(await store.load(notification_stream_id(notification_id)))


async def acknowledge(
    executor: CommandExecutor, notification_id: UUID, principal: Principal, at: datetime, correlation_id: UUID
) -> CommandOutcome:
    meta = CommandMeta(command_id=acknowledgement_command_id(notification_id), actor=principal.actor(),
                       organisation_id=principal.organisation_id, correlation_id=correlation_id, occurred_at=at)
    command = AcknowledgeNotification(notification_id, principal.user_id, at, escalation_roles_of(principal))
    return await executor.execute(notification_stream_id(notification_id), meta,
                                  lambda history: decide_acknowledge(history, command))


def escalation_roles_of(principal: Principal) -> frozenset[EscalationRole]:
    """The steps of an escalation chain the caller stands for, by the roles of its verified token: the DSL's role
    is held by the DSL and the deputy DSL; the head of a school or of a provision (its manager) is the head."""
    return frozenset(step for role in principal.roles for step in ESCALATION_ROLES.get(role, ()))
