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


_OF_ORGANISATION = """
SELECT stream_id FROM events
WHERE event_type = 'SafeguardingFileOffered' AND stream_id LIKE $1
  AND $2 IN (payload->>'from_organisation_id', payload->>'receiving_dsl_organisation_id')
ORDER BY position DESC
"""


class StoreTransferIndex:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def unconfirmed_transfer_ids(self) -> list[UUID]:
        rows = await self._pool.fetch(_UNCONFIRMED, TRANSFER_STREAM_PREFIX + "%")
        return [UUID(r["stream_id"].removeprefix(TRANSFER_STREAM_PREFIX)) for r in rows]

    async def transfer_ids_of(self, organisation_id: str) -> list[UUID]:
        """The transfers the organisation sends or whose file its DSL receives, newest offer first."""
        rows = await self._pool.fetch(_OF_ORGANISATION, TRANSFER_STREAM_PREFIX + "%", organisation_id)
        return [UUID(r["stream_id"].removeprefix(TRANSFER_STREAM_PREFIX)) for r in rows]
