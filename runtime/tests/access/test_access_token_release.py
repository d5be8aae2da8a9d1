"""A write token's claim released after a refusal that recorded nothing (issue 15, reporting publications), on real
PostgreSQL.

Rule served: a refused command changes nothing, its token's claim included; the release unbinds only the command it
names, so a token bound to another command stays refused for every other.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from uuid import uuid4

import asyncpg
import pytest
import pytest_asyncio

from ap_runtime.access.token_replay import TokenReplayed, WriteTokenLedger

from .test_access_token_replay import principal

pytestmark = pytest.mark.integration


@pytest_asyncio.fixture(loop_scope="session")
async def ledger(new_database: Callable[[str], Awaitable[str]]) -> AsyncIterator[WriteTokenLedger]:
    pool = await asyncpg.create_pool(await new_database("token_release"), min_size=1, max_size=2)
    try:
        yield WriteTokenLedger(pool)
    finally:
        await pool.close()


async def test_a_released_token_carries_another_command_once(ledger: WriteTokenLedger) -> None:
    refused, accepted, replayed = uuid4(), uuid4(), uuid4()
    await ledger.claim(principal("jti-r"), refused)
    await ledger.release(principal("jti-r"), refused)
    await ledger.claim(principal("jti-r"), accepted)
    with pytest.raises(TokenReplayed):
        await ledger.claim(principal("jti-r"), replayed)


async def test_releasing_another_command_leaves_the_token_bound(ledger: WriteTokenLedger) -> None:
    first = uuid4()
    await ledger.claim(principal("jti-s"), first)
    await ledger.release(principal("jti-s"), uuid4())  # not the command the token carried: nothing is unbound
    with pytest.raises(TokenReplayed):
        await ledger.claim(principal("jti-s"), uuid4())
    await ledger.claim(principal("jti-s"), first)  # its own command's retry is still allowed
