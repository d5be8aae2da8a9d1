"""DDL of the event store.

Global order for readers is (transaction_id, position), not position alone: positions come from a
sequence and concurrent transactions commit out of sequence order. Readers only take rows whose
transaction id is below the oldest transaction still running (``pg_snapshot_xmin``), so a row can
never appear behind a reader's checkpoint after the reader has passed it.
"""

from __future__ import annotations

import asyncpg

DDL = """
CREATE TABLE IF NOT EXISTS events (
    position        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    transaction_id  xid8 NOT NULL DEFAULT pg_current_xact_id(),
    event_id        uuid NOT NULL UNIQUE,
    stream_id       text NOT NULL,
    stream_version  integer NOT NULL CHECK (stream_version >= 1),
    event_type      text NOT NULL,
    schema_version  integer NOT NULL,
    occurred_at     timestamptz NOT NULL,
    recorded_at     timestamptz NOT NULL DEFAULT now(),
    organisation_id text NOT NULL,
    actor           jsonb NOT NULL,
    correlation_id  uuid NOT NULL,
    causation_id    uuid,
    pii_subject     text,
    payload         jsonb NOT NULL,
    UNIQUE (stream_id, stream_version)
);
CREATE INDEX IF NOT EXISTS events_global_order ON events (transaction_id, position);
CREATE INDEX IF NOT EXISTS events_pii_subject ON events (pii_subject) WHERE pii_subject IS NOT NULL;

CREATE TABLE IF NOT EXISTS streams (
    stream_id text PRIMARY KEY,
    version   integer NOT NULL
);

CREATE TABLE IF NOT EXISTS relay_checkpoints (
    relay          text PRIMARY KEY,
    transaction_id xid8 NOT NULL,
    position       bigint NOT NULL,
    published      bigint NOT NULL DEFAULT 0,
    updated_at     timestamptz NOT NULL DEFAULT now()
);

-- The history is append-only: corrections are new events, erasure destroys keys, not rows.
CREATE OR REPLACE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'events are append-only (% refused)', TG_OP;
END $$;
-- Created once: dropping and re-creating it on every start would lock the table against appends.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = 'events_append_only'
                   AND tgrelid = 'events'::regclass) THEN
        CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
            FOR EACH ROW EXECUTE FUNCTION events_append_only();
    END IF;
END $$;
"""

_MIGRATION_LOCK = 7_041_001


async def migrate(pool: asyncpg.Pool) -> None:
    """Create the event store tables if they are missing (safe to run from many processes)."""
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", _MIGRATION_LOCK)
        await conn.execute(DDL)
