"""A write token's claim and its command's first catch-up read in one statement (issue 11, HTTP and Kafka commands).

Rule served: a token carries one write command (issue 9, ``ap_runtime.access.token_replay``), at one round trip and
one commit fewer a command. An HTTP command claimed its token (an INSERT, its own transaction), then read its
stream's new events (a SELECT, another): two statements one after the other to the same database. Here one
statement starts with the ledger's claim rule (``CLAIM_CTES``, the one place it is written) and reads the tail in
the same snapshot, batched across concurrent commands as both were (``ap_runtime.batching``).

Nothing changes in what is decided: the ledger gives the verdict (``WriteTokenLedger.settle``: the concurrent-claim
fallback, the purge now and then) before ``read`` returns anything, so a replayed token is refused before its
command's history is decrypted, decided on or its access audited. The tail is read after it was asked for, in one
snapshot, as ``StreamTails`` reads it. A ledger on another pool (another database, or a test's) claims in a
statement of its own first, as before.

The claim's statement commits without waiting for its WAL to reach the disk (``synchronous_commit`` off for its
transaction alone: ``set_config(..., true)`` in the statement itself, no round trip or session of its own), one
fsync wait fewer a command (issue 11; the disk's fdatasync p99 is 8-18 ms). This loses nothing that matters:

* PostgreSQL's WAL is one sequence per server, written and flushed in order, and a durable commit returns only once
  the WAL up to its own commit record is flushed. The claim commits before its command goes on, so every later
  durable commit on the server (the command's append, always: it is in the same database; when ``ap_audit`` is on
  this server, its access audit's commit or the flush that makes it durable, ``ap_runtime.access.command_audit``;
  any command's or ledger purge's) flushes the claim first (and a synchronous
  standby, if any, confirms the WAL up to that commit, the claim's included). A command that recorded anything
  therefore has a durable claim, and its retries and replays meet it after any crash.
* A claim lost in a crash before such a commit belongs to a command that recorded nothing in this database (refused
  as a replay, denied, rejected, answered from an earlier outcome, or cut short by the crash): its token is then as
  if unused, as any token not yet spent, which ``WriteTokenLedger.release`` already allows for a refused command.
  Its answer (a 401/403/422, or the first outcome) may have reached the client; a retry is judged again.
* A replay refused on a claim later lost in a crash was refused, never wrongly allowed. The window is short anyway:
  the WAL writer flushes an asynchronous commit within three ``wal_writer_delay`` (200 ms by default).
* Nothing else relies on the claim: the ledger's standalone ``claim`` (other services, another database's ledger)
  stays durable, and so does the append (its session keeps the server's default); an allowed command's audit record
  is durable before the command answers (``ap_runtime.access.command_audit``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

import asyncpg

from ap_runtime.access.principal import Principal
from ap_runtime.access.token_replay import CLAIM_CTES, CLAIM_PARAMETERS, WriteClaim, WriteTokenLedger, claim_arguments
from ap_runtime.batching import Batcher
from ap_runtime.eventstore.models import StoredEvent
from ap_runtime.eventstore.store import row_to_stored
from ap_runtime.eventstore.stream_tails import read_tails, tails_query
from ap_runtime.no_flush_wait import NO_FLUSH_WAIT_CTE, NO_FLUSH_WAIT_JOIN

__all__ = ["ClaimingTails", "PendingClaim"]

# Claim ``n`` and tail ``n`` are one command's: every claim's row comes back (the LEFT JOIN), with its tail's
# events or, for a tail with none, one row of NULL event columns. ``no_flush_wait`` sets this statement's
# transaction's ``synchronous_commit`` (module docstring; ``ap_runtime.no_flush_wait``).
_CLAIM_AND_TAILS = (
    f"WITH {CLAIM_CTES}, tails AS ({tails_query(CLAIM_PARAMETERS + 1)}),"  # noqa: S608  # nosec B608 - constant SQL fragments
    f" {NO_FLUSH_WAIT_CTE}"
    " SELECT claims_bound.n AS claim_n, claims_bound.bound, tails.*"
    f" FROM claims_bound {NO_FLUSH_WAIT_JOIN} LEFT JOIN tails ON tails.n = claims_bound.n"
    " ORDER BY claims_bound.n, tails.stream_version"
)


@dataclass(frozen=True, slots=True)
class PendingClaim:
    """A command's write-token claim, prepared by ``ledger`` (``WriteTokenLedger.prepare``) and not yet made."""

    ledger: WriteTokenLedger
    claim: WriteClaim

    @classmethod
    async def of(cls, ledger: WriteTokenLedger, principal: Principal, command_id: UUID) -> PendingClaim:
        """``principal``'s token's claim on ``command_id``; raises ``TokenReplayed`` for a principal that has no
        token id or expiry (not from a token), as ``WriteTokenLedger.claim`` does."""
        return cls(ledger, await ledger.prepare(principal, command_id))


@dataclass(frozen=True, slots=True)
class _Read:
    claim: WriteClaim
    stream_id: str
    after_version: int


class ClaimingTails:
    """``StreamTails.read`` that first makes a write token's claim, in the same statement (module docstring)."""

    def __init__(self, pool: asyncpg.Pool, statements: asyncpg.Pool | None = None) -> None:
        """``pool``: the event store's (a ledger on it claims in the read's statement); ``statements``: where that
        statement runs, on the same database (a ``keyed_statement_pool``: planned once a session), else ``pool``."""
        self._pool = pool
        self._statements = statements or pool
        self._reads: Batcher[_Read, tuple[UUID | None, list[StoredEvent]]] = Batcher(self._claim_and_read_many)

    async def read(self, pending: PendingClaim, stream_id: str, after_version: int) -> list[StoredEvent]:
        """The stream's events after ``after_version``, once ``pending``'s claim is made and holds; raises
        ``TokenReplayed`` (and returns nothing) when its token carries another command."""
        if not pending.ledger.shares_database(self._pool):
            await pending.ledger.make(pending.claim)
            [rows] = await read_tails(self._statements, [(stream_id, after_version)])
            return rows
        bound, rows = await self._reads.submit(_Read(pending.claim, stream_id, after_version))
        await pending.ledger.settle(pending.claim, bound)
        return rows

    async def _claim_and_read_many(self, reads: Sequence[_Read]) -> list[tuple[UUID | None, list[StoredEvent]]]:
        """For each read, the command its claim's token is bound to and the tail's events, in one statement."""
        rows = await self._statements.fetch(_CLAIM_AND_TAILS, *claim_arguments([read.claim for read in reads]),
                                      [read.stream_id for read in reads], [read.after_version for read in reads])
        bound: list[UUID | None] = [None] * len(reads)
        tails: list[list[StoredEvent]] = [[] for _ in reads]
        for row in rows:
            index = row["claim_n"] - 1
            bound[index] = row["bound"]
            if row["position"] is not None:  # NULL event columns: a tail with nothing new
                tails[index].append(row_to_stored(row))
        return list(zip(bound, tails, strict=True))
