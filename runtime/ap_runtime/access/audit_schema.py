"""The access audit table: its layout, append-only triggers, and the mapping of rows to records.

Moved from ``audit.py`` (issue 10, size), which re-exports what others use. Rule served: the log is
append-only (a trigger rejects UPDATE, DELETE and TRUNCATE, save dropping an old free-text purpose).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import asyncpg
import orjson

from ap_runtime.access.audit_chain import AuditRecord
from ap_runtime.access.purpose import NOTE_RETENTION_DAYS
from ap_runtime.no_flush_wait import NO_FLUSH_WAIT_CTE, NO_FLUSH_WAIT_JOIN

TABLE = "access_audit"
# Advisory-lock keys ("ap_audit" in ASCII, and the next number for schema creation).
CHAIN_LOCK_KEY = 0x61705F6175646974
SCHEMA_LOCK_KEY = CHAIN_LOCK_KEY + 1

# The columns are the stored record's fields, named once by ``AuditRecord``; the two mappings below follow them.
COLUMNS = tuple(f.name for f in dataclasses.fields(AuditRecord))
# Tuples in the record, text[] in the table.
_ARRAY_COLUMNS = frozenset({"roles", "recipients"})

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
-- Several chains (issue 11): each writing process appends to its own chain, without a lock shared with the
-- others. A record's place in its chain is chain_seq (NULL on records from before: their place is seq, as
-- their chain was the one chain); seq numbers every chain's records in one order for readers, from a
-- sequence. The unique index refuses two records at one place of a chain: a chain never forks.
ALTER TABLE {TABLE} ADD COLUMN IF NOT EXISTS chain_id text NOT NULL DEFAULT '';
ALTER TABLE {TABLE} ADD COLUMN IF NOT EXISTS chain_seq bigint CHECK (chain_seq > 0);
CREATE SEQUENCE IF NOT EXISTS {TABLE}_seq OWNED BY {TABLE}.seq;
SELECT setval('{TABLE}_seq', t.m) FROM (SELECT max(seq) AS m FROM {TABLE}) t, {TABLE}_seq s
    WHERE t.m >= s.last_value + s.is_called::int;  -- records from before: number after them
ALTER TABLE {TABLE} ALTER COLUMN seq SET DEFAULT nextval('{TABLE}_seq');
CREATE UNIQUE INDEX IF NOT EXISTS {TABLE}_chain_idx ON {TABLE} (chain_id, (COALESCE(chain_seq, seq)));
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
"""  # noqa: S608  # nosec B608 - constant table name


async def ensure_schema(conn: asyncpg.Connection) -> None:
    """Create the audit table, indexes and append-only triggers if missing (safe to run concurrently)."""
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", SCHEMA_LOCK_KEY)
        # The append-only audit role (ap_runtime.pg_roles) may only SELECT and INSERT: the admin ran
        # this DDL when it provisioned the roles, and the role could not run it anyway.
        if not await conn.fetchval("SELECT has_schema_privilege(current_schema(), 'CREATE')"):
            return
        await conn.execute(SCHEMA_SQL)


_INSERTED = [c for c in COLUMNS if c != "seq"]
_INSERTED_COLUMNS = ", ".join(_INSERTED)


def _insert_sql(flush_wait: bool) -> str:
    """Each record is numbered by the sequence as it is inserted, in its chain's order; the statement answers the
    numbers. (One jsonb parameter carries a batch of records holding arrays.) ``flush_wait`` False: its transaction
    commits without waiting for its WAL flush (``ap_runtime.no_flush_wait``), for entries a later durable commit on
    the same server makes durable before the access is served (``ap_runtime.access.command_audit``)."""
    with_, join = ("", "") if flush_wait else (f"WITH {NO_FLUSH_WAIT_CTE}\n", f" {NO_FLUSH_WAIT_JOIN}")
    return (f"{with_}INSERT INTO {TABLE} ({_INSERTED_COLUMNS})\n"  # nosec B608 - constant table and column names
            f"SELECT {_INSERTED_COLUMNS} FROM jsonb_populate_recordset(NULL::{TABLE}, $1::jsonb){join}"
            " ORDER BY chain_id, chain_seq\nRETURNING seq, chain_seq\n")


INSERT_SQL = _insert_sql(flush_wait=True)
INSERT_WITHOUT_FLUSH_WAIT_SQL = _insert_sql(flush_wait=False)


def insert_document(records: Sequence[AuditRecord]) -> str:
    """``records`` (chained, in their chain's order) as the jsonb parameter of ``INSERT_SQL``: orjson's text, the
    same JSON values as the standard library's (PostgreSQL parses it; the chain's hash never sees this text)."""
    return orjson.dumps([_json_row(r) for r in records]).decode()


def _json_row(record: AuditRecord) -> dict[str, Any]:
    row = {name: getattr(record, name) for name in _INSERTED}
    for name in _ARRAY_COLUMNS:
        row[name] = list(row[name])
    row["at"] = record.at.isoformat()
    for name in ("pupil_ref", "correlation_id"):
        row[name] = None if row[name] is None else str(row[name])
    row["chain_seq"] = record.chain_position
    return row


def row_values(record: AuditRecord) -> tuple[Any, ...]:
    """The record's values in ``COLUMNS`` order, as ``COPY`` takes them."""
    return tuple(list(getattr(record, name)) if name in _ARRAY_COLUMNS else getattr(record, name) for name in COLUMNS)


def from_row(row: asyncpg.Record) -> AuditRecord:
    """The record a row of the table holds (``purpose_digest`` is char(64): PostgreSQL may pad it)."""
    values = {name: row[name] for name in COLUMNS}
    for name in _ARRAY_COLUMNS:
        values[name] = tuple(values[name])
    if values["purpose_digest"] is not None:
        values["purpose_digest"] = values["purpose_digest"].strip()
    return AuditRecord(**values)
