"""The access audit as a set of chains, one per writing process (issue 11), on real PostgreSQL and Kafka.

Rule served: every access decision is in the tamper-evident trail (DPA 2018 s.62) without one lock that
every process's audit write waits on. Each process writes its own chain: one statement per batch, no
lock; the trail verifies as the set of chains, and a removed, altered, reordered or moved record, or a
whole chain removed, is still detected.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from uuid import uuid4

import asyncpg
import pytest
import pytest_asyncio

from ap_runtime.access import AuditEntry, AuditLog, open_audit_pool, verify
from ap_runtime.access.audit import process_chain_id
from ap_runtime.access.audit_heads import AuditHeadPublisher, read_published_heads
from ap_runtime.access.chain_keys import ChainKeyRing, new_chain_key, parse_chain_key

pytestmark = pytest.mark.integration

KEYS = ChainKeyRing(parse_chain_key(new_chain_key("chains-test")))
PER_PROCESS = 120


def entry(user: str) -> AuditEntry:
    return AuditEntry(at=datetime.now(UTC), user_id=user, roles=("provision_staff",), organisation_id="prov-north",
                      action="incidents.record_incident", decision="allowed", rule_id="INC-1", reason="test",
                      pupil_ref=uuid4(), record_class="behaviour", correlation_id=uuid4())


@pytest_asyncio.fixture(loop_scope="session")
async def audit_dsn(new_database: Callable[[str], Awaitable[str]]) -> AsyncIterator[str]:
    dsn = await new_database("audit_chains")
    pool = await open_audit_pool(dsn, max_size=2)  # the schema, as a service's start creates it
    await pool.close()
    yield dsn


async def superuser(dsn: str, *statements: str) -> None:
    """An attacker with the database (append-only triggers off) but neither the key nor the heads topic."""
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute("SET session_replication_role = replica")
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()


async def two_processes_write(dsn: str) -> list[AuditLog]:
    """Two writers, each with its own pool and chain as two API processes have, recording concurrently."""
    logs = []
    for name in ("api-1", "api-2"):
        pool = await asyncpg.create_pool(dsn, min_size=1, max_size=3)
        logs.append(AuditLog(pool, keys=KEYS, chain_id=process_chain_id(name)))
    await asyncio.gather(*(log.record(entry(f"u{i}")) for i in range(PER_PROCESS) for log in logs))
    return logs


async def test_two_processes_writing_at_once_each_keep_a_chain_and_both_verify(audit_dsn: str) -> None:
    logs = await two_processes_write(audit_dsn)
    async with asyncpg.create_pool(audit_dsn, min_size=1, max_size=1) as reader:
        result = await verify(reader, keys=KEYS)
        assert (result.ok, result.checked, result.chains) == (True, 2 * PER_PROCESS, 2), result
        for log in logs:
            places = [r["chain_seq"] for r in await reader.fetch(
                "SELECT chain_seq FROM access_audit WHERE chain_id = $1 ORDER BY seq", log.chain_id)]
            assert places == list(range(1, PER_PROCESS + 1))  # in order, gap-free, each chain its own
        # Every record is numbered once among all chains, for readers paging through the trail.
        assert await reader.fetchval("SELECT count(DISTINCT seq) FROM access_audit") == 2 * PER_PROCESS


async def test_a_batch_on_its_own_chain_is_one_statement_without_a_lock(audit_dsn: str) -> None:
    sent: list[str] = []

    async def log_queries(conn: asyncpg.Connection) -> None:
        conn.add_query_logger(lambda logged: sent.append(logged.query))

    async def keep_session(_conn: asyncpg.Connection) -> None:
        """As the command path's pools (``pg_pools``): a released connection is not reset."""

    async with asyncpg.create_pool(audit_dsn, min_size=1, max_size=1, init=log_queries, reset=keep_session) as pool:
        log = AuditLog(pool, keys=KEYS, chain_id=process_chain_id("api"))
        await log.record_many([entry("first")])  # reads its (new) chain's head once
        sent.clear()
        await log.record_many([entry(f"u{i}") for i in range(5)])
        await asyncio.gather(*(log.record(entry(f"v{i}")) for i in range(5)))  # concurrent: one batch
    assert len(sent) == 2 and all(s.lstrip().startswith("INSERT") for s in sent), sent
    assert not any("advisory" in s or "BEGIN" in s.upper() for s in sent)


async def test_a_record_removed_from_one_chain_is_found_in_that_chain(audit_dsn: str) -> None:
    logs = await two_processes_write(audit_dsn)
    victim = logs[1].chain_id
    await superuser(audit_dsn, f"DELETE FROM access_audit WHERE chain_id = '{victim}' AND chain_seq = 7")
    async with asyncpg.create_pool(audit_dsn, min_size=1, max_size=1) as reader:
        result = await verify(reader, keys=KEYS)
    assert (result.ok, result.first_bad_chain, result.first_bad_seq) == (False, victim, 7)
    assert result.problem == "record 7 is missing"


async def test_records_swapped_within_a_chain_or_moved_to_another_are_detected(audit_dsn: str) -> None:
    logs = await two_processes_write(audit_dsn)
    first, second = (log.chain_id for log in logs)
    async with asyncpg.create_pool(audit_dsn, min_size=1, max_size=1) as reader:
        # Two records of one chain swap places, links and all: each record's HMAC covers its place.
        rows = {r["chain_seq"]: r for r in await reader.fetch(
            "SELECT chain_seq, prev_hash, hash, seq FROM access_audit WHERE chain_id = $1 AND chain_seq IN (4, 5)",
            first)}
        await superuser(
            audit_dsn,
            f"UPDATE access_audit SET chain_seq = chain_seq + 1000000 WHERE seq IN ({rows[4]['seq']},"
            f" {rows[5]['seq']})",
            f"UPDATE access_audit SET chain_seq = 5, prev_hash = '{rows[5]['prev_hash']}', hash = '{rows[5]['hash']}'"
            f" WHERE seq = {rows[4]['seq']}",
            f"UPDATE access_audit SET chain_seq = 4, prev_hash = '{rows[4]['prev_hash']}', hash = '{rows[4]['hash']}'"
            f" WHERE seq = {rows[5]['seq']}",
        )
        swapped = await verify(reader, keys=KEYS)
        assert (swapped.ok, swapped.first_bad_seq, swapped.problem) == (
            False, 4, "record content does not match its hash")
        # Put back, then move the last record of the second chain to the end of the first.
        await superuser(
            audit_dsn,
            f"UPDATE access_audit SET chain_seq = chain_seq + 1000000 WHERE seq IN ({rows[4]['seq']},"
            f" {rows[5]['seq']})",
            f"UPDATE access_audit SET chain_seq = 4, prev_hash = '{rows[4]['prev_hash']}', hash = '{rows[4]['hash']}'"
            f" WHERE seq = {rows[4]['seq']}",
            f"UPDATE access_audit SET chain_seq = 5, prev_hash = '{rows[5]['prev_hash']}', hash = '{rows[5]['hash']}'"
            f" WHERE seq = {rows[5]['seq']}",
        )
        assert (await verify(reader, keys=KEYS)).ok
        first_head = await reader.fetchval(
            "SELECT hash FROM access_audit WHERE chain_id = $1 AND chain_seq = $2", first, PER_PROCESS)
        await superuser(audit_dsn, f"UPDATE access_audit SET chain_id = '{first}', chain_seq = {PER_PROCESS + 1},"
                                   f" prev_hash = '{first_head}' WHERE chain_id = '{second}'"
                                   f" AND chain_seq = {PER_PROCESS}")
        moved = await verify(reader, keys=KEYS)
    assert (moved.ok, moved.first_bad_chain, moved.first_bad_seq) == (False, first, PER_PROCESS + 1)
    assert moved.problem == "record content does not match its hash"


async def test_a_whole_chain_removed_is_caught_by_its_published_head(
        audit_dsn: str, new_topic: Callable[..., Awaitable[str]], kafka_bootstrap: str) -> None:
    topic = await new_topic("audit-heads", partitions=1)
    logs = await two_processes_write(audit_dsn)
    async with asyncpg.create_pool(audit_dsn, min_size=1, max_size=1) as pool:
        # One process's publisher anchors every chain that moved, its own and the other's.
        await AuditHeadPublisher(pool, kafka_bootstrap, topic=topic, keys=KEYS).publish_now()
        heads = await read_published_heads(kafka_bootstrap, topic)
        assert sorted((h.chain_id, h.seq) for h in heads) == sorted((log.chain_id, PER_PROCESS) for log in logs)
        anchored = await verify(pool, keys=KEYS, heads=heads)
        assert (anchored.ok, anchored.anchored_seq, anchored.unanchored) == (True, 2 * PER_PROCESS, 0)

        victim = logs[0].chain_id
        await superuser(audit_dsn, f"DELETE FROM access_audit WHERE chain_id = '{victim}'")
        assert (await verify(pool, keys=KEYS)).ok  # without the heads, a chain gone whole leaves no gap...
        result = await verify(pool, keys=KEYS, heads=heads)  # ...but its published head names it
    assert (result.ok, result.first_bad_chain, result.first_bad_seq) == (False, victim, 1)
    assert result.problem is not None and "truncated" in result.problem and f"names seq {PER_PROCESS}" in result.problem


async def test_a_second_writer_on_the_same_chain_cannot_fork_it(audit_dsn: str) -> None:
    """Chain ids are per process; should two writers share one, the table refuses the second record at a
    place, the refused writer reads the head again, and the chain stays one line that verifies."""
    chain_id = process_chain_id("api")
    async with asyncpg.create_pool(audit_dsn, min_size=1, max_size=2) as pool:
        one, other = AuditLog(pool, keys=KEYS, chain_id=chain_id), AuditLog(pool, keys=KEYS, chain_id=chain_id)
        await one.record_many([entry("a"), entry("b")])
        await other.record_many([entry("c")])  # reads the head: place 3
        with pytest.raises(asyncpg.UniqueViolationError):
            await one.record_many([entry("d")])  # still thinks the head is place 2
        retried = await one.record_many([entry("d")])  # read the head again after the failure
        assert retried[0].chain_position == 4
        result = await verify(pool, keys=KEYS)
    assert (result.ok, result.checked, result.chains) == (True, 4, 1)
