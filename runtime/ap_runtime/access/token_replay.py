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
from datetime import UTC, datetime, timedelta
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
# Many claims in one statement (the concurrent commands' tokens): each row's token is bound to the
# first command it carried, this statement's insert or an earlier one (NULL: a concurrent claim
# committed after this statement's snapshot). A token twice in one batch is inserted once.
_CLAIM_MANY_SQL = f"""
WITH wanted AS (
    SELECT * FROM unnest($1::text[], $2::uuid[], $3::text[], $4::timestamptz[]) WITH ORDINALITY
        AS w(token_id, command_id, user_id, expires_at, n)
), claimed AS (
    INSERT INTO {TABLE} (token_id, command_id, user_id, expires_at)
    SELECT DISTINCT ON (token_id) token_id, command_id, user_id, expires_at FROM wanted ORDER BY token_id, n
    ON CONFLICT (token_id) DO NOTHING RETURNING token_id, command_id
)
SELECT COALESCE(c.command_id, u.command_id) AS bound
FROM wanted w LEFT JOIN claimed c ON c.token_id = w.token_id LEFT JOIN {TABLE} u ON u.token_id = w.token_id
ORDER BY w.n
"""  # noqa: S608  # nosec B608 - the table name is a constant
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


class WriteTokenLedger:
    """Binds each write token to the first command id it carried; refuses it for any other."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool
        self._migrated = False
        self._migrating = asyncio.Lock()
        self._last_purge = 0.0
        # Concurrent commands' claims share one statement (group commit); each waits for its own.
        self._claims: Batcher[tuple[str, UUID, str, datetime], UUID | None] = Batcher(self._claim_many)

    async def claim(self, principal: Principal, command_id: UUID) -> None:
        """Record that ``principal``'s token carries ``command_id``; raises ``TokenReplayed`` when it
        already carried another one. A principal without a token id (not from a token) is refused."""
        if principal.token_id is None or principal.token_expires_at is None:
            raise TokenReplayed("a write command needs a token with an id (jti) and an expiry")
        if not self._migrated:
            async with self._migrating:
                if not self._migrated:
                    await migrate_write_tokens(self._pool)
                    self._migrated = True
        bound = await self._claims.submit((principal.token_id, command_id, principal.user_id,
                                           principal.token_expires_at))
        if bound is None:  # a concurrent claim committed after this statement's snapshot
            bound = await self._pool.fetchval(f"SELECT command_id FROM {TABLE} WHERE token_id = $1",  # noqa: S608  # nosec B608 - constant table name
                                              principal.token_id)
        await self._purge_now_and_then()
        if bound != command_id:
            raise TokenReplayed("token already used for another command: a write command needs a fresh token")

    async def release(self, principal: Principal, command_id: UUID) -> None:
        """Unbind ``principal``'s token from ``command_id``: for a command refused after its claim that recorded
        nothing (the caller knows), so the refusal changes nothing and the token may carry a command again. A token
        bound to another command is left as it is."""
        if principal.token_id is not None:
            await self._pool.execute(f"DELETE FROM {TABLE} WHERE token_id = $1 AND command_id = $2",  # noqa: S608  # nosec B608 - constant table name
                                     principal.token_id, command_id)

    async def _claim_many(self, claims: Sequence[tuple[str, UUID, str, datetime]]) -> list[UUID | None]:
        """The command each claim's token is bound to, in order (one statement for the batch)."""
        tokens, commands, users, expiries = (list(column) for column in zip(*claims, strict=True))
        rows = await self._pool.fetch(_CLAIM_MANY_SQL, tokens, commands, users, expiries)
        return [row["bound"] for row in rows]

    async def _purge_now_and_then(self) -> None:
        now = time.monotonic()
        if now - self._last_purge < PURGE_EVERY_SECONDS:
            return
        self._last_purge = now
        await self._pool.execute(_PURGE_SQL, datetime.now(UTC) - EXPIRY_GRACE)
