"""The access audit trail in its own PostgreSQL database (``ap_audit``): append, verify, query.

Rules served: every access decision, allowed or denied, is logged with who, when, which pupil,
which record class, what action, why and the outcome, never the data (STATUTORY.md, DPA 2018
s.62); the log is append-only (a trigger rejects UPDATE, DELETE and TRUNCATE, save dropping an old
free-text purpose) and chained with a keyed HMAC whose key the database does not hold, its head
published to a separate append-only store (``audit_heads``), so edits, deletions and truncation are
detected by ``verify``. The table's layout is in ``audit_schema``, verification in ``audit_verify``
(both re-exported here).

Chains (issue 11): a service process writes its own chain (``AuditLog(pool, chain_id=process_chain_id(...))``):
it alone writes it, so it keeps the chain's head in memory and appends a batch in one statement, with no
lock and no wait for another process; the trail verifies as the set of every chain, each held to the
heads published for it. ``append_entries`` (and an ``AuditLog`` without a chain id) appends to a chain
several writers share (the one chain of before, ``""``): under a transaction-scoped advisory lock, it
reads the chain's head and appends after it. Concurrent entries share one statement (group commit).
"""

from __future__ import annotations

import asyncio
import os
import socket
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol
from uuid import UUID, uuid4

import asyncpg

from ap_runtime.access.audit_chain import GENESIS_HASH, AuditEntry, AuditRecord, chain
from ap_runtime.access.audit_schema import (
    CHAIN_LOCK_KEY,
    INSERT_SQL,
    INSERT_WITHOUT_FLUSH_WAIT_SQL,
    SCHEMA_LOCK_KEY,
    SCHEMA_SQL,
    TABLE,
    ensure_schema,
    from_row,
    insert_document,
)
from ap_runtime.access.audit_verify import VerificationResult, verify
from ap_runtime.access.chain_keys import ChainKey, ChainKeyRing, chain_keys_from_env
from ap_runtime.access.purpose import NOTE_RETENTION_DAYS
from ap_runtime.pg_pools import command_path_pool, keyed_statement_pool
from ap_runtime.settings import database_dsn

AUDIT_DATABASE = "ap_audit"
_HEAD_SQL = "SELECT seq, hash FROM access_audit ORDER BY seq DESC LIMIT 1"
_CHAIN_HEAD_SQL = ("SELECT COALESCE(chain_seq, seq) AS position, hash FROM access_audit WHERE chain_id = $1"
                   " ORDER BY COALESCE(chain_seq, seq) DESC LIMIT 1")


async def open_audit_pool(dsn: str | None = None, *, min_size: int = 1, max_size: int = 10,
                          keyed: bool = False) -> asyncpg.Pool:
    """A pool on the audit database with the schema in place.

    ``dsn`` defaults to ``ap_runtime.settings.database_dsn("ap_audit")``: ``$AP_DSN_AP_AUDIT``, else
    the ``ap_audit`` database on the ``$DATABASE_URL`` server. ``keyed``: a ``keyed_statement_pool``
    (statements planned once a session), for an own chain's writes only (its head and inserts, by chain).
    """
    target = dsn or database_dsn(AUDIT_DATABASE)
    # The chain's lock is transaction-scoped: no session state, so no reset round trip per release.
    opener = keyed_statement_pool if keyed else command_path_pool
    pool = await opener(target, min_size=min_size, max_size=max_size)
    async with pool.acquire() as conn:
        await ensure_schema(conn)
    return pool


def process_chain_id(process: str) -> str:
    """A chain id no other writer uses: the process's name, host, pid and a random part (a restarted
    process, or a second ``AuditLog`` in one, starts a chain of its own)."""
    return f"{process}:{socket.gethostname()}:{os.getpid()}:{uuid4().hex[:12]}"


def _chained(entries: Sequence[AuditEntry], head: tuple[int, str], key: ChainKey, chain_id: str) -> list[AuditRecord]:
    seq, prev_hash = head
    records: list[AuditRecord] = []
    for entry in entries:
        seq += 1
        record = chain(entry, seq, prev_hash, key, chain_id)
        records.append(record)
        prev_hash = record.hash
    return records


async def _insert(conn: asyncpg.Connection, records: list[AuditRecord], flush_wait: bool = True) -> list[AuditRecord]:
    """Store chained ``records``; each comes back with the number the table gave it among every chain's.
    ``flush_wait`` False: the commit does not wait for the WAL flush (``ap_runtime.access.command_audit``)."""
    sql = INSERT_SQL if flush_wait else INSERT_WITHOUT_FLUSH_WAIT_SQL
    numbered = {row["chain_seq"]: row["seq"] for row in await conn.fetch(sql, insert_document(records))}
    # A copy, not the record numbered in place: an audit record stays immutable once made (frozen), the one
    # guarantee a reader of the trail needs more than the ~1% of the API's CPU the copy costs (issue 11).
    return [replace(r, seq=numbered[r.chain_position]) for r in records]


async def _chain_head(conn: asyncpg.Connection, chain_id: str) -> tuple[int, str]:
    row = await conn.fetchrow(_CHAIN_HEAD_SQL, chain_id)
    return (row["position"], row["hash"].strip()) if row else (0, GENESIS_HASH)


async def append_entries(
    conn: asyncpg.Connection, entries: Sequence[AuditEntry], keys: ChainKeyRing | None = None, *, chain_id: str = "",
    flush_wait: bool = True,
) -> list[AuditRecord]:
    """Chain and store ``entries`` in one transaction, in order, after the head of a shared chain.

    Links are HMACs under the ring's active key (``keys``, default from ``AP_AUDIT_CHAIN_KEY``).
    The advisory lock makes appends to chain ``chain_id`` one at a time across all processes; READ
    COMMITTED lets the head read after the lock see the previous holder's commit. ``conn`` must not be
    inside a transaction already (a savepoint would keep an older snapshot).
    """
    if not entries:
        return []
    key = (keys or chain_keys_from_env()).active
    if conn.is_in_transaction():
        raise RuntimeError("append_entries needs a connection outside any transaction")
    async with conn.transaction(isolation="read_committed"):
        if chain_id:
            await conn.execute("SELECT pg_advisory_xact_lock($1, hashtext($2))", CHAIN_LOCK_KEY >> 32, chain_id)
        else:
            await conn.execute("SELECT pg_advisory_xact_lock($1)", CHAIN_LOCK_KEY)
        records = _chained(entries, await _chain_head(conn, chain_id), key, chain_id)
        return await _insert(conn, records, flush_wait)


class AuditSink(Protocol):
    """Where access decisions are written; ``AuditLog`` is the PostgreSQL one."""

    async def record(self, entry: AuditEntry) -> AuditRecord: ...


class AuditLog:
    """Group commit onto the audit trail: concurrent ``record`` calls share one statement.

    Each call returns only once its entry is committed, so an access is never served before it
    is logged; while one batch commits, later calls queue and go together in the next. An entry
    recorded with ``flush_wait`` False commits without waiting for its WAL flush, in a batch of such
    entries only (``ap_runtime.access.command_audit`` makes it durable before its access is served).

    With ``chain_id`` (``process_chain_id``) the log is the one writer of its own chain: it keeps the
    head in memory and a batch is one INSERT, no lock, no transaction. After a failed write it reads
    the head again from the table (the failed statement may have been stored or not); should another
    writer use the same chain id, the table's unique place per record refuses the second record at a
    place, so a chain never forks. Without ``chain_id`` it appends to the shared chain (``append_entries``).
    """

    def __init__(self, pool: asyncpg.Pool, *, max_batch: int = 1000, keys: ChainKeyRing | None = None,
                 chain_id: str | None = None) -> None:
        self._pool = pool
        self._max_batch = max_batch
        # Read once, at start-up: a process without the chain key refuses to run rather than
        # write records nobody can verify.
        self._keys = keys or chain_keys_from_env()
        self.chain_id = chain_id
        self._head: tuple[int, str] | None = None  # own chain's (position, hash); None: read it first
        self._writing = asyncio.Lock()  # one append at a time on the own chain (record and record_many)
        self._pending: list[tuple[AuditEntry, asyncio.Future[AuditRecord], bool]] = []  # entry, its answer, flush_wait
        self._drainer: asyncio.Task[None] | None = None

    async def record(self, entry: AuditEntry, *, flush_wait: bool = True) -> AuditRecord:
        """Append one entry; returns its stored record once committed (durably, unless ``flush_wait`` is False)."""
        future: asyncio.Future[AuditRecord] = asyncio.get_running_loop().create_future()
        self._pending.append((entry, future, flush_wait))
        if self._drainer is None or self._drainer.done():
            self._drainer = asyncio.create_task(self._drain())
        # A cancelled caller must not cancel the batch its entry shares with others.
        return await asyncio.shield(future)

    async def record_many(self, entries: Sequence[AuditEntry]) -> list[AuditRecord]:
        """Append a batch directly, in one statement (bulk imports, tests)."""
        async with self._pool.acquire() as conn:
            return await self._append(conn, entries)

    async def aclose(self) -> None:
        """Wait for queued entries to be written."""
        if self._drainer is not None:
            await self._drainer

    async def _append(self, conn: asyncpg.Connection, entries: Sequence[AuditEntry],
                      flush_wait: bool = True) -> list[AuditRecord]:
        if self.chain_id is None:
            return await append_entries(conn, entries, self._keys, flush_wait=flush_wait)
        if not entries:
            return []
        async with self._writing:
            head = self._head or await _chain_head(conn, self.chain_id)
            self._head = None  # unknown until this write is known to be stored
            records = await _insert(conn, _chained(entries, head, self._keys.active, self.chain_id), flush_wait)
            self._head = (records[-1].chain_position, records[-1].hash)
            return records

    async def _drain(self) -> None:
        while self._pending:
            batch = self._pending[: self._max_batch]
            del self._pending[: len(batch)]
            # One entry that must be durable makes its batch's commit wait for the flush (the others' too).
            flush_wait = any(wait for _, _, wait in batch)
            try:
                async with self._pool.acquire() as conn:
                    records = await self._append(conn, [entry for entry, _, _ in batch], flush_wait)
            except Exception as exc:  # every waiter in the failed batch learns why
                for _, future, _ in batch:
                    if not future.done():
                        future.set_exception(exc)
            else:
                for (_, future, _), record in zip(batch, records, strict=True):
                    if not future.done():
                        future.set_result(record)


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
    return [from_row(row) for row in rows]


__all__ = [
    "AUDIT_DATABASE",
    "CHAIN_LOCK_KEY",
    "SCHEMA_LOCK_KEY",
    "SCHEMA_SQL",
    "TABLE",
    "AuditLog",
    "AuditSink",
    "VerificationResult",
    "append_entries",
    "drop_purpose_notes",
    "ensure_schema",
    "head",
    "open_audit_pool",
    "process_chain_id",
    "query",
    "verify",
]
