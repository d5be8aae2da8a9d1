"""Record an alert as ``NotificationSent`` (exactly once) and hand it to the delivery channel.

The command id is the notification id derived from (cause event, rule, audience, recipient), so a
redelivered or replayed cause records nothing new. Delivery is at least once: the delivery ledger
skips notifications already delivered, and only a crash between delivering and recording the
delivery can repeat one (the file outbox rewrites the same file; email carries the notification id
as its Message-ID). A failed delivery is recorded as ``NotificationDeliveryFailed``. One that may succeed
later (``domain/delivery_retry.py``) is recorded ``will_retry`` and held for the periodic check
(``application/digests.py``), which tries it again with backoff up to ``schedule.delivery_attempts`` and then
gives it up (the last failure is recorded ``will_retry=false``); a refusal is not retried. An escalation step's message
is retried the same way (``deliver_or_retry``). An alert decided
from an event whose time has passed (``domain/recency.py``) is neither recorded nor delivered:
a rebuild or a new deployment reads old events again and must message nobody about them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID, uuid4

from ap_contracts.envelope import Actor
from ap_notifications.application.ports import Delivery, DeliveryError, DeliveryLedger, HeldMessages, OutboundMessage
from ap_notifications.domain.alerts import Alert
from ap_notifications.domain.delivery_retry import retry_at, will_retry
from ap_notifications.domain.digest import DeliverySchedule, Timing, digest_id, next_digest_at, when_to_deliver
from ap_notifications.domain.messages import render
from ap_notifications.domain.notification import (
    decide_delivery_failed,
    decide_send,
    delivery_failure_command_id,
    notification_id_for,
    notification_stream_id,
)
from ap_notifications.domain.recency import cause_is_history
from ap_notifications.domain.rulebook import DEFAULT_RULE_BOOK, AlertRuleBook
from ap_runtime.commands import CommandExecutor, CommandMeta
from ap_runtime.logging import get_logger

log = get_logger("ap.notifications.dispatch")

PLATFORM_ORGANISATION = "ap-platform"
SYSTEM_ACTOR = Actor(user_id="ap-notifications", organisation_id=PLATFORM_ORGANISATION)


@dataclass(frozen=True, slots=True)
class Attempt:
    """One delivery attempt: delivered by it, or failed and to be tried again (``will_retry``)."""

    delivered_now: bool
    will_retry: bool = False


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
    def __init__(self, executor: CommandExecutor, delivery: Delivery, ledger: DeliveryLedger,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC),
                 schedule: DeliverySchedule | None = None, held: HeldMessages | None = None,
                 book: AlertRuleBook = DEFAULT_RULE_BOOK) -> None:
        self._executor = executor
        self._book = book  # how recent a cause must be for its alert to be sent (issue 14)
        self._delivery = delivery
        self._ledger = ledger
        # When a notification is recorded as sent: the escalation deadline counts from it (issue 14).
        self._clock = clock
        # Issue 14: digests and quiet hours; without a schedule (or a place to hold messages) all go at once.
        self._schedule = schedule if held is not None else None
        self._held = held
        # Issue 14: an alert whose delivery at once failed for a passing reason waits with the held ones.
        self._retries = (schedule or DeliverySchedule()) if held is not None else None

    async def dispatch(self, alert: Alert, correlation_id: UUID,
                       cause_recorded_at: datetime | None = None) -> Dispatched:
        """Record and deliver ``alert`` once; with ``cause_recorded_at`` (an alert decided from an event), only
        while that event is recent by the rule book (``domain/recency.py``), else nothing at all."""
        notification_id = notification_id_for(alert.cause_event_id, alert.rule_name, alert.audience,
                                               alert.recipient_organisation_id)
        channel = self._delivery.channel
        at = self._clock()
        if cause_recorded_at is not None and self.is_history(alert.rule_name, cause_recorded_at, at):
            log.info("alert not sent: its cause is history", rule=alert.rule_name, rule_book=self._book.version,
                     cause_event_id=str(alert.cause_event_id), cause_recorded_at=cause_recorded_at.isoformat())
            return Dispatched(notification_id, False, False)
        meta = self._meta(notification_id, correlation_id, alert.cause_event_id, at)
        outcome = await self._executor.execute(notification_stream_id(notification_id), meta,
                                               lambda history: decide_send(history, alert, channel))
        recorded = bool(outcome.event_ids) and not outcome.duplicate
        message = outbound(notification_id, alert)
        when = when_to_deliver(self._schedule, alert.audience, alert.priority, at)
        if when.timing is not Timing.NOW and when.due_at is not None:
            await self._hold(message, when.timing, when.due_at)
            return Dispatched(notification_id, recorded, False)
        if not recorded and self._held is not None and await self._held.pending(message.notification_id):
            return Dispatched(notification_id, False, False)  # a replay while a retry waits: the retry sends it
        retries = self._retries
        attempt = await self.attempt(message, notification_id, correlation_id,
                                     0 if retries is None else retries.delivery_attempts)
        if attempt.will_retry and retries is not None:
            await self._hold_for_retry(message, retries, at)
        return Dispatched(notification_id, recorded, attempt.delivered_now)

    def is_history(self, rule_name: str, cause_recorded_at: datetime, now: datetime | None = None) -> bool:
        """Whether an event recorded at ``cause_recorded_at`` is too old to act on under ``rule_name`` now
        (issue 14: a rebuild or a new deployment messages nobody about the past; ``domain/recency.py``)."""
        return cause_is_history(rule_name, cause_recorded_at, now or self._clock(), self._book)

    async def _hold(self, message: OutboundMessage, timing: Timing, due_at: datetime) -> None:
        """Keep the message for its digest or for the end of quiet hours (``schedule.digest``, ``.quiet_hours``)."""
        held, schedule = self._held, self._schedule
        if held is None or schedule is None or await self._ledger.delivered(message.notification_id):
            return  # delivered before (a replay of an alert sent at once): nothing to hold
        org, audience = message.recipient_organisation_id, message.audience
        if timing is Timing.DIGEST:
            def next_digest(after: datetime) -> tuple[UUID, datetime]:
                due = next_digest_at(schedule, audience, after)
                return digest_id(org, audience, due), due
            await held.hold(message, "digest", digest_id(org, audience, due_at), due_at, next_digest)
        else:
            await held.hold(message, "held", message.notification_id, due_at, lambda after: (uuid4(), after))

    async def _hold_for_retry(self, message: OutboundMessage, retries: DeliverySchedule, failed_at: datetime) -> None:
        """Hold a message whose first attempt failed, due after the first backoff step, its failure counted."""
        held = self._held
        if held is None:
            return
        batch = await held.hold(message, "held", message.notification_id, retry_at(retries, 1, failed_at),
                                lambda after: (uuid4(), after))
        await held.record_failure(batch, retries.delivery_attempts)

    async def delivered(self, message_id: UUID) -> bool:
        return await self._ledger.delivered(message_id)

    async def record_delivered(self, message_id: UUID) -> None:
        """Count a message as delivered by this channel (an alert sent inside a digest)."""
        await self._ledger.record_delivered(message_id, self._delivery.channel)

    async def forget_pupil(self, pupil_ref: UUID) -> None:
        """An erased pupil's messages still waiting (digest, quiet hours, retry) are dropped unsent."""
        if self._held is not None:
            dropped = await self._held.forget_pupil(pupil_ref)
            log.info("erased pupil's waiting messages dropped", pupil_ref=str(pupil_ref), dropped=dropped)

    async def deliver_or_retry(self, message: OutboundMessage, notification_id: UUID, correlation_id: UUID,
                               now: datetime) -> bool:
        """Deliver a second message of a recorded notification (an escalation step) as an at-once alert is
        delivered: once, and after a passing failure held for the periodic check, which retries it with the same
        backoff and bound (``domain/delivery_retry.py``). A message held once is the check's from then on (sent,
        waiting or given up), so a later call never sends it beside the check. True when delivered by this call."""
        held, retries = self._held, self._retries
        if held is None or retries is None:
            return (await self.attempt(message, notification_id, correlation_id, 0)).delivered_now
        if await held.held_alone(message.notification_id):
            return False
        attempt = await self.attempt(message, notification_id, correlation_id, retries.delivery_attempts)
        if attempt.will_retry:
            await self._hold_for_retry(message, retries, now)
        return attempt.delivered_now

    async def attempt(self, message: OutboundMessage, notification_id: UUID | None, correlation_id: UUID,
                      attempts_allowed: int) -> Attempt:
        """Deliver a message of ``notification_id`` unless the ledger has it delivered.

        The message's own id keys the ledger: an escalation step is a second message of one notification.
        A failure is recorded on the notification's stream as ``NotificationDeliveryFailed`` (a digest, of no
        one notification, keeps its failures in the ledger only and is tried again). True when delivered by
        this call. A failure is ``will_retry`` when passing and fewer than ``attempts_allowed`` attempts of the
        message failed (the caller tries it again; ``domain/delivery_retry.py``).
        """
        if await self._ledger.delivered(message.notification_id):
            return Attempt(False)
        channel = self._delivery.channel
        try:
            await self._delivery.deliver(message)
        except DeliveryError as exc:
            failure, reason = exc.failure, str(exc)
            attempt = await self._ledger.record_failed(message.notification_id, channel, failure)
            log.warning("notification not delivered", notification_id=str(notification_id),
                        message_id=str(message.notification_id), failure=failure.value, attempt=attempt)
            retry = exc.safe_to_retry and will_retry(failure, attempt, attempts_allowed)
            if notification_id is None or message.cause_event_id is None:
                return Attempt(False, retry)
            await self._executor.execute(
                notification_stream_id(notification_id),
                self._meta(delivery_failure_command_id(message.notification_id, attempt), correlation_id,
                           message.cause_event_id),
                lambda history: decide_delivery_failed(history, notification_id, channel, failure, attempt,
                                                       will_retry=retry, provider_detail=reason),
            )
            return Attempt(False, retry)
        await self._ledger.record_delivered(message.notification_id, channel)
        return Attempt(True)

    @staticmethod
    def _meta(command_id: UUID, correlation_id: UUID, cause: UUID, at: datetime | None = None) -> CommandMeta:
        return CommandMeta(command_id=command_id, actor=SYSTEM_ACTOR, organisation_id=PLATFORM_ORGANISATION,
                           correlation_id=correlation_id, causation_id=cause, occurred_at=at)
