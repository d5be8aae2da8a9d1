"""The alert worker's consumer of privacy events: tell the DSLs of every break-glass read.

A ``Projection`` so the runner delivers each event exactly once per group and again after a
crash; the alerts go through the idempotent dispatcher (notification ids derived from the cause
event), so a redelivered or replayed event alerts nobody twice, and an event that is history by the rule book
(``domain/recency.py``: a rebuild, a new deployment) alerts nobody at all. It keeps no read model of its own.
"""

from __future__ import annotations

from typing import ClassVar

import asyncpg

from ap_contracts.events.privacy import BreakGlassAccessUsed
from ap_contracts.topics import PRIVACY_EVENTS
from ap_notifications.application.dispatch import AlertDispatcher
from ap_notifications.domain.access_alerts import break_glass_alerts
from ap_runtime.logging import get_logger
from ap_runtime.projection import Projection, ReceivedEvent

log = get_logger("ap.notifications.access_alerts")


class AccessAlertProjection(Projection):
    name: ClassVar[str] = "notification_access_alerts"
    needs_personal_data: ClassVar[bool] = False

    def __init__(self, dispatcher: AlertDispatcher, topics: tuple[str, ...] = (PRIVACY_EVENTS,)) -> None:
        self.topics = topics
        self._dispatcher = dispatcher

    async def setup(self, conn: asyncpg.Connection) -> None:
        """Nothing to keep: the notifications themselves are the record."""

    async def apply(self, conn: asyncpg.Connection, event: ReceivedEvent) -> None:
        if event.event_type != BreakGlassAccessUsed.event_type:
            return
        used = BreakGlassAccessUsed.model_validate({k: v for k, v in event.payload.items() if not k.startswith("_")})
        alerts = break_glass_alerts(used, event.envelope.event_id)
        if not alerts:
            log.warning("break-glass read of a pupil with no known provision or home school; no DSL to tell",
                        event_id=str(event.envelope.event_id))
        for alert in alerts:
            await self._dispatcher.dispatch(alert, event.envelope.correlation_id,
                                            cause_recorded_at=event.envelope.recorded_at)
