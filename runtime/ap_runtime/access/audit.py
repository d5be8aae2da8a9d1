"""The access audit trail in its own PostgreSQL database (``ap_audit``): append, verify, query.

Rules served: every access decision, allowed or denied, is logged with who, when, which pupil,
which record class, what action, why and the outcome, never the data (STATUTORY.md, DPA 2018
s.62); the log is append-only (a trigger rejects UPDATE, DELETE and TRUNCATE, save dropping an old
free-text purpose) and chained with a keyed HMAC whose key the database does not hold, its head
published to a separate append-only store (``audit_heads``), so edits, deletions and truncation are
detected by ``verify``. Appends take one transaction-scoped advisory lock, so the chain has a
single writer at a time across every process; many entries share one transaction to stay fast.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol
from uuid import UUID

import asyncpg

from ap_runtime.access.audit_chain import GENESIS_HASH, AuditEntry, AuditRecord, chain, record_problem
from ap_runtime.access.audit_heads import PublishedHead
from ap_runtime.access.chain_keys import ChainKeyRing, chain_keys_from_env
from ap_runtime.access.purpose import NOTE_RETENTION_DAYS
from ap_runtime.settings import database_dsn

AUDIT_DATABASE = "ap_audit"
TABLE = "access_audit"
# Advisory-lock keys ("ap_audit" in ASCII, and the next number for schema creation).
CHAIN_LOCK_KEY = 0x61705F6175646974
SCHEMA_LOCK_KEY = CHAIN_LOCK_KEY + 1

_COLUMNS = (
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

_HEAD_SQL = "SELECT seq, hash FROM access_audit ORDER BY seq DESC LIMIT 1"
_ALL_IN_ORDER_SQL = "SELECT * FROM access_audit ORDER BY seq"

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


async def open_audit_pool(dsn: str | None = None, *, min_size: int = 1, max_size: int = 10) -> asyncpg.Pool:
    """A pool on the audit database with the schema in place.

    ``dsn`` defaults to ``ap_runtime.settings.database_dsn("ap_audit")``: ``$AP_DSN_AP_AUDIT``, else
    the ``ap_audit`` database on the ``$DATABASE_URL`` server.
    """
    target = dsn or database_dsn(AUDIT_DATABASE)
    pool = await asyncpg.create_pool(target, min_size=min_size, max_size=max_size)
    async with pool.acquire() as conn:
        await ensure_schema(conn)
    return pool


def _row_values(record: AuditRecord) -> tuple[Any, ...]:
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


def _from_row(row: asyncpg.Record) -> AuditRecord:
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


async def append_entries(
    conn: asyncpg.Connection, entries: Sequence[AuditEntry], keys: ChainKeyRing | None = None
) -> list[AuditRecord]:
    """Chain and store ``entries`` in one transaction, in order, after the current head.

    Links are HMACs under the ring's active key (``keys``, default from ``AP_AUDIT_CHAIN_KEY``).
    The advisory lock makes appends one at a time across all processes; READ COMMITTED lets the
    head read after the lock see the previous holder's commit. ``conn`` must not be inside a
    transaction already (a savepoint would keep an older snapshot).
    """
    if not entries:
        return []
    key = (keys or chain_keys_from_env()).active
    if conn.is_in_transaction():
        raise RuntimeError("append_entries needs a connection outside any transaction")
    async with conn.transaction(isolation="read_committed"):
        await conn.execute("SELECT pg_advisory_xact_lock($1)", CHAIN_LOCK_KEY)
        head = await conn.fetchrow(_HEAD_SQL)
        seq, prev_hash = (head["seq"], head["hash"]) if head else (0, GENESIS_HASH)
        records: list[AuditRecord] = []
        for entry in entries:
            seq += 1
            record = chain(entry, seq, prev_hash, key)
            records.append(record)
            prev_hash = record.hash
        await conn.copy_records_to_table(TABLE, records=[_row_values(r) for r in records], columns=_COLUMNS)
    return records


class AuditSink(Protocol):
    """Where access decisions are written; ``AuditLog`` is the PostgreSQL one."""

    async def record(self, entry: AuditEntry) -> AuditRecord: ...


class AuditLog:
    """Group commit onto the audit chain: concurrent ``record`` calls share transactions.

    Each call returns only once its entry is committed, so an access is never served before it
    is logged; while one batch commits, later calls queue and go together in the next.
    """

    def __init__(self, pool: asyncpg.Pool, *, max_batch: int = 1000, keys: ChainKeyRing | None = None) -> None:
        self._pool = pool
        self._max_batch = max_batch
        # Read once, at start-up: a process without the chain key refuses to run rather than
        # write records nobody can verify.
        self._keys = keys or chain_keys_from_env()
        self._pending: list[tuple[AuditEntry, asyncio.Future[AuditRecord]]] = []
        self._drainer: asyncio.Task[None] | None = None

    async def record(self, entry: AuditEntry) -> AuditRecord:
        """Append one entry; returns its stored record once committed."""
        future: asyncio.Future[AuditRecord] = asyncio.get_running_loop().create_future()
        self._pending.append((entry, future))
        if self._drainer is None or self._drainer.done():
            self._drainer = asyncio.create_task(self._drain())
        # A cancelled caller must not cancel the batch its entry shares with others.
        return await asyncio.shield(future)

    async def record_many(self, entries: Sequence[AuditEntry]) -> list[AuditRecord]:
        """Append a batch in one transaction directly (bulk imports, tests)."""
        async with self._pool.acquire() as conn:
            return await append_entries(conn, entries, self._keys)

    async def aclose(self) -> None:
        """Wait for queued entries to be written."""
        if self._drainer is not None:
            await self._drainer

    async def _drain(self) -> None:
        while self._pending:
            batch = self._pending[: self._max_batch]
            del self._pending[: len(batch)]
            try:
                async with self._pool.acquire() as conn:
                    records = await append_entries(conn, [entry for entry, _ in batch], self._keys)
            except Exception as exc:  # every waiter in the failed batch learns why
                for _, future in batch:
                    if not future.done():
                        future.set_exception(exc)
            else:
                for (_, future), record in zip(batch, records, strict=True):
                    if not future.done():
                        future.set_result(record)


@dataclass(frozen=True, slots=True)
class VerificationResult:
    """Outcome of checking the chain: ``first_bad_seq`` is where it first breaks.

    ``anchored_seq`` is the highest published head found intact; ``unanchored`` counts the records
    after it, which a published head does not yet protect against truncation.
    """

    ok: bool
    first_bad_seq: int | None
    checked: int
    problem: str | None = None
    anchored_seq: int = 0
    unanchored: int = 0


def _head_problem(heads: Sequence[PublishedHead], keys: ChainKeyRing) -> str | None:
    forged = next((h for h in heads if not h.authentic(keys)), None)
    if forged is None:
        return None
    return f"the head published at {forged.published_at.isoformat()} for seq {forged.seq} is not signed by a known key"


async def verify(
    pool: asyncpg.Pool,
    *,
    keys: ChainKeyRing | None = None,
    heads: Sequence[PublishedHead] = (),
    batch_size: int = 5000,
) -> VerificationResult:
    """Recompute the keyed chain in ``seq`` order from one consistent snapshot and hold it to ``heads``.

    Detects an edited record (its HMAC no longer matches), a deleted or inserted record (a gap in
    ``seq`` or a broken ``prev_hash`` link), a chain recomputed without the key, a record that
    differs from a published head, and truncation (a published head beyond the last record).
    ``checked`` counts the records found sound before the first bad one.
    """
    ring = keys or chain_keys_from_env()
    if (forged := _head_problem(heads, ring)) is not None:
        return VerificationResult(False, None, 0, forged)
    published: dict[int, list[PublishedHead]] = {}
    for published_head in heads:
        published.setdefault(published_head.seq, []).append(published_head)
    checked = 0
    expected_seq = 1
    prev_hash = GENESIS_HASH
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        cursor = conn.cursor(_ALL_IN_ORDER_SQL, prefetch=batch_size)
        async for row in cursor:
            record = _from_row(row)
            problem = _record_problem(record, expected_seq, prev_hash, ring, published.get(record.seq, ()))
            if problem is not None:
                return VerificationResult(False, expected_seq, checked, problem)
            prev_hash = record.hash
            expected_seq += 1
            checked += 1
    anchored = max(published, default=0)
    if anchored > checked:
        last = max(published[anchored], key=lambda h: h.published_at)
        return VerificationResult(
            False, checked + 1, checked,
            f"records {checked + 1} to {anchored} are missing: the head published at "
            f"{last.published_at.isoformat()} names seq {anchored} (the chain was truncated)",
        )
    return VerificationResult(True, None, checked, anchored_seq=anchored, unanchored=checked - anchored)


def _record_problem(record: AuditRecord, expected_seq: int, prev_hash: str, keys: ChainKeyRing,
                    heads: Sequence[PublishedHead]) -> str | None:
    if record.seq != expected_seq:
        return f"record {expected_seq} is missing"
    if record.prev_hash != prev_hash:
        return "link to the previous record is broken"
    key = keys.get(record.key_id)
    if key is None:
        return f"record is chained with key {record.key_id!r}, which is neither the active nor a retired key"
    if (problem := record_problem(record, key)) is not None:
        return problem
    differing = next((h for h in heads if h.hash != record.hash), None)
    if differing is not None:
        return f"record differs from the head published at {differing.published_at.isoformat()}"
    return None


async def drop_purpose_notes(pool: asyncpg.Pool, older_than_days: int = NOTE_RETENTION_DAYS,
                             *, now: datetime | None = None) -> int:
    """Drop the free-text purpose notes of records older than ``older_than_days``; the count dropped.

    Rule served: storage limitation of what callers typed (``purpose``). The category, the rest of
    the record and the note's keyed digest stay, so the chain still verifies; the append-only
    trigger allows this one change and nothing else. Run by the retention job.
    """
    if older_than_days < NOTE_RETENTION_DAYS:
        raise ValueError(f"older_than_days must be at least {NOTE_RETENTION_DAYS} (the append-only trigger's bound)")
    cutoff = (now or datetime.now(UTC)) - timedelta(days=older_than_days)
    status = await pool.execute(
        f"UPDATE {TABLE} SET purpose = NULL WHERE purpose IS NOT NULL AND at < $1", cutoff  # noqa: S608  # nosec B608 - constant table name
    )
    return int(status.split()[-1])


async def head(pool: asyncpg.Pool) -> tuple[int, str] | None:
    """The last (seq, hash): publish it elsewhere now and then to anchor the chain."""
    row = await pool.fetchrow(_HEAD_SQL)
    return None if row is None else (row["seq"], row["hash"])


async def query(
    pool: asyncpg.Pool,
    pupil: UUID | None = None,
    user: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    *,
    organisation: str | None = None,
    break_glass: bool | None = None,
    limit: int = 1000,
    after_seq: int = 0,
) -> list[AuditRecord]:
    """Audit records for the data-protection officer, oldest first.

    Filters combine with AND: ``since`` is inclusive, ``until`` exclusive; page with
    ``after_seq`` (the last ``seq`` of the previous page).
    """
    conditions = ["seq > $1"]
    args: list[Any] = [after_seq]
    for column, operator, value in (
        ("pupil_ref", "=", pupil),
        ("user_id", "=", user),
        ("organisation_id", "=", organisation),
        ("at", ">=", since),
        ("at", "<", until),
        ("break_glass", "=", break_glass),
    ):
        if value is not None:
            args.append(value)
            conditions.append(f"{column} {operator} ${len(args)}")
    args.append(limit)
    # Only the fixed column names above are interpolated; every value is a bind parameter.
    sql = f"SELECT * FROM access_audit WHERE {' AND '.join(conditions)} ORDER BY seq LIMIT ${len(args)}"  # noqa: S608  # nosec B608 - fixed column names, values bound
    rows = await pool.fetch(sql, *args)
    return [_from_row(row) for row in rows]
