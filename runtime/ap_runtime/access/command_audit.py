"""A command's access audit made durable by the command's own durable commit (issue 11, incidents commands).

Rule served: an access is never served (answered) before it is logged durably (``guard``), at one WAL flush wait
fewer a command. An incidents command waited for two flushes one after the other: its access audit's commit in
``ap_audit`` (``AuditLog``), then its append's in the event store (the disk's fdatasync p99 is 8-18 ms). Where both
databases are on one PostgreSQL server, the audit entry of an *allowed* command commits without waiting for its
flush (``synchronous_commit`` off for that statement's transaction alone), and the command's answer waits for a
later durable commit on the same server instead:

* PostgreSQL's WAL is one sequence per server (every database of the cluster), written and flushed in order, and a
  durable commit returns only once the WAL up to its own commit record is flushed (and, with a synchronous standby,
  confirmed by it). The audit entry committed before the command went on, so its commit record is earlier in that
  WAL than the append's: the append's durable commit makes the audit entry durable too, before the command answers.
* Every other way out of the command answers without a durable append: a domain refusal, a duplicate answered with
  its first outcome, a decision recording nothing, a concurrency give-up, a denial after an allowed attempt, any
  exception or cancellation. ``CommandAudit.checks`` wraps the whole command and, on any exit the command did not
  mark as appended (``CommandChecks.covered``, called once its append returned), waits for a durable commit of its
  own (``WalFlush``) before the answer leaves: it cannot be forgotten by a new way out. The flush is a
  transactional logical message, the smallest transaction that writes WAL and so waits for its flush at commit (one
  writing none does not wait), on the audit's own pool: as durable as the audit's commit was before. When that
  flush fails, the command raises ``AuditUnavailable`` instead of its answer.
* A denied access is logged durably as before (its ``AccessDenied`` is answered at once).
* Only the incidents command handler defers. Every read path, and other services' handlers, keep the durable audit
  commit: a read serves data right after its check, with no later durable commit to wait for.

The mode is chosen once, at start-up (``shared_wal_flush``), and only where it is provably sound: the audit's
connection marks its session with a random nonce (its ``application_name``, for one transaction) that the event
store's connection must then see in ``pg_stat_activity``, which lists the sessions of its own server only (a shared
``system_identifier`` would not prove it: a restored backup or a promoted replica keeps its origin's); and the event
store's commits must be at least as durable as the audit's (``synchronous_commit`` as each role and database sets
it), and the flush must run. Otherwise (two servers, as with a separate audit cluster; a setting that would weaken
the audit; a role that may not see the other's session or write the flush) the audit commits durably as before.
Pointing a database at another server means new DSNs, so a restart, which checks again. The revert is one place:
``shared_wal_flush`` returning None.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from uuid import UUID, uuid4

import asyncpg
import structlog

from ap_runtime.access.audit import AuditLog
from ap_runtime.access.audit_chain import AuditEntry, AuditRecord
from ap_runtime.access.context import ResourceContext
from ap_runtime.access.guard import AccessGuard, AuditUnavailable
from ap_runtime.access.policy import Decision
from ap_runtime.access.principal import Principal
from ap_runtime.logging import exception_place

__all__ = ["CommandAudit", "CommandChecks", "WalFlush", "shared_wal_flush"]

log = structlog.get_logger(__name__)

# A transactional message is given a transaction id, so its commit writes a commit record and waits for the flush.
_FLUSH_SQL = "SELECT pg_logical_emit_message(true, 'ap_audit_flush', '')"
# From the weakest to the strongest promise a commit makes (PostgreSQL's synchronous_commit values).
_COMMIT_STRENGTH = {"off": 0, "local": 1, "remote_write": 2, "on": 3, "remote_apply": 4}


class WalFlush:
    """A durable commit on the audit's server: the WAL written before ``flush`` is on disk once it returns."""

    def __init__(self, audit_pool: asyncpg.Pool) -> None:
        self._pool = audit_pool

    async def flush(self) -> None:
        await self._pool.execute(_FLUSH_SQL)


async def shared_wal_flush(events: asyncpg.Pool, audit: asyncpg.Pool) -> WalFlush | None:
    """The flush a command's audit may wait for at its end, when the audit shares the event store's WAL and the
    event store's commits are as durable as the audit's (module docstring); None: the audit commits durably."""
    flush = WalFlush(audit)
    try:
        shared = await _one_server(events, audit) and await _as_durable(events, audit)
        if shared:
            await flush.flush()  # the audit's role may write the flush's WAL
    except Exception as exc:  # whatever failed, the audit commits durably, as before
        log.warning("access.audit_flush_unavailable", error=exception_place(exc))
        shared = False
    log.info("access.command_audit", flush_with_append=shared)
    return flush if shared else None


async def _one_server(events: asyncpg.Pool, audit: asyncpg.Pool) -> bool:
    """Whether the event store's connection sees the audit connection's session: both are on one server."""
    nonce = f"ap-audit-wal-{uuid4().hex}"
    async with audit.acquire() as conn, conn.transaction():
        await conn.execute("SELECT set_config('application_name', $1, true)", nonce)
        seen = await events.fetchval("SELECT count(*) FROM pg_stat_activity WHERE application_name = $1", nonce)
    return bool(seen == 1)


async def _as_durable(events: asyncpg.Pool, audit: asyncpg.Pool) -> bool:
    """Whether an append's commit promises at least what the audit's did (an unknown setting: no)."""
    append = await events.fetchval("SHOW synchronous_commit")
    audited = await audit.fetchval("SHOW synchronous_commit")
    return _COMMIT_STRENGTH.get(append, -1) >= _COMMIT_STRENGTH.get(audited, len(_COMMIT_STRENGTH))


@dataclass(frozen=True, slots=True)
class _AllowedWithoutFlushWait:
    """The command checks' audit sink: an allowed entry commits without a flush wait, a denied one durably."""

    log: AuditLog

    async def record(self, entry: AuditEntry) -> AuditRecord:
        return await self.log.record(entry, flush_wait=entry.decision != "allowed")


class CommandChecks:
    """One command's access checks; ``covered`` once its append has committed durably after them."""

    def __init__(self, guard: AccessGuard, flush: WalFlush | None) -> None:
        self._guard = guard
        self._flush = flush
        self._unflushed = False

    async def check(self, principal: Principal, action: str, resource: ResourceContext, *, purpose: str | None,
                    correlation_id: UUID) -> Decision:
        """``AccessGuard.check``: the allowing decision once audited, or ``AccessDenied``."""
        # Before the record: a failed one may have been stored all the same.
        self._unflushed = self._flush is not None
        return await self._guard.check(principal, action, resource, purpose=purpose, correlation_id=correlation_id)

    def covered(self) -> None:
        """The command's append committed durably after every check, flushing their audit entries with it."""
        self._unflushed = False

    async def settle(self) -> None:
        """Make the checks' audit entries durable, unless an append already has."""
        if not self._unflushed or self._flush is None:
            return
        try:
            await self._flush.flush()
        except Exception as exc:  # an access not logged durably is not answered
            log.error("access.audit_flush_failed", error=exception_place(exc))
            raise AuditUnavailable("the access audit could not be made durable, so the command is not answered") \
                from exc
        self._unflushed = False


class CommandAudit:
    """How a command's access checks are audited: durably each (``flush`` None), or made durable by the command's
    durable append or, on any other exit, by ``flush`` (module docstring)."""

    def __init__(self, guard: AccessGuard, log: AuditLog | None = None, flush: WalFlush | None = None) -> None:
        """``guard`` logs to ``log``; with both ``log`` and ``flush``, its allowed entries defer their flush."""
        self._guard, self._flush = guard, None
        if log is not None and flush is not None:
            self._guard, self._flush = guard.auditing_to(_AllowedWithoutFlushWait(log)), flush

    @property
    def flushes_with_append(self) -> bool:
        return self._flush is not None

    @asynccontextmanager
    async def checks(self) -> AsyncIterator[CommandChecks]:
        """The checks of one command: on leaving, however, their audit is durable before anything is answered."""
        checks = CommandChecks(self._guard, self._flush)
        try:
            yield checks
        finally:
            await checks.settle()
