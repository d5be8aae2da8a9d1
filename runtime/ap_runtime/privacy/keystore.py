"""Per-pupil data keys, wrapped by an operator master key, in their own PostgreSQL database.

Rule served: erasure in an append-only store (UK GDPR Art. 17) by crypto-shredding. Every personal
field of a pupil's events is encrypted with that pupil's data key; destroying the key makes every
copy of those fields (event store, Kafka topics, backups of both) unreadable for good.

Why a separate database (e.g. ``ap_keys``): the keys must not travel with the events. A backup or
replica of the event store holds ciphertext only, and the key database has its own, shorter backup
retention and its own access list.

What ``destroy`` does and does not do, precisely:
- it replaces the wrapped key with NULL and keeps a tombstone row (``destroyed_at``), so the
  subject can never silently get a fresh key, and a read of a destroyed key answers None;
- PostgreSQL keeps the previous row version until VACUUM, and the WAL and the key database's
  backups keep it longer. Those remnants are still wrapped by the master key, so the erasure is
  complete once the master key that wrapped them is rotated out (``rotate_master``) and destroyed
  by the operator after the key database's backups and WAL archive of that period have expired.
  Rotate master keys on a fixed schedule shorter than the promised erasure delay.

Cache: unwrapped keys are cached in process for ``cache_ttl_seconds`` (default 5 s). ``destroy``
evicts at once in the destroying process; other processes stop using a destroyed key within the
TTL. Something sealed by another process inside that window is encrypted under a key that no longer
exists, so it is already unreadable. Tests set the TTL to 0.

Master key rotation: ``rotate_master`` rewraps live keys in small committed batches. Each row
names its master key, readers unwrap with whichever key the row names, so reads and writes go on
throughout. Operator procedure: (1) add the new key to ``AP_MASTER_KEYS`` everywhere and make it
``AP_ACTIVE_MASTER_KEY``; (2) run the rotation; (3) check ``master_key_usage()`` shows no live key
under the old id; (4) remove the old key from the ring, and destroy it once backups have aged out.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Iterable
from dataclasses import dataclass

import asyncpg

from ap_contracts.events.privacy import MasterKeyRotated
from ap_runtime.logging import get_logger
from ap_runtime.pg_pools import command_path_pool
from ap_runtime.privacy.errors import SubjectErased, UnknownSubjectKey
from ap_runtime.privacy.keycache import KeyCache
from ap_runtime.privacy.masterkeys import KEY_BYTES, MasterKeyRing, WrappedKey

DEFAULT_CACHE_TTL_SECONDS = 5.0
DEFAULT_ROTATION_BATCH = 200

log = get_logger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS subject_keys (
    subject        text PRIMARY KEY,
    master_key_id  text,
    wrapped_key    bytea,
    created_at     timestamptz NOT NULL DEFAULT now(),
    rotated_at     timestamptz,
    destroyed_at   timestamptz,
    CONSTRAINT live_or_tombstone CHECK (
        (wrapped_key IS NOT NULL AND master_key_id IS NOT NULL AND destroyed_at IS NULL)
        OR (wrapped_key IS NULL AND master_key_id IS NULL AND destroyed_at IS NOT NULL)
    )
);
CREATE INDEX IF NOT EXISTS subject_keys_live_by_master
    ON subject_keys (master_key_id, subject) WHERE wrapped_key IS NOT NULL;
"""

_SELECT = "SELECT subject, master_key_id, wrapped_key FROM subject_keys WHERE subject = ANY($1::text[])"


@dataclass(frozen=True, slots=True)
class _Row:
    subject: str
    wrapped: WrappedKey | None  # None: destroyed (tombstone)


class KeyStore:
    """Create, read, destroy and rewrap per-subject data keys (AES-256)."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        ring: MasterKeyRing,
        *,
        cache_ttl_seconds: float = DEFAULT_CACHE_TTL_SECONDS,
        cache_max_entries: int = 10_000,
        owns_pool: bool = False,
    ) -> None:
        self._pool = pool
        self._ring = ring
        self._cache = KeyCache(cache_ttl_seconds, cache_max_entries)
        self._owns_pool = owns_pool

    @classmethod
    async def open(cls, dsn: str, ring: MasterKeyRing, *, max_connections: int = 10,
                   cache_ttl_seconds: float = DEFAULT_CACHE_TTL_SECONDS) -> KeyStore:
        """Connect to the key database, create the table if needed; ``close()`` releases the pool.

        A command-path pool (issue 11: no reset round trip on each release): this store's sessions keep no state
        past a transaction (its one lock is ``pg_advisory_xact_lock``; no ``SET``, ``LISTEN`` or open cursor)."""
        pool = await command_path_pool(dsn, min_size=1, max_size=max_connections)
        store = cls(pool, ring, cache_ttl_seconds=cache_ttl_seconds, owns_pool=True)
        await store.create_schema()
        return store

    async def close(self) -> None:
        if self._owns_pool:
            await self._pool.close()

    @property
    def ring(self) -> MasterKeyRing:
        return self._ring

    async def create_schema(self) -> None:
        async with self._pool.acquire() as conn, conn.transaction():
            # Concurrent CREATE TABLE IF NOT EXISTS can still collide in the catalogue: serialise it.
            await conn.execute("SELECT pg_advisory_xact_lock(hashtext('ap_runtime.privacy.keystore'))")
            await conn.execute(SCHEMA)

    # -- reading and creating -----------------------------------------------------------------------

    async def get_or_create(self, subject: str) -> bytes:
        """The subject's data key, created on first use. Raises ``SubjectErased`` if it was destroyed."""
        return (await self.get_or_create_many([subject]))[subject]

    async def get_or_create_many(self, subjects: Collection[str]) -> dict[str, bytes]:
        """Data keys of many subjects in two round trips at most; safe against concurrent creators.

        A racing creator may insert first: ``ON CONFLICT DO NOTHING`` then re-reading the row makes
        every caller use the one key that won.
        """
        found = await self._known(subjects)
        missing = [s for s in dict.fromkeys(subjects) if s not in found]
        if missing:
            fresh = [self._ring.wrap(s, os.urandom(KEY_BYTES)) for s in missing]
            async with self._pool.acquire() as conn:
                # Inserting in one fixed order: two batches racing over the same subjects in
                # different orders would otherwise wait on each other's rows and deadlock.
                await conn.execute(
                    "INSERT INTO subject_keys (subject, master_key_id, wrapped_key)"
                    " SELECT * FROM unnest($1::text[], $2::text[], $3::bytea[]) AS u(subject, master_key_id, blob)"
                    " ORDER BY subject ON CONFLICT (subject) DO NOTHING",
                    missing, [w.master_key_id for w in fresh], [w.blob for w in fresh],
                )
                rows = await conn.fetch(_SELECT, missing)
            found.update(self._remember(_to_row(r)) for r in rows)
        keys: dict[str, bytes] = {}
        for subject in subjects:
            key = found[subject]
            if key is None:
                raise SubjectErased(subject)
            keys[subject] = key
        return keys

    async def get(self, subject: str) -> bytes | None:
        """The subject's data key, or None when it was destroyed. Never creates one."""
        return (await self.get_many([subject]))[subject]

    async def get_many(self, subjects: Collection[str]) -> dict[str, bytes | None]:
        """Data keys of many subjects (None where destroyed) in one round trip at most.

        Raises ``UnknownSubjectKey`` for a subject that never had a key: sealed data naming it
        means this process reads the wrong key database.
        """
        found = await self._known(subjects)
        for subject in subjects:
            if subject not in found:
                raise UnknownSubjectKey(subject)
        return {s: found[s] for s in subjects}

    async def _known(self, subjects: Iterable[str]) -> dict[str, bytes | None]:
        """Keys from the cache, then from the database, for subjects that have a row."""
        found: dict[str, bytes | None] = {}
        uncached: list[str] = []
        for subject in dict.fromkeys(subjects):
            hit = self._cache.lookup(subject)
            if hit is None:
                uncached.append(subject)
            else:
                found[subject] = hit.key
        if uncached:
            async with self._pool.acquire() as conn:
                rows = await conn.fetch(_SELECT, uncached)
            found.update(self._remember(_to_row(r)) for r in rows)
        return found

    def _remember(self, row: _Row) -> tuple[str, bytes | None]:
        key = None if row.wrapped is None else self._ring.unwrap(row.subject, row.wrapped)
        self._cache.store(row.subject, key)
        return row.subject, key

    # -- destroying ---------------------------------------------------------------------------------

    async def destroy(self, subject: str) -> bool:
        """Crypto-shred the subject: NULL the wrapped key, keep a tombstone. Idempotent.

        Returns True when a live key was destroyed by this call. A subject that never had a key
        gets a tombstone too, so no key can be created for it later.
        """
        async with self._pool.acquire() as conn, conn.transaction():
            was_live = await conn.fetchval(
                "SELECT wrapped_key IS NOT NULL FROM subject_keys WHERE subject = $1 FOR UPDATE", subject
            )
            await conn.execute(
                "INSERT INTO subject_keys (subject, destroyed_at) VALUES ($1, now())"
                " ON CONFLICT (subject) DO UPDATE SET master_key_id = NULL, wrapped_key = NULL,"
                " destroyed_at = COALESCE(subject_keys.destroyed_at, now())",
                subject,
            )
        self._cache.forget(subject)
        self._cache.store(subject, None)
        log.info("subject key destroyed", subject=subject, was_live=bool(was_live))
        return bool(was_live)

    def forget_cached(self, subject: str) -> None:
        """Drop this process's cached copy of the subject's key (another process destroyed it)."""
        self._cache.forget(subject)

    # -- master key rotation ------------------------------------------------------------------------

    async def rotate_master(self, new_key_id: str, *, batch_size: int = DEFAULT_ROTATION_BATCH) -> MasterKeyRotated:
        """Rewrap every live key under ``new_key_id`` in committed batches, without stopping readers.

        Each batch locks its rows (``FOR UPDATE``) so a concurrent destroy waits for it or wins
        before it, never interleaves. Returns the event to record.
        """
        self._ring.require(new_key_id)
        retired: set[str] = set()
        total = 0
        while True:
            async with self._pool.acquire() as conn, conn.transaction():
                rows = await conn.fetch(
                    "SELECT subject, master_key_id, wrapped_key FROM subject_keys"
                    " WHERE wrapped_key IS NOT NULL AND master_key_id <> $1"
                    " ORDER BY master_key_id, subject LIMIT $2 FOR UPDATE",
                    new_key_id, batch_size,
                )
                if not rows:
                    break
                subjects, blobs = [], []
                for record in rows:
                    row = _to_row(record)
                    if row.wrapped is None:  # not reached: the WHERE clause selects live rows only
                        continue
                    data_key = self._ring.unwrap(row.subject, row.wrapped)
                    subjects.append(row.subject)
                    blobs.append(self._ring.wrap(row.subject, data_key, new_key_id).blob)
                    retired.add(row.wrapped.master_key_id)
                await conn.execute(
                    "UPDATE subject_keys k SET master_key_id = $1, wrapped_key = u.blob, rotated_at = now()"
                    " FROM unnest($2::text[], $3::bytea[]) AS u(subject, blob) WHERE k.subject = u.subject",
                    new_key_id, subjects, blobs,
                )
            total += len(rows)
            log.info("master key rotation batch", new_key_id=new_key_id, rewrapped=total)
        return MasterKeyRotated(
            new_master_key_id=new_key_id, retired_master_key_ids=tuple(sorted(retired)), keys_rewrapped=total
        )

    async def master_key_usage(self) -> dict[str, int]:
        """How many live data keys each master key wraps (check before removing a key from the ring)."""
        async with self._pool.acquire() as conn:
            rows = await conn.fetch(
                "SELECT master_key_id, count(*) AS n FROM subject_keys WHERE wrapped_key IS NOT NULL"
                " GROUP BY master_key_id"
            )
        return {r["master_key_id"]: r["n"] for r in rows}


def _to_row(record: asyncpg.Record) -> _Row:
    if record["wrapped_key"] is None:
        return _Row(record["subject"], None)
    return _Row(record["subject"], WrappedKey(record["master_key_id"], bytes(record["wrapped_key"])))
