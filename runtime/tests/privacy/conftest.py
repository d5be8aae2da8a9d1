"""Fixtures of the privacy tests: a master key ring and key stores on real PostgreSQL databases."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import asyncpg
import pytest
import pytest_asyncio

from ap_runtime.privacy.keystore import KeyStore
from ap_runtime.privacy.masterkeys import MasterKeyRing
from ap_testing.privacy import random_ring

NewDatabase = Callable[[str], Awaitable[str]]


async def _new_keys_database(new_database: NewDatabase, prefix: str) -> str:
    dsn = await new_database(prefix)
    pool = await asyncpg.create_pool(dsn, min_size=1, max_size=2)
    try:
        await KeyStore(pool, random_ring()[0]).create_schema()
    finally:
        await pool.close()
    return dsn


@pytest.fixture(scope="session")
def ring() -> MasterKeyRing:
    """One ring for the shared key database, so any test can unwrap every row in it."""
    return random_ring("mk-test-1")[0]


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def keys_dsn(new_database: NewDatabase) -> str:
    return await _new_keys_database(new_database, "privacy_keys")


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def keys_pool(keys_dsn: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await asyncpg.create_pool(keys_dsn, min_size=2, max_size=20)
    yield pool
    await pool.close()


@pytest.fixture
def keystore(keys_pool: asyncpg.Pool, ring: MasterKeyRing) -> KeyStore:
    """A key store without cache: every call reads PostgreSQL."""
    return KeyStore(keys_pool, ring, cache_ttl_seconds=0)


@pytest_asyncio.fixture(loop_scope="session")
async def own_keys_dsn(new_database: NewDatabase) -> str:
    """A key database of the test's own, for tests that scan or rewrap every row."""
    return await _new_keys_database(new_database, "privacy_keys_own")
