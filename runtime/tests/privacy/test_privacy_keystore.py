"""Key store on real PostgreSQL: create, read, destroy, concurrency, cache expiry, master rotation."""

from __future__ import annotations

import asyncio
import json
import os
import random
import sys
from uuid import uuid4

import asyncpg
import pytest

from ap_contracts.events.privacy import MasterKeyRotated
from ap_runtime.privacy.errors import SealedValueRejected, SubjectErased, UnknownSubjectKey
from ap_runtime.privacy.keystore import KeyStore
from ap_runtime.privacy.masterkeys import MasterKeyRing
from ap_testing.privacy import master_keys_env, random_ring

pytestmark = pytest.mark.integration


def subject() -> str:
    return str(uuid4())


async def test_create_get_destroy(keystore: KeyStore, keys_pool: asyncpg.Pool) -> None:
    s = subject()
    key = await keystore.get_or_create(s)
    assert len(key) == 32
    assert await keystore.get_or_create(s) == key
    assert await keystore.get(s) == key

    assert await keystore.destroy(s) is True
    assert await keystore.get(s) is None
    assert await keystore.destroy(s) is False  # idempotent
    row = await keys_pool.fetchrow("SELECT * FROM subject_keys WHERE subject = $1", s)
    assert row is not None
    assert row["wrapped_key"] is None and row["master_key_id"] is None and row["destroyed_at"] is not None


async def test_stored_row_never_holds_the_data_key_in_clear(keystore: KeyStore, keys_pool: asyncpg.Pool) -> None:
    s = subject()
    key = await keystore.get_or_create(s)
    wrapped = await keys_pool.fetchval("SELECT wrapped_key FROM subject_keys WHERE subject = $1", s)
    assert key not in bytes(wrapped)


async def test_an_erased_subject_never_gets_a_new_key(keystore: KeyStore) -> None:
    s = subject()
    await keystore.get_or_create(s)
    await keystore.destroy(s)
    with pytest.raises(SubjectErased):
        await keystore.get_or_create(s)


async def test_destroying_a_subject_without_a_key_leaves_a_tombstone(keystore: KeyStore) -> None:
    s = subject()
    assert await keystore.destroy(s) is False
    assert await keystore.get(s) is None
    with pytest.raises(SubjectErased):
        await keystore.get_or_create(s)


async def test_reading_a_subject_that_never_had_a_key_is_an_error(keystore: KeyStore) -> None:
    with pytest.raises(UnknownSubjectKey):
        await keystore.get(subject())


async def test_many_subjects_in_one_call(keystore: KeyStore) -> None:
    subjects = [subject() for _ in range(300)]
    created = await keystore.get_or_create_many(subjects[:200])
    both = await keystore.get_or_create_many(subjects)
    assert {s: both[s] for s in subjects[:200]} == created
    assert len(set(both.values())) == 300
    await keystore.destroy(subjects[0])
    read = await keystore.get_many(subjects)
    assert read[subjects[0]] is None and read[subjects[1]] == both[subjects[1]]


async def test_fifty_concurrent_creators_of_one_subject_share_one_key(keys_dsn: str, ring: MasterKeyRing) -> None:
    s = subject()
    pools = [await asyncpg.create_pool(keys_dsn, min_size=1, max_size=10) for _ in range(5)]
    try:
        stores = [KeyStore(pool, ring, cache_ttl_seconds=0) for pool in pools]
        keys = await asyncio.gather(*(stores[i % 5].get_or_create(s) for i in range(50)))
    finally:
        for pool in pools:
            await pool.close()
    assert len(set(keys)) == 1


async def test_concurrent_batches_over_the_same_subjects_in_any_order_agree(
    keys_pool: asyncpg.Pool, ring: MasterKeyRing
) -> None:
    # Large enough that, without a fixed insert order, racing batches deadlock (seen before the fix).
    subjects = [subject() for _ in range(3000)]

    async def batch(seed: int) -> dict[str, bytes]:
        order = list(subjects)
        random.Random(seed).shuffle(order)
        return await KeyStore(keys_pool, ring, cache_ttl_seconds=0).get_or_create_many(order)

    results = await asyncio.gather(*(batch(seed) for seed in range(16)))
    assert all(result == results[0] for result in results)
    assert len(set(results[0].values())) == 3000


async def test_destroy_evicts_the_cache_of_the_same_process_at_once(
    keys_pool: asyncpg.Pool, ring: MasterKeyRing
) -> None:
    store = KeyStore(keys_pool, ring, cache_ttl_seconds=60)
    s = subject()
    await store.get_or_create(s)
    assert await store.get(s) is not None
    await store.destroy(s)
    assert await store.get(s) is None


async def test_another_process_stops_using_a_destroyed_key_after_the_ttl(
    keys_dsn: str, keys_pool: asyncpg.Pool, ring: MasterKeyRing
) -> None:
    other_pool = await asyncpg.create_pool(keys_dsn, min_size=1, max_size=2)
    try:
        reader = KeyStore(other_pool, ring, cache_ttl_seconds=0.3)
        destroyer = KeyStore(keys_pool, ring, cache_ttl_seconds=0)
        s = subject()
        key = await destroyer.get_or_create(s)
        assert await reader.get(s) == key  # now cached in the reader
        await destroyer.destroy(s)
        assert await reader.get(s) == key  # inside the documented TTL window
        await asyncio.sleep(0.35)
        assert await reader.get(s) is None
    finally:
        await other_pool.close()


async def test_a_wrapped_key_moved_to_another_subject_does_not_unwrap(
    keystore: KeyStore, keys_pool: asyncpg.Pool
) -> None:
    a, b = subject(), subject()
    await keystore.get_or_create_many([a, b])
    await keys_pool.execute(
        "UPDATE subject_keys SET wrapped_key = (SELECT wrapped_key FROM subject_keys WHERE subject = $1)"
        " WHERE subject = $2", a, b,
    )
    with pytest.raises(SealedValueRejected):
        await keystore.get(b)


async def test_master_rotation_under_concurrent_reads_and_writes(own_keys_dsn: str) -> None:
    old_ring, keys = random_ring("mk-old")
    _, new_keys = random_ring("mk-new")
    new_ring = MasterKeyRing({**keys, **new_keys}, "mk-new")
    pool = await asyncpg.create_pool(own_keys_dsn, min_size=2, max_size=12)
    try:
        before = KeyStore(pool, old_ring, cache_ttl_seconds=0)
        subjects = [subject() for _ in range(1500)]
        originals = await before.get_or_create_many(subjects)
        during = KeyStore(pool, new_ring, cache_ttl_seconds=0)
        reads = failures = 0
        written: dict[str, bytes] = {}
        rotating = True

        async def reader() -> None:
            nonlocal reads, failures
            rng = random.Random()
            while rotating:
                batch = rng.sample(subjects, 20)
                try:
                    got = await during.get_many(batch)
                except Exception:
                    failures += 1
                    continue
                failures += sum(got[s] != originals[s] for s in batch)
                reads += len(batch)

        async def writer() -> None:
            while rotating:
                s = subject()
                written[s] = await during.get_or_create(s)

        tasks = [asyncio.create_task(reader()) for _ in range(4)] + [asyncio.create_task(writer())]
        await asyncio.sleep(0.05)
        event = await during.rotate_master("mk-new", batch_size=50)
        rotating = False
        await asyncio.gather(*tasks)

        assert failures == 0
        assert reads > 0 and written  # readers and a writer really overlapped the rotation
        assert event.keys_rewrapped == 1500
        assert event.retired_master_key_ids == ("mk-old",)
        assert await during.master_key_usage() == {"mk-new": 1500 + len(written)}
        # The old master key can now leave the ring: every key still reads back unchanged.
        after = KeyStore(pool, MasterKeyRing(new_keys, "mk-new"), cache_ttl_seconds=0)
        assert await after.get_many(subjects) == originals
        assert await after.get_many(list(written)) == written
    finally:
        await pool.close()



async def test_rotate_and_usage_commands_as_an_operator_runs_them(own_keys_dsn: str) -> None:
    _, old_keys = random_ring("mk-old")
    _, new_keys = random_ring("mk-new")
    pool = await asyncpg.create_pool(own_keys_dsn, min_size=1, max_size=2)
    try:
        subjects = [subject() for _ in range(30)]
        before = KeyStore(pool, MasterKeyRing(old_keys, "mk-old"), cache_ttl_seconds=0)
        originals = await before.get_or_create_many(subjects)
        env = {**os.environ, **master_keys_env({**old_keys, **new_keys}, "mk-new")}

        async def command(*args: str) -> str:
            proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "ap_runtime.privacy", *args, "--dsn", own_keys_dsn, env=env,
                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
            )
            out, err = await proc.communicate()
            assert proc.returncode == 0, err.decode()
            return out.decode().strip()

        rotated = MasterKeyRotated.model_validate_json(await command("rotate", "mk-new", "--batch-size", "7"))
        assert (rotated.keys_rewrapped, rotated.retired_master_key_ids) == (30, ("mk-old",))
        assert json.loads(await command("usage")) == {"mk-new": 30}
        after = KeyStore(pool, MasterKeyRing(new_keys, "mk-new"), cache_ttl_seconds=0)
        assert await after.get_many(subjects) == originals
    finally:
        await pool.close()
