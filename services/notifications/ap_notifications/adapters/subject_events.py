"""Every event the notifications store holds about one pupil (sealed), for subject access."""

from __future__ import annotations

from uuid import UUID

import asyncpg

from ap_runtime.eventstore import StoredEvent
from ap_runtime.eventstore.store import row_to_stored

_ABOUT_SQL = (
    "SELECT position, transaction_id::text::bigint AS transaction_id, event_id, stream_id, stream_version,"
    " event_type, schema_version, occurred_at, recorded_at, organisation_id, actor, correlation_id, causation_id,"
    " pii_subject, payload FROM events WHERE pii_subject = $1 ORDER BY transaction_id, position"
)


async def events_about(pool: asyncpg.Pool, pupil_ref: UUID) -> list[StoredEvent]:
    """Notifications, acknowledgements, delivery failures and file transfers naming the pupil, in order."""
    return [row_to_stored(row) for row in await pool.fetch(_ABOUT_SQL, str(pupil_ref))]
