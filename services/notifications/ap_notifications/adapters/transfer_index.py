"""Find safeguarding file transfers not yet confirmed, straight from the notifications event store.

Reads the event store's own tables (``streams``, ``events``) because the scheduled check must not
depend on a relay and a consumer being up: the store is the source of truth for deadlines.
"""

from __future__ import annotations

from uuid import UUID

import asyncpg

from ap_notifications.domain.transfers import TRANSFER_STREAM_PREFIX

_UNCONFIRMED = """
SELECT s.stream_id FROM streams s
WHERE s.stream_id LIKE $1
  AND NOT EXISTS (SELECT 1 FROM events e
                  WHERE e.stream_id = s.stream_id AND e.event_type = 'SafeguardingFileReceiptConfirmed')
ORDER BY s.stream_id
"""


class StoreTransferIndex:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def unconfirmed_transfer_ids(self) -> list[UUID]:
        rows = await self._pool.fetch(_UNCONFIRMED, TRANSFER_STREAM_PREFIX + "%")
        return [UUID(r["stream_id"].removeprefix(TRANSFER_STREAM_PREFIX)) for r in rows]
