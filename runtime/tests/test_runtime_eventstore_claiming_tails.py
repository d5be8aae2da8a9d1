"""A write token's claim and a stream's catch-up read in one statement (``ap_runtime.eventstore.claiming_tails``).

Rules served: a token carries one write command (issue 9) with the verdicts ``WriteTokenLedger.claim`` gives (a
replay refused, an honest retry allowed, a token twice in one batch bound once, a claim committed concurrently
after the statement's snapshot found by the fallback); each tail is what ``read_stream`` reads; concurrent commands
share statements (issue 11).
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import asyncpg
import pytest

from ap_contracts.envelope import OrgKind
from ap_runtime.access import Principal, Role
from ap_runtime.access.token_replay import TABLE, TokenReplayed, WriteTokenLedger
from ap_runtime.eventstore import EventStore, StoredEvent
from ap_runtime.eventstore.claiming_tails import ClaimingTails, PendingClaim

from .conftest import counter_events

pytestmark = pytest.mark.integration


def _principal(token_id: str) -> Principal:
    return Principal("u1", "prov-north", OrgKind.PROVISION, frozenset({Role.PROVISION_STAFF}), token_id=token_id,
                     token_expires_at=datetime.now(UTC) + timedelta(hours=1))


async def _pending(ledger: WriteTokenLedger, token_id: str, command_id: UUID | None = None) -> PendingClaim:
    return await PendingClaim.of(ledger, _principal(token_id), command_id or uuid4())


async def _bound(pool: asyncpg.Pool, token_id: str) -> UUID | None:
    bound: UUID | None = await pool.fetchval(f"SELECT command_id FROM {TABLE} WHERE token_id = $1", token_id)  # nosec B608 - constant table name
    return bound


async def test_concurrent_claims_and_reads_share_statements_with_the_ledgers_verdicts(
        counted: tuple[asyncpg.Pool, list[str]]) -> None:
    pool, sent = counted
    store, ledger, tails = EventStore(pool), WriteTokenLedger(pool), ClaimingTails(pool)
    streams = [f"claimed-{n}" for n in range(8)]
    for n, stream in enumerate(streams):
        await store.append_command(uuid4(), stream, 0, counter_events(stream, 0, 1 + n % 3))
    retried = uuid4()
    await ledger.claim(_principal("jti-retried"), retried)
    claims = [await _pending(ledger, f"jti-{n}-{uuid4()}") for n in range(len(streams))]
    claims += [await _pending(ledger, "jti-twice"), await _pending(ledger, "jti-twice"),
               await _pending(ledger, "jti-retried", retried), await _pending(ledger, "jti-retried")]
    wanted = [*streams, "claimed-0", "claimed-1", "claimed-2", "claimed-unknown"]
    sent.clear()
    answers = await asyncio.gather(*(tails.read(claim, stream, n % 2) for n, (claim, stream)
                                     in enumerate(zip(claims, wanted, strict=True))), return_exceptions=True)

    statements = [q for q in sent if TABLE in q]
    assert 1 <= len(statements) < len(claims) and all("JOIN events" in q for q in statements), sent
    for n, (stream, answer) in enumerate(zip(wanted[:8], answers[:8], strict=True)):
        assert not isinstance(answer, BaseException), answer
        assert [e.event_id for e in answer] == [e.event_id for e in await store.read_stream(stream, n % 2)]
        assert await _bound(pool, claims[n].claim.token_id) == claims[n].claim.command_id
    twice = answers[8:10]  # one token, two commands in one batch: one bound, the other refused
    assert sorted(isinstance(answer, TokenReplayed) for answer in twice) == [False, True]
    assert await _bound(pool, "jti-twice") in {claims[8].claim.command_id, claims[9].claim.command_id}
    retry, replay = answers[10:]  # the honest retry is read, the replay refused
    assert not isinstance(retry, BaseException) and len(retry) == 3 and isinstance(replay, TokenReplayed)


async def _claim_racing_a_commit(tails: ClaimingTails, mine: PendingClaim, other: asyncpg.Connection,
                                 command_id: UUID) -> list[StoredEvent]:
    """``mine`` read while ``other`` inserts the same token for ``command_id``, committed after the statement began."""
    concurrent = other.transaction()
    await concurrent.start()
    await other.execute(f"INSERT INTO {TABLE} (token_id, command_id, user_id, expires_at)"  # nosec B608 - constant table name
                        " VALUES ($1, $2, 'u2', now() + interval '1 hour')", mine.claim.token_id, command_id)
    read = asyncio.create_task(tails.read(mine, "claimed-raced", 0))
    await asyncio.sleep(0.2)  # the claim's insert waits on the concurrent one's row
    assert not read.done()
    await concurrent.commit()
    return await read


async def test_a_claim_committed_after_the_statements_snapshot_is_found_by_the_fallback(
        counted: tuple[asyncpg.Pool, list[str]], dsn: str) -> None:
    """The statement sees neither its own insert (a conflict) nor the row (after its snapshot): ``bound`` is NULL,
    and the fallback reads the row: the same command goes on (a concurrent honest retry), another is refused."""
    pool, _ = counted
    ledger, tails = WriteTokenLedger(pool), ClaimingTails(pool)
    other = await asyncpg.connect(dsn)
    try:
        retried = await _pending(ledger, "jti-raced-retry")
        assert await _claim_racing_a_commit(tails, retried, other, retried.claim.command_id) == []
        with pytest.raises(TokenReplayed):
            await _claim_racing_a_commit(tails, await _pending(ledger, "jti-raced"), other, uuid4())
    finally:
        await other.close()


async def test_a_ledger_on_another_pool_claims_in_a_statement_of_its_own(
        counted: tuple[asyncpg.Pool, list[str]], dsn: str) -> None:
    pool, sent = counted
    store = EventStore(pool)
    await store.append_command(uuid4(), "claimed-apart", 0, counter_events("claimed-apart", 0, 2))
    ledger_pool = await asyncpg.create_pool(dsn, min_size=1, max_size=1)
    try:
        ledger, tails = WriteTokenLedger(ledger_pool), ClaimingTails(pool)
        first = await _pending(ledger, "jti-apart")
        sent.clear()
        assert [e.stream_version for e in await tails.read(first, "claimed-apart", 1)] == [2]
        assert not [q for q in sent if TABLE in q]  # claimed on the ledger's pool, then read here
        assert await _bound(pool, "jti-apart") == first.claim.command_id
        with pytest.raises(TokenReplayed):
            await tails.read(await _pending(ledger, "jti-apart"), "claimed-apart", 0)
    finally:
        await ledger_pool.close()


async def test_the_claim_and_read_run_on_the_statements_pool_as_one_statement(
        counted: tuple[asyncpg.Pool, list[str]], dsn: str) -> None:
    """A ledger on the event store's pool claims in the read's statement, which runs on ``statements`` (another
    pool on the same database, as a keyed statement pool is): the verdicts are the ledger's."""
    statements, sent = counted
    await EventStore(statements).append_command(uuid4(), "claimed-keyed", 0, counter_events("claimed-keyed", 0, 2))
    pool = await asyncpg.create_pool(dsn, min_size=1, max_size=1)
    try:
        ledger, tails = WriteTokenLedger(pool), ClaimingTails(pool, statements)
        first = await _pending(ledger, "jti-keyed")
        sent.clear()
        assert [e.stream_version for e in await tails.read(first, "claimed-keyed", 1)] == [2]
        assert len([q for q in sent if TABLE in q and "JOIN events" in q]) == 1  # the pool's reset aside
        assert await _bound(pool, "jti-keyed") == first.claim.command_id
        with pytest.raises(TokenReplayed):
            await tails.read(await _pending(ledger, "jti-keyed"), "claimed-keyed", 0)
    finally:
        await pool.close()
