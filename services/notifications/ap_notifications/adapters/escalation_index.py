"""Find notifications that may still escalate, straight from the notifications event store.

Like ``transfer_index``: the periodic check reads the store's own ``events`` table, so it does not depend on
a relay and a consumer being up. A notification may escalate while it is not acknowledged, its priority has
a deadline, and it is still chased (``EscalationRuleBook.chase_for``, which also bounds the scan); the sending
time is the ``NotificationSent`` event's ``occurred_at`` (the dispatcher's clock).
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import asyncpg

from ap_notifications.application.escalation import Unacknowledged

_UNACKNOWLEDGED = """
SELECT e.stream_id, e.occurred_at FROM events e
WHERE e.event_type = 'NotificationSent' AND e.stream_id LIKE 'notification-%'
  AND e.payload->>'priority' = ANY($1::text[]) AND e.occurred_at >= $2
  AND NOT EXISTS (SELECT 1 FROM events a
                  WHERE a.stream_id = e.stream_id AND a.event_type = 'NotificationAcknowledged')
ORDER BY e.occurred_at, e.stream_id
"""


class StoreEscalationIndex:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def unacknowledged(self, priorities: list[str], sent_since: datetime) -> list[Unacknowledged]:
        rows = await self._pool.fetch(_UNACKNOWLEDGED, priorities, sent_since)
        return [Unacknowledged(UUID(r["stream_id"].removeprefix("notification-")), r["occurred_at"]) for r in rows]
