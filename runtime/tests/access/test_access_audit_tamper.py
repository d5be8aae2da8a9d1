"""Tampering with the access audit on real PostgreSQL and Kafka: every kind is caught by verify-audit.

Rule served: the audit trail cannot be trimmed or rewritten unnoticed (issue 9, DPA 2018 s.62). The
attacker here can do anything to the audit database (a superuser switching the append-only
triggers off) but holds neither the chain key nor write access to the heads topic; one test also
gives them the key, and the published heads still catch them.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import os
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from uuid import uuid4

import asyncpg
import pytest
import pytest_asyncio

from ap_runtime.access import AuditEntry, AuditLog, open_audit_pool, verify
from ap_runtime.access.audit_chain import GENESIS_HASH, record_hash
from ap_runtime.access.audit_heads import AuditHeadPublisher, read_published_heads
from ap_runtime.access.chain_keys import CHAIN_KEY_ENV, ChainKeyRing, parse_chain_key
from ap_runtime.access.chain_keys import new_chain_key as fresh_key

pytestmark = pytest.mark.integration

KEYS = ChainKeyRing(parse_chain_key(fresh_key("tamper-test")))
Audit = tuple[str, asyncpg.Pool, str]


def entry(user: str) -> AuditEntry:
    return AuditEntry(at=datetime.now(UTC), user_id=user, roles=("provision_staff",), organisation_id="prov-north",
                      action="incidents.read_behaviour_log", decision="allowed", rule_id="LOG-1", reason="test",
                      pupil_ref=uuid4(), record_class="behaviour", correlation_id=uuid4())


@pytest_asyncio.fixture(loop_scope="session")
async def audit(new_database: Callable[[str], Awaitable[str]], new_topic: Callable[..., Awaitable[str]],
                kafka_bootstrap: str) -> AsyncIterator[Audit]:
    dsn = await new_database("audit_tamper")
    pool = await open_audit_pool(dsn, max_size=3)
    topic = await new_topic("audit-heads", partitions=1)
    yield dsn, pool, topic
    await pool.close()


async def write_and_publish(pool: asyncpg.Pool, bootstrap: str, topic: str, count: int) -> None:
    """``count`` records, then the head published, as a service's publisher would."""
    await AuditLog(pool, keys=KEYS).record_many([entry(f"u{i}") for i in range(count)])
    published = await AuditHeadPublisher(pool, bootstrap, topic=topic, keys=KEYS).publish_now()
    assert published is not None and published.seq == await pool.fetchval("SELECT max(seq) FROM access_audit")


async def as_superuser(pool: asyncpg.Pool, *statements: tuple[str, tuple[object, ...]]) -> None:
    async with pool.acquire() as conn:
        await conn.execute("SET session_replication_role = replica")  # append-only triggers off
        for sql, args in statements:
            await conn.execute(sql, *args)
        await conn.execute("SET session_replication_role = origin")


def sha256_rehash(row: asyncpg.Record, prev_hash: str) -> str:
    """What an attacker without the key computes: the published canonical form, hashed with SHA-256."""
    fields = {name: row[name] for name in ("seq", "user_id", "organisation_id", "action", "decision", "rule_id")}
    return hashlib.sha256(json.dumps({**fields, "prev_hash": prev_hash}, default=str).encode()).hexdigest()


async def rebuild_chain(pool: asyncpg.Pool, rehash: Callable[[asyncpg.Record, str], str]) -> None:
    """Renumber the remaining records 1..n (their number and their place in the chain) and recompute every
    link with ``rehash``."""
    rows = await pool.fetch("SELECT * FROM access_audit ORDER BY seq")
    statements: list[tuple[str, tuple[object, ...]]] = [("DELETE FROM access_audit", ())]
    prev = GENESIS_HASH
    for new_seq, row in enumerate(rows, start=1):
        moved = {**dict(row), "seq": new_seq, "chain_seq": new_seq}
        digest = rehash(moved, prev)  # type: ignore[arg-type]
        statements.append((
            "INSERT INTO access_audit SELECT * FROM jsonb_populate_record(NULL::access_audit, $1::jsonb)",
            (json.dumps({**moved, "prev_hash": prev, "hash": digest}, default=str),),
        ))
        prev = digest
    await as_superuser(pool, *statements)


async def verdict(pool: asyncpg.Pool, bootstrap: str, topic: str) -> tuple[bool, int | None, str | None]:
    result = await verify(pool, keys=KEYS, heads=await read_published_heads(bootstrap, topic))
    return result.ok, result.first_bad_seq, result.problem


async def test_an_untouched_trail_verifies_and_is_anchored(audit: Audit, kafka_bootstrap: str) -> None:
    _, pool, topic = audit
    await write_and_publish(pool, kafka_bootstrap, topic, 8)
    await AuditLog(pool, keys=KEYS).record_many([entry("late")])
    result = await verify(pool, keys=KEYS, heads=await read_published_heads(kafka_bootstrap, topic))
    assert (result.ok, result.checked, result.anchored_seq, result.unanchored) == (True, 9, 8, 1)


async def test_deleting_the_newest_records_is_detected(audit: Audit, kafka_bootstrap: str) -> None:
    _, pool, topic = audit
    await write_and_publish(pool, kafka_bootstrap, topic, 10)
    await as_superuser(pool, ("DELETE FROM access_audit WHERE seq > 7", ()))
    ok, first_bad, problem = await verdict(pool, kafka_bootstrap, topic)
    assert (ok, first_bad) == (False, 8)
    assert problem is not None and "truncated" in problem and "names seq 10" in problem


async def test_truncation_then_new_writes_is_detected(audit: Audit, kafka_bootstrap: str) -> None:
    """The services keep writing after the cut: record 10 exists again, but not the published one."""
    _, pool, topic = audit
    await write_and_publish(pool, kafka_bootstrap, topic, 10)
    await as_superuser(pool, ("DELETE FROM access_audit WHERE seq > 6", ()))
    await AuditLog(pool, keys=KEYS).record_many([entry(f"after-{i}") for i in range(6)])
    ok, first_bad, problem = await verdict(pool, kafka_bootstrap, topic)
    assert (ok, first_bad) == (False, 10)
    assert problem is not None and problem.startswith("record differs from the head published at")


async def test_deleting_a_middle_record_and_recomputing_the_chain_without_the_key_is_detected(
        audit: Audit, kafka_bootstrap: str) -> None:
    _, pool, topic = audit
    await write_and_publish(pool, kafka_bootstrap, topic, 10)
    await as_superuser(pool, ("DELETE FROM access_audit WHERE seq = 4", ()))
    await rebuild_chain(pool, sha256_rehash)
    ok, first_bad, problem = await verdict(pool, kafka_bootstrap, topic)
    assert (ok, first_bad, problem) == (False, 1, "record content does not match its hash")
    # Without the heads, the key alone catches it too.
    assert not (await verify(pool, keys=KEYS)).ok


async def test_deleting_a_middle_record_and_recomputing_the_chain_with_the_key_is_caught_by_the_heads(
        audit: Audit, kafka_bootstrap: str) -> None:
    _, pool, topic = audit
    await write_and_publish(pool, kafka_bootstrap, topic, 10)
    await as_superuser(pool, ("DELETE FROM access_audit WHERE seq = 4", ()))

    def keyed(row: asyncpg.Record, prev: str) -> str:
        stored = AuditEntry(at=datetime.fromisoformat(str(row["at"])), user_id=row["user_id"],
                            roles=tuple(row["roles"]), organisation_id=row["organisation_id"], action=row["action"],
                            decision=row["decision"], rule_id=row["rule_id"], reason=row["reason"],
                            pupil_ref=row["pupil_ref"], record_class=row["record_class"],
                            correlation_id=row["correlation_id"], policy_version=row["policy_version"])
        return record_hash(stored, row["seq"], prev, KEYS.active)

    await rebuild_chain(pool, keyed)
    assert (await verify(pool, keys=KEYS)).ok  # the insider rebuilt a chain that links...
    ok, first_bad, problem = await verdict(pool, kafka_bootstrap, topic)
    assert not ok  # ...but it no longer ends where the published head says, nor has a record 10
    assert first_bad == 10 and problem is not None and "truncated" in problem


async def test_an_edited_record_is_detected(audit: Audit, kafka_bootstrap: str) -> None:
    _, pool, topic = audit
    await write_and_publish(pool, kafka_bootstrap, topic, 6)
    await as_superuser(pool, ("UPDATE access_audit SET decision = 'denied' WHERE seq = 3", ()))
    assert await verdict(pool, kafka_bootstrap, topic) == (False, 3, "record content does not match its hash")


async def test_a_head_not_signed_with_the_chain_key_is_refused(audit: Audit, kafka_bootstrap: str) -> None:
    _, pool, topic = audit
    await write_and_publish(pool, kafka_bootstrap, topic, 3)
    other = ChainKeyRing(parse_chain_key(fresh_key("tamper-test")))  # same id, another secret
    await AuditHeadPublisher(pool, kafka_bootstrap, topic=topic, keys=other).publish_now(force=True)
    ok, _, problem = await verdict(pool, kafka_bootstrap, topic)
    assert not ok and problem is not None and "not signed by a known key" in problem


async def test_the_publisher_publishes_at_its_interval_and_on_stop(audit: Audit, kafka_bootstrap: str) -> None:
    _, pool, topic = audit
    publisher = AuditHeadPublisher(pool, kafka_bootstrap, topic=topic, keys=KEYS, interval_seconds=0.2)
    log = AuditLog(pool, keys=KEYS)
    await publisher.start()
    await log.record_many([entry("a"), entry("b")])
    for _ in range(100):
        if [h.seq for h in await read_published_heads(kafka_bootstrap, topic)] == [2]:
            break
        await asyncio.sleep(0.1)
    await log.record_many([entry("c")])
    await publisher.stop()
    assert [h.seq for h in await read_published_heads(kafka_bootstrap, topic)] == [2, 3]


async def test_the_cli_reads_the_heads_and_reports_truncation(audit: Audit, kafka_bootstrap: str) -> None:
    dsn, pool, topic = audit
    await write_and_publish(pool, kafka_bootstrap, topic, 5)
    env = {**os.environ, CHAIN_KEY_ENV: f"{KEYS.active.key_id}:{base64.b64encode(KEYS.active.secret).decode()}"}

    async def cli() -> tuple[int, str]:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "ap_runtime.access", "verify-audit", "--dsn", dsn, "--heads-topic", topic,
            "--bootstrap", kafka_bootstrap, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        out, err = await process.communicate()
        return process.returncode or 0, out.decode() + err.decode()

    code, output = await cli()
    assert code == 0 and "audit chain intact: 5 records, anchored up to seq 5" in output
    await as_superuser(pool, ("DELETE FROM access_audit WHERE seq = 5", ()))
    code, output = await cli()
    assert code == 1 and "BROKEN at seq 5" in output and "truncated" in output


async def test_a_writer_without_the_chain_key_refuses_to_start(audit: Audit) -> None:
    _, pool, _ = audit
    from ap_runtime.access.chain_keys import ChainKeyError, chain_keys_from_env

    with pytest.raises(ChainKeyError, match="AP_AUDIT_CHAIN_KEY is not set"):
        chain_keys_from_env({})
    with pytest.raises(ChainKeyError, match="at least 32"):
        chain_keys_from_env({CHAIN_KEY_ENV: "k1:c2hvcnQ="})
    columns = {r["column_name"] for r in await pool.fetch(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'access_audit'")}
    assert not any("secret" in c or c == "key" for c in columns)


async def test_a_rotated_key_keeps_older_records_verifiable_while_it_is_retired(audit: Audit) -> None:
    """Rotation as the README says: the new key chains new records, the old one (retired) verifies
    the records it chained; without it they no longer verify."""
    _, pool, _ = audit
    old = KEYS.active
    await AuditLog(pool, keys=KEYS).record_many([entry("before-rotation")])
    rotated = ChainKeyRing(parse_chain_key(fresh_key("rotated")), retired=(old,))
    await AuditLog(pool, keys=rotated).record_many([entry("after-rotation")])
    assert [r["key_id"] for r in await pool.fetch("SELECT key_id FROM access_audit ORDER BY seq")] == [
        "tamper-test", "rotated"]
    assert (await verify(pool, keys=rotated)).ok
    forgotten = await verify(pool, keys=ChainKeyRing(rotated.active))
    assert (forgotten.ok, forgotten.first_bad_seq) == (False, 1)
    assert forgotten.problem == (
        "record is chained with key 'tamper-test', which is neither the active nor a retired key")


def test_the_ring_is_read_from_the_environment_with_its_retired_keys() -> None:
    from ap_runtime.access.chain_keys import RETIRED_KEYS_ENV, ChainKeyError, chain_keys_from_env

    new, old = fresh_key("k2"), fresh_key("k1")
    ring = chain_keys_from_env({CHAIN_KEY_ENV: new, RETIRED_KEYS_ENV: old})
    assert (ring.active.key_id, [k.key_id for k in ring.retired]) == ("k2", ["k1"])
    assert base64.b64encode(ring.active.secret).decode() not in repr(ring)  # never shown
    with pytest.raises(ChainKeyError, match="also the active key"):
        chain_keys_from_env({CHAIN_KEY_ENV: new, RETIRED_KEYS_ENV: new})


async def test_the_cli_refuses_to_call_a_trail_intact_when_the_heads_cannot_be_read(audit: Audit) -> None:
    dsn, pool, _ = audit
    await AuditLog(pool).record_many([entry("u")])
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "ap_runtime.access", "verify-audit", "--dsn", dsn, "--bootstrap", "127.0.0.1:1",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await process.communicate()
    assert process.returncode == 2, out.decode()
    assert "cannot read the published heads" in err.decode() and "intact" not in out.decode()
