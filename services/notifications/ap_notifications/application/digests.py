"""Send what waited for its time (issue 14): each daily digest due, and each message held for quiet hours.

Rule served: ``schedule.digest`` / ``schedule.quiet_hours`` (``domain/digest.py``): every held alert is sent
once, in the one batch it was put in. A batch's message id is the batch's (a digest's id comes from its
recipient and due time), so the delivery ledger lets it through once across restarts and overlapping checks;
a batch is marked done only when the ledger has it delivered, so a failed delivery is tried at the next check,
up to the schedule's ``delivery_attempts`` (then it is given up, logged as an error), each after its backoff
step (``retry_backoff_minutes``); a refused delivery is given up at once. An alert whose delivery at once failed
waits here too (``dispatch.py``). A check claims a batch before delivering it (``DueBatches.claim``), so two
checks at once send it once.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID

from ap_notifications.application.dispatch import AlertDispatcher
from ap_notifications.application.ports import OutboundMessage
from ap_notifications.domain.digest import DeliverySchedule
from ap_notifications.domain.digest_messages import DigestLine, render_digest
from ap_runtime.logging import get_logger

log = get_logger("ap.notifications.digests")

DIGEST_RULE = "daily_digest"


@dataclass(frozen=True, slots=True)
class Batch:
    batch_id: UUID
    kind: str
    recipient_organisation_id: str
    messages: tuple[OutboundMessage, ...]


class DueBatches(Protocol):
    async def due(self, now: datetime) -> list[Batch]: ...

    async def claim(self, batch_id: UUID, now: datetime, backoff_minutes: tuple[int, ...]) -> bool: ...

    async def mark_delivered(self, batch_id: UUID) -> None: ...

    async def record_failure(self, batch_id: UUID, max_attempts: int) -> int: ...


@dataclass(frozen=True, slots=True)
class Released:
    batch: Batch
    delivered_now: bool

    @property
    def notification_ids(self) -> tuple[UUID, ...]:
        """The alerts the batch sent, in the order they were recorded."""
        return tuple(m.notification_id for m in self.batch.messages)


def digest_outbound(batch: Batch) -> OutboundMessage:
    """One message listing every alert of the digest, to the recipient all of them were for."""
    first = batch.messages[0]
    lines = [DigestLine(m.subject, m.pupil_ref, m.link_path) for m in batch.messages]
    rendered = render_digest(lines)
    return OutboundMessage(
        notification_id=batch.batch_id, rule_name=DIGEST_RULE, template_id=DIGEST_RULE, audience=first.audience,
        recipient_organisation_id=batch.recipient_organisation_id, pupil_ref=None, cause_event_id=None,
        cause_event_type="DailyDigest", priority=first.priority, link_path="/notifications",
        subject=rendered.subject, body=rendered.body,
    )


StillDue = Callable[[OutboundMessage, datetime], Awaitable[bool]]
"""Whether a held message may still go at the given time (an escalation step: ``EscalationService.still_due``)."""


async def always_due(message: OutboundMessage, now: datetime) -> bool:
    return True


class HeldRelease:
    def __init__(self, dispatcher: AlertDispatcher, batches: DueBatches, max_attempts: int = 12,
                 backoff_minutes: tuple[int, ...] = DeliverySchedule().retry_backoff_minutes,
                 still_due: StillDue = always_due) -> None:
        self._dispatcher = dispatcher
        self._batches = batches
        # A batch that fails this many checks in a row is given up (logged), not tried for ever.
        self._max_attempts = max_attempts
        self._backoff_minutes = backoff_minutes
        # Issue 14: an escalation step waiting for its retry is dropped once acknowledged or past its deadline.
        self._still_due = still_due

    async def release(self, now: datetime, correlation_id: UUID) -> list[Released]:
        """Deliver every batch due by ``now`` that is not delivered yet."""
        released: list[Released] = []
        for batch in await self._batches.due(now):
            if not await self._batches.claim(batch.batch_id, now, self._backoff_minutes):
                continue  # not due yet (waiting its backoff), or another check has it
            if not batch.messages:
                await self._batches.mark_delivered(batch.batch_id)
                continue
            if batch.kind == "digest":
                message, failures_on = digest_outbound(batch), None
            else:
                message = batch.messages[0]
                failures_on = message.notification_of or message.notification_id  # an escalation step's own
                if not await self._still_due(message, now):
                    await self._batches.record_failure(batch.batch_id, 1)  # given up: its copy deleted
                    log.info("held message no longer due", batch_id=str(batch.batch_id))
                    continue
            attempt = await self._dispatcher.attempt(message, failures_on, correlation_id, self._max_attempts)
            if attempt.delivered_now or await self._dispatcher.delivered(message.notification_id):
                await self._delivered(batch)
                released.append(Released(batch, attempt.delivered_now))
            else:
                await self._failed(batch, attempt.will_retry)
        return released

    async def _delivered(self, batch: Batch) -> None:
        """Each alert of a digest counts as delivered: a replayed cause finds it so and holds nothing again, and
        the held copies can go (``mark_delivered`` deletes them)."""
        for item in batch.messages:
            await self._dispatcher.record_delivered(item.notification_id)
        await self._batches.mark_delivered(batch.batch_id)

    async def _failed(self, batch: Batch, will_retry: bool) -> None:
        """A refusal, or the last attempt allowed: the batch is given up (its copies deleted) now."""
        failures = await self._batches.record_failure(batch.batch_id, self._max_attempts if will_retry else 1)
        if not will_retry or failures >= self._max_attempts:
            log.error("held alerts given up: delivery refused or failed too often",
                      batch_id=str(batch.batch_id), kind=batch.kind, alerts=len(batch.messages), attempts=failures)
