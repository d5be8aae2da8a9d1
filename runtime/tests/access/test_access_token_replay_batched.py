"""Write-token claims of concurrent commands share one statement (issue 11), as strict as one at a time.

Rule served: a token carries one write command (issue 9); each claim is stored before the command
runs. Concurrent claims go to PostgreSQL together (``ap_runtime.batching``): fewer round trips on
the command path, the same answers, including for a token claimed twice in one batch.
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


def principal(token_id: str) -> Principal:
    return Principal("u1", "prov-north", OrgKind.PROVISION, frozenset({Role.PROVISION_STAFF}), token_id=token_id,
                     token_expires_at=datetime.now(UTC) + timedelta(hours=1))


@pytest_asyncio.fixture(loop_scope="session")
async def counted(new_database: Callable[[str], Awaitable[str]]) -> AsyncIterator[tuple[asyncpg.Pool, list[str]]]:
    sent: list[str] = []

    async def log_queries(conn: asyncpg.Connection) -> None:
        conn.add_query_logger(lambda logged: sent.append(logged.query))

    pool = await asyncpg.create_pool(await new_database("token_batch"), min_size=4, max_size=8, init=log_queries)
    yield pool, sent
    await pool.close()


async def test_concurrent_claims_share_statements(counted: tuple[asyncpg.Pool, list[str]]) -> None:
    pool, sent = counted
    ledger = WriteTokenLedger(pool)
    await ledger.claim(principal(f"warm-{uuid4()}"), uuid4())  # creates the table
    sent.clear()
    await asyncio.gather(*(ledger.claim(principal(f"jti-{n}-{uuid4()}"), uuid4()) for n in range(16)))
    claims = [q for q in sent if "used_write_tokens" in q]
    assert len(claims) < 16, f"{len(claims)} statements for 16 concurrent claims"
    assert await pool.fetchval("SELECT count(*) FROM used_write_tokens") == 17


async def test_a_token_claimed_twice_in_one_batch_carries_one_command(counted: tuple[asyncpg.Pool, list[str]]) -> None:
    pool, _ = counted
    ledger = WriteTokenLedger(pool)
    same_command = uuid4()
    results = await asyncio.gather(
        ledger.claim(principal("jti-twice"), uuid4()), ledger.claim(principal("jti-twice"), uuid4()),
        ledger.claim(principal("jti-retry"), same_command), ledger.claim(principal("jti-retry"), same_command),
        return_exceptions=True)
    assert sum(isinstance(r, TokenReplayed) for r in results[:2]) == 1 and results[2:] == [None, None]
