"""Which pupils the incidents event store holds: one ``pupil-<ref>`` stream each."""

from __future__ import annotations

from collections.abc import AsyncIterator
from uuid import UUID

import asyncpg

PUPIL_STREAM_PREFIX = "pupil-"
_PAGE_SQL = (
    "SELECT stream_id FROM streams WHERE stream_id LIKE 'pupil-%' AND stream_id > $1 ORDER BY stream_id LIMIT $2"
)


async def pupil_refs(pool: asyncpg.Pool, *, page_size: int = 500) -> AsyncIterator[UUID]:
    """Every pupil with a stream, in a stable order, a page at a time (streams are never deleted)."""
    after = ""
    while True:
        rows = await pool.fetch(_PAGE_SQL, after, page_size)
        for row in rows:
            stream_id: str = row["stream_id"]
            try:
                yield UUID(stream_id[len(PUPIL_STREAM_PREFIX):])
            except ValueError:
                continue  # not a pupil stream of this service's naming
        if len(rows) < page_size:
            return
        after = rows[-1]["stream_id"]
