"""Write tokens are single-command: a token's ``jti`` is bound to the first command it carried.

Rule served (issue 9): a captured bearer token cannot be replayed to issue more writes. Each write
command records its token's id with the command id in PostgreSQL (so the rule holds across
processes and restarts) until the token expires:

* the same token with the same command id is an honest retry: allowed, and the command-id
  idempotency answers it with the first outcome, recording nothing again;
* a NEW token with a command id seen before is allowed too (the client re-authenticated before
  retrying) and gets the same idempotent first answer;
* a token already bound to another command id is a replay: refused (401), nothing recorded.

So a client mints (or obtains) one token per write command; reads are not limited. Rows are
deleted once their token has expired (plus the verifier's leeway): an expired token is refused
by the verifier anyway.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import asyncpg

from ap_runtime.access.principal import Principal
from ap_runtime.batching import Batcher

TABLE = "used_write_tokens"
DDL = f"""
CREATE TABLE IF NOT EXISTS {TABLE} (
    token_id   text        PRIMARY KEY,
    command_id uuid        NOT NULL,
    user_id    text        NOT NULL,
    expires_at timestamptz NOT NULL,
    used_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS {TABLE}_expiry_idx ON {TABLE} (expires_at);
"""
# The claim rule, as common table expressions other statements can start with (``claiming_tails`` reads a stream's
# tail in the claim's statement): many claims at once (the concurrent commands' tokens, parameters $1-$4), each row
# ``n`` bound to the first command its token carried, this statement's insert or an earlier one (NULL: a concurrent
# claim committed after this statement's snapshot). A token twice in one batch is inserted once.
CLAIM_CTES = f"""
claims_wanted AS (
    SELECT * FROM unnest($1::text[], $2::uuid[], $3::text[], $4::timestamptz[]) WITH ORDINALITY
        AS w(token_id, command_id, user_id, expires_at, n)
), claims_inserted AS (
    INSERT INTO {TABLE} (token_id, command_id, user_id, expires_at)
    SELECT DISTINCT ON (token_id) token_id, command_id, user_id, expires_at FROM claims_wanted ORDER BY token_id, n
    ON CONFLICT (token_id) DO NOTHING RETURNING token_id, command_id
), claims_bound AS (
    SELECT w.n, COALESCE(c.command_id, u.command_id) AS bound
    FROM claims_wanted w LEFT JOIN claims_inserted c ON c.token_id = w.token_id
        LEFT JOIN {TABLE} u ON u.token_id = w.token_id
)"""  # noqa: S608  # nosec B608 - the table name is a constant
CLAIM_PARAMETERS = 4  # the statements starting with ``CLAIM_CTES`` number their own parameters after these
_CLAIM_MANY_SQL = f"WITH {CLAIM_CTES} SELECT bound FROM claims_bound ORDER BY n"  # noqa: S608  # nosec B608 - constant SQL fragment
_PURGE_SQL = f"DELETE FROM {TABLE} WHERE expires_at < $1"  # noqa: S608  # nosec B608 - constant table name
PURGE_EVERY_SECONDS = 60.0
EXPIRY_GRACE = timedelta(minutes=5)  # longer than any verifier's leeway


class TokenReplayed(Exception):
    """The token already carried another write command; ``reason`` is fit for a 401 body."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


_MIGRATION_LOCK_KEY = 0x61705F6A7469  # "ap_jti": concurrent CREATE ... IF NOT EXISTS can still collide


async def migrate_write_tokens(pool: asyncpg.Pool) -> None:
    """Create the table of used write tokens (idempotent, safe to run concurrently)."""
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", _MIGRATION_LOCK_KEY)
        await conn.execute(DDL)


@dataclass(frozen=True, slots=True)
class WriteClaim:
    """One write token to bind to one command (a row of ``used_write_tokens`` to be)."""

    token_id: str
    command_id: UUID
    user_id: str
    expires_at: datetime


def claim_arguments(claims: Sequence[WriteClaim]) -> list[list[Any]]:
    """``CLAIM_CTES``' parameters $1-$4 for ``claims``, in order."""
    return [[claim.token_id for claim in claims], [claim.command_id for claim in claims],
            [claim.user_id for claim in claims], [claim.expires_at for claim in claims]]


class WriteTokenLedger:
    """Binds each write token to the first command id it carried; refuses it for any other.

    ``claim`` makes the claim in a statement of its own. A caller whose next statement goes to the same database
    may make it there instead (``claiming_tails``): ``prepare`` the claim, run ``CLAIM_CTES`` at the start of that
    statement and hand the token's ``bound`` command to ``settle``, which gives the verdict as ``claim`` would."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool
        self._migrated = False
        self._migrating = asyncio.Lock()
        self._last_purge = 0.0
        # Concurrent commands' claims share one statement (group commit); each waits for its own.
        self._claims: Batcher[WriteClaim, UUID | None] = Batcher(self._claim_many)

    async def claim(self, principal: Principal, command_id: UUID) -> None:
        """Record that ``principal``'s token carries ``command_id``; raises ``TokenReplayed`` when it
        already carried another one. A principal without a token id (not from a token) is refused."""
        await self.make(await self.prepare(principal, command_id))

    async def make(self, claim: WriteClaim) -> None:
        """Make a ``prepare``d claim in a statement of its own (shared with concurrent ones); ``settle``'s verdict."""
        await self.settle(claim, await self._claims.submit(claim))

    def shares_database(self, pool: asyncpg.Pool) -> bool:
        """Whether a statement on ``pool`` may make this ledger's claims (the same pool: the same database)."""
        return pool is self._pool

    async def prepare(self, principal: Principal, command_id: UUID) -> WriteClaim:
        """The claim of ``principal``'s token on ``command_id``, its table ready; not made yet (``settle``).
        Raises ``TokenReplayed`` for a principal without a token id or expiry (not from a token)."""
        if principal.token_id is None or principal.token_expires_at is None:
            raise TokenReplayed("a write command needs a token with an id (jti) and an expiry")
        if not self._migrated:
            async with self._migrating:
                if not self._migrated:
                    await migrate_write_tokens(self._pool)
                    self._migrated = True
        return WriteClaim(principal.token_id, command_id, principal.user_id, principal.token_expires_at)

    async def settle(self, claim: WriteClaim, bound: UUID | None) -> None:
        """The verdict on ``claim`` made by a statement that answered ``bound`` (``CLAIM_CTES``' ``bound``):
        raises ``TokenReplayed`` when the token carries another command."""
        if bound is None:  # a concurrent claim committed after this statement's snapshot
            bound = await self._pool.fetchval(f"SELECT command_id FROM {TABLE} WHERE token_id = $1",  # noqa: S608  # nosec B608 - constant table name
                                              claim.token_id)
        await self._purge_now_and_then()
        if bound != claim.command_id:
            raise TokenReplayed("token already used for another command: a write command needs a fresh token")

    async def release(self, principal: Principal, command_id: UUID) -> None:
        """Unbind ``principal``'s token from ``command_id``: for a command refused after its claim that recorded
        nothing (the caller knows), so the refusal changes nothing and the token may carry a command again. A token
        bound to another command is left as it is."""
        if principal.token_id is not None:
            await self._pool.execute(f"DELETE FROM {TABLE} WHERE token_id = $1 AND command_id = $2",  # noqa: S608  # nosec B608 - constant table name
                                     principal.token_id, command_id)

    async def _claim_many(self, claims: Sequence[WriteClaim]) -> list[UUID | None]:
        """The command each claim's token is bound to, in order (one statement for the batch)."""
        rows = await self._pool.fetch(_CLAIM_MANY_SQL, *claim_arguments(claims))
        return [row["bound"] for row in rows]

    async def _purge_now_and_then(self) -> None:
        now = time.monotonic()
        if now - self._last_purge < PURGE_EVERY_SECONDS:
            return
        self._last_purge = now
        await self._pool.execute(_PURGE_SQL, datetime.now(UTC) - EXPIRY_GRACE)
