"""The access audit on real PostgreSQL: concurrent appends, append-only trigger, tamper detection, queries."""

from __future__ import annotations

import asyncio
import dataclasses
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import asyncpg
import pytest
import pytest_asyncio

from ap_runtime.access import AuditEntry, AuditLog, append_entries, head, open_audit_pool, query, verify
from ap_runtime.access.audit_chain import record_hash
from ap_runtime.access.chain_keys import chain_keys_from_env

pytestmark = pytest.mark.integration

WRITERS = 20
BATCHES_PER_WRITER = 10
BATCH_SIZE = 50
SINGLES_PER_WRITER = 50


def entry(
    *,
    user: str = "u1",
    pupil: UUID | None = None,
    at: datetime | None = None,
    correlation: UUID | None = None,
    break_glass: bool = False,
) -> AuditEntry:
    return AuditEntry(
        at=at or datetime.now(UTC),
        user_id=user,
        roles=("provision_staff",),
        organisation_id="prov-north",
        action="incidents.read_behaviour_log",
        decision="allowed",
        rule_id="LOG-1",
        reason="test",
        pupil_ref=pupil,
        record_class="behaviour",
        purpose="testing" if break_glass else None,
        correlation_id=correlation or uuid4(),
        break_glass=break_glass,
    )


@pytest_asyncio.fixture(loop_scope="session")
async def audit_db(new_database: Callable[[str], Awaitable[str]]) -> AsyncIterator[tuple[str, asyncpg.Pool]]:
    dsn = await new_database("access_audit")
    pool = await open_audit_pool(dsn, min_size=1, max_size=5)
    yield dsn, pool
    await pool.close()


async def verify_audit_cli(dsn: str) -> asyncio.subprocess.Process:
    """``verify-audit`` on this test's database, held to a heads topic of its own that nobody publishes to.

    The default heads topic is shared by every process on a reused broker: heads another test's
    services published there belong to another database, and verifying this one against them fails.
    """
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "ap_runtime.access", "verify-audit", "--dsn", dsn,
        "--heads-topic", f"test-audit-heads-{uuid4().hex}",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)


async def fill(pool: asyncpg.Pool, count: int) -> None:
    async with pool.acquire() as conn:
        await append_entries(conn, [entry(user=f"u{i}") for i in range(count)])


async def test_twenty_concurrent_writers_keep_one_valid_chain(audit_db: tuple[str, asyncpg.Pool]) -> None:
    dsn, reader = audit_db
    written: list[UUID] = []

    async def writer() -> None:
        # Its own pool, as a separate service process would have.
        pool = await asyncpg.create_pool(dsn, min_size=1, max_size=2)
        log = AuditLog(pool, max_batch=200)
        try:
            for _ in range(BATCHES_PER_WRITER):
                batch = [entry() for _ in range(BATCH_SIZE)]
                written.extend(e.correlation_id for e in batch if e.correlation_id)
                await log.record_many(batch)
            singles = [entry() for _ in range(SINGLES_PER_WRITER)]
            written.extend(e.correlation_id for e in singles if e.correlation_id)
            await asyncio.gather(*(log.record(e) for e in singles))  # group commit under contention
            await log.aclose()
        finally:
            await pool.close()

    started = time.perf_counter()
    await asyncio.gather(*(writer() for _ in range(WRITERS)))
    elapsed = time.perf_counter() - started

    total = WRITERS * (BATCHES_PER_WRITER * BATCH_SIZE + SINGLES_PER_WRITER)
    result = await verify(reader)
    assert result.ok, result
    assert result.checked == total
    stored = await reader.fetch("SELECT seq, correlation_id FROM access_audit ORDER BY seq")
    assert [row["seq"] for row in stored] == list(range(1, total + 1))
    assert sorted(row["correlation_id"] for row in stored) == sorted(written)
    print(f"\naudit: {total} records from {WRITERS} writers in {elapsed:.2f}s ({total / elapsed:,.0f}/s)")


async def test_update_delete_and_truncate_are_rejected(audit_db: tuple[str, asyncpg.Pool]) -> None:
    _, pool = audit_db
    await fill(pool, 3)
    for statement in (
        "UPDATE access_audit SET purpose = 'rewritten' WHERE seq = 2",
        "DELETE FROM access_audit WHERE seq = 2",
        "TRUNCATE access_audit",
    ):
        with pytest.raises(asyncpg.RaiseError, match="append-only"):
            await pool.execute(statement)
    assert (await verify(pool)).ok
    assert await pool.fetchval("SELECT count(*) FROM access_audit") == 3


async def test_an_edited_record_is_found_at_its_seq(audit_db: tuple[str, asyncpg.Pool]) -> None:
    dsn, pool = audit_db
    await fill(pool, 30)
    async with pool.acquire() as conn:  # a superuser disables the guard to cover their tracks
        await conn.execute("ALTER TABLE access_audit DISABLE TRIGGER access_audit_no_update_delete")
        await conn.execute("UPDATE access_audit SET user_id = 'someone-else' WHERE seq = 17")
        await conn.execute("ALTER TABLE access_audit ENABLE TRIGGER access_audit_no_update_delete")
    result = await verify(pool)
    assert (result.ok, result.first_bad_seq, result.checked) == (False, 17, 16)
    assert result.problem == "record content does not match its hash"

    cli = await verify_audit_cli(dsn)
    _, err = await cli.communicate()
    assert cli.returncode == 1
    assert "BROKEN at seq 17" in err.decode()


async def test_a_rehashed_record_breaks_the_link_to_the_next(audit_db: tuple[str, asyncpg.Pool]) -> None:
    _, pool = audit_db
    await fill(pool, 10)
    # A forger holding even the chain key rewrites record 4 and recomputes its own hash; record 5
    # still points at the old one.
    original = (await query(pool, after_seq=3, limit=1))[0]
    forged = dataclasses.replace(original, user_id="innocent")
    async with pool.acquire() as conn:
        await conn.execute("SET session_replication_role = replica")  # superuser: triggers off
        await conn.execute(
            "UPDATE access_audit SET user_id = $1, hash = $2 WHERE seq = 4",
            forged.user_id,
            record_hash(forged, 4, forged.prev_hash, chain_keys_from_env().active),
        )
        await conn.execute("SET session_replication_role = origin")
    result = await verify(pool)
    assert (result.ok, result.first_bad_seq, result.checked) == (False, 5, 4)
    assert result.problem == "link to the previous record is broken"


async def test_a_deleted_record_is_found_at_its_seq(audit_db: tuple[str, asyncpg.Pool]) -> None:
    _, pool = audit_db
    await fill(pool, 12)
    async with pool.acquire() as conn:
        await conn.execute("SET session_replication_role = replica")
        await conn.execute("DELETE FROM access_audit WHERE seq = 9")
        await conn.execute("SET session_replication_role = origin")
    result = await verify(pool)
    assert (result.ok, result.first_bad_seq, result.checked) == (False, 9, 8)
    assert result.problem == "record 9 is missing"


async def test_an_intact_chain_passes_the_cli(audit_db: tuple[str, asyncpg.Pool]) -> None:
    dsn, pool = audit_db
    await fill(pool, 5)
    cli = await verify_audit_cli(dsn)
    out, _ = await cli.communicate()
    assert cli.returncode == 0
    assert "audit chain intact: 5 records" in out.decode()
    assert await head(pool) == (5, await pool.fetchval("SELECT hash FROM access_audit WHERE seq = 5"))


async def test_the_dpo_queries_by_pupil_user_and_date(audit_db: tuple[str, asyncpg.Pool]) -> None:
    _, pool = audit_db
    pupil_a, pupil_b = uuid4(), uuid4()
    monday = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
    log = AuditLog(pool)
    await log.record_many(
        [
            entry(user="alice", pupil=pupil_a, at=monday),
            entry(user="bob", pupil=pupil_a, at=monday + timedelta(days=1)),
            entry(user="alice", pupil=pupil_b, at=monday + timedelta(days=2)),
            entry(user="carol", pupil=pupil_a, at=monday + timedelta(days=3), break_glass=True),
            entry(user="alice", pupil=None, at=monday + timedelta(days=4)),
        ]
    )
    about_a = await query(pool, pupil=pupil_a)
    assert [r.user_id for r in about_a] == ["alice", "bob", "carol"]
    assert all(r.pupil_ref == pupil_a for r in about_a)
    assert [r.pupil_ref for r in await query(pool, user="alice")] == [pupil_a, pupil_b, None]
    midweek = await query(pool, since=monday + timedelta(days=1), until=monday + timedelta(days=3))
    assert [r.user_id for r in midweek] == ["bob", "alice"]
    assert [r.user_id for r in await query(pool, pupil=pupil_a, user="alice")] == ["alice"]
    emergency = await query(pool, break_glass=True)
    assert [(r.user_id, r.purpose) for r in emergency] == [("carol", "testing")]
    first_page = await query(pool, limit=2)
    second_page = await query(pool, limit=2, after_seq=first_page[-1].seq)
    assert [r.seq for r in first_page + second_page] == [1, 2, 3, 4]
    assert about_a[0].at == monday and about_a[0].roles == ("provision_staff",)


async def test_append_refuses_a_connection_inside_a_transaction(audit_db: tuple[str, asyncpg.Pool]) -> None:
    _, pool = audit_db
    async with pool.acquire() as conn, conn.transaction():
        with pytest.raises(RuntimeError, match="outside any transaction"):
            await append_entries(conn, [entry()])
