"""Dispatch the alerts of a batch of events: in order for each recipient, recipients side by side (issue 14).

Why: each alert is recorded (a command on its own stream) and handed to its channel before the next, so at 100
absences a second, each telling the home school and the commissioner, one worker spent its time waiting on
PostgreSQL and the mail relay one message after another and fell seconds behind. Alerts to different recipients
share nothing (each is its own notification stream, its own ledger row, its own message), so they go side by
side; the alerts to one recipient (organisation and audience) keep the order of their causes, as a recipient
reads them. Exactly once is each ``dispatch``'s, unchanged: a failure cancels the others and fails the batch,
which the runner applies again, and a dispatch done before the failure records and delivers nothing twice.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from ap_notifications.application.dispatch import AlertDispatcher
from ap_notifications.domain.alerts import Alert

DEFAULT_CONCURRENCY = 8
"""Recipients served at once: below the notifications pool's ten connections, one of which holds the batch."""


@dataclass(frozen=True, slots=True)
class PendingAlert:
    """An alert decided from an event of the batch, with what ``AlertDispatcher.dispatch`` needs of the event."""

    alert: Alert
    correlation_id: UUID
    cause_recorded_at: datetime


async def dispatch_in_order(dispatcher: AlertDispatcher, pending: Sequence[PendingAlert],
                            concurrency: int = DEFAULT_CONCURRENCY) -> None:
    """Dispatch every pending alert: one recipient's in the order given, different recipients concurrently."""
    by_recipient: dict[tuple[str, str], list[PendingAlert]] = {}
    for item in pending:
        key = (item.alert.recipient_organisation_id, item.alert.audience.value)
        by_recipient.setdefault(key, []).append(item)
    if len(by_recipient) <= 1:
        for item in pending:
            await dispatcher.dispatch(item.alert, item.correlation_id, cause_recorded_at=item.cause_recorded_at)
        return
    gate = asyncio.Semaphore(concurrency)

    async def one_recipient(items: list[PendingAlert]) -> None:
        async with gate:
            for item in items:
                await dispatcher.dispatch(item.alert, item.correlation_id, cause_recorded_at=item.cause_recorded_at)

    async with asyncio.TaskGroup() as group:
        for items in by_recipient.values():
            group.create_task(one_recipient(items))
