"""The relay's reads and checkpoint writes, on the connection that holds its leadership.

The same commit-safe read as ``EventStore.read_all_encoded`` (see ``eventstore/schema.py``), but on
one given connection: a leader that lost its session cannot read a batch, nor record a checkpoint.
"""

from __future__ import annotations

import asyncpg

from ap_runtime.eventstore.models import Checkpoint, EncodedEvent

_READ = (
    "SELECT transaction_id::text::bigint AS t, position, stream_id, event_type, schema_version,"
    " event_id, correlation_id, causation_id, occurred_at,"
    " json_build_object('event_id', event_id, 'event_type', event_type, 'schema_version', schema_version,"
    "   'stream_id', stream_id, 'stream_version', stream_version, 'occurred_at', occurred_at,"
    "   'recorded_at', recorded_at, 'actor', actor, 'organisation_id', organisation_id,"
    "   'correlation_id', correlation_id, 'causation_id', causation_id, 'pii_subject', pii_subject,"
    "   'payload', payload)::text AS envelope"
    " FROM events WHERE (transaction_id, position) > ($1::text::xid8, $2)"
    "   AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())"
    " ORDER BY transaction_id, position LIMIT $3"
)

# Monotonic: a checkpoint never moves back (a stale writer could only cause re-sends, never a gap).
_SAVE = (
    "INSERT INTO relay_checkpoints (relay, transaction_id, position, published)"
    " VALUES ($1, $2::text::xid8, $3, $4)"
    " ON CONFLICT (relay) DO UPDATE SET transaction_id = EXCLUDED.transaction_id,"
    " position = EXCLUDED.position, published = relay_checkpoints.published + $4, updated_at = now()"
    " WHERE (relay_checkpoints.transaction_id, relay_checkpoints.position)"
    "     < (EXCLUDED.transaction_id, EXCLUDED.position)"
)


async def read_batch(conn: asyncpg.Connection, after: Checkpoint, limit: int) -> list[EncodedEvent]:
    """Events after ``after`` in commit-safe global order, each envelope rendered as JSON by PostgreSQL."""
    rows = await conn.fetch(_READ, str(after.transaction_id), after.position, limit)
    return [EncodedEvent(r["t"], r["position"], r["stream_id"], r["event_type"], r["schema_version"],
                         r["event_id"], r["correlation_id"], r["causation_id"], r["envelope"].encode(),
                         r["occurred_at"])
            for r in rows]


async def load_checkpoint(conn: asyncpg.Connection, relay: str) -> Checkpoint:
    row = await conn.fetchrow(
        "SELECT transaction_id::text::bigint AS t, position FROM relay_checkpoints WHERE relay = $1", relay)
    return Checkpoint() if row is None else Checkpoint(row["t"], row["position"])


async def save_checkpoint(conn: asyncpg.Connection, relay: str, cp: Checkpoint, published: int) -> None:
    await conn.execute(_SAVE, relay, str(cp.transaction_id), cp.position, published)
