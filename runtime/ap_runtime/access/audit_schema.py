"""The access audit table: its layout, append-only triggers, and the mapping of rows to records.

Moved from ``audit.py`` (issue 10, size), which re-exports what others use. Rule served: the log is
append-only (a trigger rejects UPDATE, DELETE and TRUNCATE, save dropping an old free-text purpose).
"""

from __future__ import annotations

from typing import Any

import asyncpg

from ap_runtime.access.audit_chain import AuditRecord
from ap_runtime.access.purpose import NOTE_RETENTION_DAYS

TABLE = "access_audit"
# Advisory-lock keys ("ap_audit" in ASCII, and the next number for schema creation).
CHAIN_LOCK_KEY = 0x61705F6175646974
SCHEMA_LOCK_KEY = CHAIN_LOCK_KEY + 1

COLUMNS = (
    "seq",
    "at",
    "user_id",
    "roles",
    "organisation_id",
    "pupil_ref",
    "record_class",
    "action",
    "purpose",
    "purpose_category",
    "purpose_digest",
    "decision",
    "rule_id",
    "reason",
    "correlation_id",
    "break_glass",
    "recipients",
    "policy_version",
    "prev_hash",
    "hash",
    "key_id",
)

SCHEMA_SQL = f"""
CREATE TABLE IF NOT EXISTS {TABLE} (
    seq             bigint      PRIMARY KEY CHECK (seq > 0),
    at              timestamptz NOT NULL,
    user_id         text        NOT NULL,
    roles           text[]      NOT NULL,
    organisation_id text        NOT NULL,
    pupil_ref       uuid,
    record_class    text,
    action          text        NOT NULL,
    purpose         text,
    decision        text        NOT NULL CHECK (decision IN ('allowed', 'denied')),
    rule_id         text        NOT NULL,
    reason          text        NOT NULL,
    correlation_id  uuid,
    break_glass     boolean     NOT NULL,
    recipients      text[]      NOT NULL,
    policy_version  text        NOT NULL,
    prev_hash       char(64)    NOT NULL,
    hash            char(64)    NOT NULL
);
ALTER TABLE {TABLE} ADD COLUMN IF NOT EXISTS key_id text NOT NULL DEFAULT '';
ALTER TABLE {TABLE} ADD COLUMN IF NOT EXISTS purpose_category text;
ALTER TABLE {TABLE} ADD COLUMN IF NOT EXISTS purpose_digest char(64);
CREATE INDEX IF NOT EXISTS {TABLE}_pupil_idx ON {TABLE} (pupil_ref, seq) WHERE pupil_ref IS NOT NULL;
CREATE INDEX IF NOT EXISTS {TABLE}_user_idx ON {TABLE} (user_id, seq);
CREATE INDEX IF NOT EXISTS {TABLE}_at_idx ON {TABLE} (at);

CREATE OR REPLACE FUNCTION {TABLE}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- The one change allowed: the retention job dropping a free-text purpose older than the notes'
    -- retention period (its keyed digest stays in the chain, so the record still verifies).
    -- Anything else is rejected.
    IF TG_OP = 'UPDATE' AND OLD.purpose IS NOT NULL AND NEW.purpose IS NULL
       AND OLD.at < now() - interval '{NOTE_RETENTION_DAYS} days'
       AND (to_jsonb(NEW) - 'purpose') = (to_jsonb(OLD) - 'purpose') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION '{TABLE} is append-only: % rejected', TG_OP;
END
$$;
CREATE OR REPLACE TRIGGER {TABLE}_no_update_delete
    BEFORE UPDATE OR DELETE ON {TABLE} FOR EACH ROW EXECUTE FUNCTION {TABLE}_append_only();
CREATE OR REPLACE TRIGGER {TABLE}_no_truncate
    BEFORE TRUNCATE ON {TABLE} FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_append_only();
"""


async def ensure_schema(conn: asyncpg.Connection) -> None:
    """Create the audit table, indexes and append-only triggers if missing (safe to run concurrently)."""
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", SCHEMA_LOCK_KEY)
        # The append-only audit role (ap_runtime.pg_roles) may only SELECT and INSERT: the admin ran
        # this DDL when it provisioned the roles, and the role could not run it anyway.
        if not await conn.fetchval("SELECT has_schema_privilege(current_schema(), 'CREATE')"):
            return
        await conn.execute(SCHEMA_SQL)


def row_values(record: AuditRecord) -> tuple[Any, ...]:
    return (
        record.seq,
        record.at,
        record.user_id,
        list(record.roles),
        record.organisation_id,
        record.pupil_ref,
        record.record_class,
        record.action,
        record.purpose,
        record.purpose_category,
        record.purpose_digest,
        record.decision,
        record.rule_id,
        record.reason,
        record.correlation_id,
        record.break_glass,
        list(record.recipients),
        record.policy_version,
        record.prev_hash,
        record.hash,
        record.key_id,
    )


def from_row(row: asyncpg.Record) -> AuditRecord:
    return AuditRecord(
        seq=row["seq"],
        at=row["at"],
        user_id=row["user_id"],
        roles=tuple(row["roles"]),
        organisation_id=row["organisation_id"],
        pupil_ref=row["pupil_ref"],
        record_class=row["record_class"],
        action=row["action"],
        purpose=row["purpose"],
        purpose_category=row["purpose_category"],
        purpose_digest=None if row["purpose_digest"] is None else row["purpose_digest"].strip(),
        decision=row["decision"],
        rule_id=row["rule_id"],
        reason=row["reason"],
        correlation_id=row["correlation_id"],
        break_glass=row["break_glass"],
        recipients=tuple(row["recipients"]),
        policy_version=row["policy_version"],
        prev_hash=row["prev_hash"],
        hash=row["hash"],
        key_id=row["key_id"],
    )
