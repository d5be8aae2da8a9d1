"""Write tokens cannot be replayed (issue 9), on real PostgreSQL and across processes.

Rule served: a token that carried one write command cannot carry another; the same command retried
with the same or a new token is allowed (and the command-id idempotency answers it).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import asyncpg
import pytest
import pytest_asyncio

from ap_contracts.envelope import OrgKind
from ap_runtime.access import Principal, Role
from ap_runtime.access.token_replay import TokenReplayed, WriteTokenLedger

pytestmark = pytest.mark.integration


def principal(token_id: str | None = "jti-1", expires_in: timedelta = timedelta(hours=1)) -> Principal:
    return Principal("u1", "prov-north", OrgKind.PROVISION, frozenset({Role.PROVISION_STAFF}), token_id=token_id,
                     token_expires_at=datetime.now(UTC) + expires_in)


@pytest_asyncio.fixture(loop_scope="session")
async def dsn(new_database: Callable[[str], Awaitable[str]]) -> AsyncIterator[str]:
    yield await new_database("token_replay")


async def test_a_token_carries_one_command_and_its_retries(dsn: str) -> None:
    pool = await asyncpg.create_pool(dsn, min_size=1, max_size=2)
    try:
        ledger = WriteTokenLedger(pool)
        first, second = uuid4(), uuid4()
        await ledger.claim(principal("jti-a"), first)
        await ledger.claim(principal("jti-a"), first)  # the same command retried with the same token
        await ledger.claim(principal("jti-b"), first)  # ... or with a new token
        with pytest.raises(TokenReplayed, match="token already used for another command"):
            await ledger.claim(principal("jti-a"), second)
        await ledger.claim(principal("jti-c"), second)
    finally:
        await pool.close()


async def test_a_replay_is_refused_by_another_process_and_after_a_restart(dsn: str) -> None:
    """Two pools are two service processes; a third opened later is a restart."""
    pools = [await asyncpg.create_pool(dsn, min_size=1, max_size=2) for _ in range(2)]
    try:
        await WriteTokenLedger(pools[0]).claim(principal("jti-x"), uuid4())
        with pytest.raises(TokenReplayed):
            await WriteTokenLedger(pools[1]).claim(principal("jti-x"), uuid4())
    finally:
        for pool in pools:
            await pool.close()
    restarted = await asyncpg.create_pool(dsn, min_size=1, max_size=1)
    try:
        with pytest.raises(TokenReplayed):
            await WriteTokenLedger(restarted).claim(principal("jti-x"), uuid4())
    finally:
        await restarted.close()


async def test_concurrent_replays_let_exactly_one_command_through(dsn: str) -> None:
    pool = await asyncpg.create_pool(dsn, min_size=4, max_size=8)
    try:
        ledger = WriteTokenLedger(pool)
        results = await asyncio.gather(*(ledger.claim(principal("jti-race"), uuid4()) for _ in range(8)),
                                       return_exceptions=True)
        assert sum(r is None for r in results) == 1
        assert all(isinstance(r, TokenReplayed) for r in results if r is not None)
    finally:
        await pool.close()


async def test_expired_tokens_are_forgotten_and_a_token_without_an_id_is_refused(dsn: str) -> None:
    pool = await asyncpg.create_pool(dsn, min_size=1, max_size=2)
    try:
        ledger = WriteTokenLedger(pool)
        await ledger.claim(principal("jti-old", expires_in=-timedelta(hours=1)), uuid4())
        await WriteTokenLedger(pool).claim(principal("jti-new"), uuid4())  # a fresh ledger purges on first use
        remaining = {r["token_id"] for r in await pool.fetch("SELECT token_id FROM used_write_tokens")}
        assert "jti-old" not in remaining and "jti-new" in remaining
        with pytest.raises(TokenReplayed, match="needs a token with an id"):
            await ledger.claim(principal(None), uuid4())
    finally:
        await pool.close()
