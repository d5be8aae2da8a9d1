"""Handlers of escalation (issue 14): set an organisation's chain, and chase unacknowledged urgent alerts.

The check is a periodic job (``entrypoints/escalation_check.py``) given the time it runs at, so a test drives
it with a controllable clock. Each step is one command on the notification's stream whose id is the step's
message id (``domain.escalation.escalation_message_id``), then one delivery the ledger lets through once; a
step recorded but never tried (a crash in between) is tried by the next check until the step's own deadline; a
step whose delivery failed for a passing reason is retried by the periodic check with the at-once backoff and
bound (``dispatch.deliver_or_retry``, ``domain/delivery_retry.py``), its failures recorded ``will_retry``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID, uuid5

from ap_contracts.events.notifications import AlertEscalated, EscalationRole, NotificationSent
from ap_notifications.application.dispatch import PLATFORM_ORGANISATION, SYSTEM_ACTOR, AlertDispatcher
from ap_notifications.application.ports import OutboundMessage
from ap_notifications.domain.commands import SetEscalationChain
from ap_notifications.domain.escalation import (
    ESCALATION_NAMESPACE,
    EscalationRuleBook,
    chain_in_force,
    decide_escalation,
    decide_set_chain,
    escalation_chain_stream_id,
    escalations,
    next_escalation,
    step_still_due,
)
from ap_notifications.domain.escalation_messages import escalation_link, render_escalation
from ap_notifications.domain.notification import notification_stream_id, sent_event
from ap_runtime.access import Principal
from ap_runtime.commands import CommandExecutor, CommandMeta, CommandOutcome
from ap_runtime.eventstore import EventStorePort


@dataclass(frozen=True, slots=True)
class Unacknowledged:
    """A notification that may still escalate, and when it was sent."""

    notification_id: UUID
    sent_at: datetime


class EscalationIndex(Protocol):
    """Finds notifications of the given priorities nobody has acknowledged yet."""

    async def unacknowledged(self, priorities: list[str], sent_since: datetime) -> list[Unacknowledged]: ...


@dataclass(frozen=True, slots=True)
class EscalationSent:
    notification_id: UUID
    step: int
    recipient_organisation_id: str
    recipient_role: str
    newly_recorded: bool
    delivered_now: bool


class EscalationService:
    def __init__(self, store: EventStorePort, executor: CommandExecutor, dispatcher: AlertDispatcher,
                 book: EscalationRuleBook) -> None:
        self._store = store
        self._executor = executor
        self._dispatcher = dispatcher
        self._book = book

    async def chain(self, organisation_id: str) -> tuple[EscalationRole, ...]:
        return chain_in_force(await self._store.load(escalation_chain_stream_id(organisation_id)))

    async def chain_command_id(self, command: SetEscalationChain) -> UUID:
        """The same chain asked for again on the same record is one command; after another chain, a new one."""
        version = await self._store.stream_version(escalation_chain_stream_id(command.organisation_id))
        steps = ",".join(role.value for role in command.steps)
        return uuid5(ESCALATION_NAMESPACE, f"{command.organisation_id}|{version}|{steps}")

    async def set_chain(self, command: SetEscalationChain, principal: Principal, command_id: UUID,
                        correlation_id: UUID) -> CommandOutcome:
        """Record the organisation's chain (the caller was authorised for ``command.organisation_id``)."""
        meta = CommandMeta(command_id=command_id, actor=principal.actor(), organisation_id=principal.organisation_id,
                           correlation_id=correlation_id)
        return await self._executor.execute(escalation_chain_stream_id(command.organisation_id), meta,
                                            lambda history: decide_set_chain(history, command))

    async def check(self, index: EscalationIndex, now: datetime, correlation_id: UUID) -> list[EscalationSent]:
        """Record and deliver every step due at ``now``; at most one step per notification per check."""
        priorities = [priority.value for priority in self._book.deadlines]
        sent: list[EscalationSent] = []
        for candidate in await index.unacknowledged(priorities, now - self._book.chase_for):
            result = await self._escalate(candidate, now, correlation_id)
            sent.extend(result)
        return sent

    async def _escalate(self, candidate: Unacknowledged, now: datetime,
                        correlation_id: UUID) -> list[EscalationSent]:
        stream = notification_stream_id(candidate.notification_id)
        history = await self._store.load(stream)
        sent = sent_event(history)
        if sent is None or sent.pupil_ref is None:  # every alert is about a pupil; nothing else escalates
            return []
        chain = chain_in_force(await self._store.load(escalation_chain_stream_id(sent.recipient_organisation_id)))
        due = next_escalation(history, candidate.sent_at, chain, self._book, now).escalation
        newly: set[UUID] = set()
        if due is not None:
            expected = due
            meta = CommandMeta(command_id=expected.message_id, actor=SYSTEM_ACTOR,
                               organisation_id=PLATFORM_ORGANISATION, correlation_id=correlation_id,
                               causation_id=sent.cause_event_id, occurred_at=now)
            outcome = await self._executor.execute(
                stream, meta,
                lambda h: decide_escalation(h, expected, candidate.sent_at, chain, self._book, now))
            if outcome.event_ids and not outcome.duplicate:
                newly.add(expected.message_id)
            history = await self._store.load(stream)
        # A recorded step is delivered once: this one, or one a crash or a failed delivery left undelivered,
        # tried again at each check until its own deadline passes (then the next step is what counts).
        results = [await self._deliver(sent, sent.pupil_ref, step, step.message_id in newly, correlation_id, now)
                   for step in escalations(history) if now < step.acknowledge_by]
        return [r for r in results if r.newly_recorded or r.delivered_now]

    async def still_due(self, message: OutboundMessage, now: datetime) -> bool:
        """Whether a held message may still go at ``now``: any message that is not an escalation step, and a step
        while its notification is unacknowledged and the step's deadline has not passed (``step_still_due``)."""
        if message.notification_of is None:
            return True
        history = await self._store.load(notification_stream_id(message.notification_of))
        return step_still_due(history, message.notification_id, now)

    async def _deliver(self, sent: NotificationSent, pupil_ref: UUID, step: AlertEscalated, newly: bool,
                       correlation_id: UUID, now: datetime) -> EscalationSent:
        message = escalation_outbound(sent, step, pupil_ref)
        delivered = await self._dispatcher.deliver_or_retry(message, sent.notification_id, correlation_id, now)
        return EscalationSent(sent.notification_id, step.step, step.recipient_organisation_id,
                              step.recipient_role.value, newly, delivered)


def escalation_outbound(sent: NotificationSent, step: AlertEscalated, pupil_ref: UUID) -> OutboundMessage:
    """One step as a channel delivers it: to the role of the organisation the alert was sent to."""
    rendered = render_escalation(sent, step)
    return OutboundMessage(
        notification_id=step.message_id, rule_name=sent.rule_name, template_id=sent.template_id,
        audience=sent.audience, recipient_organisation_id=step.recipient_organisation_id,
        pupil_ref=pupil_ref, cause_event_id=sent.cause_event_id,
        cause_event_type="AlertEscalated", priority=sent.priority or "urgent", link_path=escalation_link(sent),
        subject=rendered.subject, body=rendered.body, recipient_role=step.recipient_role.value,
        notification_of=sent.notification_id,
    )
