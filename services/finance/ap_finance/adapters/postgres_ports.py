"""PostgreSQL implementations of the finance application's ports (``application/ports.py``).

The boundary locks are PostgreSQL advisory locks held on a pooled connection while the command
needs others from the same pool, so at most half the pool may hold them at once: a burst of
carry-forwards can never take every connection and wait on itself.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from uuid import UUID

import asyncpg

from ap_contracts.events.finance import BudgetSet
from ap_finance.adapters.event_store import budget_set, budget_sets, event_types, stream_version
from ap_finance.adapters.read_models import load_snapshot
from ap_finance.reports.snapshot import LedgerSnapshot


class PostgresBudgetLookups:
    """``BudgetLookups`` on the finance event store's tables."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def budget_set(self, provision_id: str, financial_year: str) -> BudgetSet | None:
        return await budget_set(self._pool, provision_id, financial_year)

    async def stream_version(self, provision_id: str, financial_year: str) -> int:
        return await stream_version(self._pool, provision_id, financial_year)

    async def event_types(self, event_ids: Sequence[UUID]) -> tuple[str, ...]:
        return await event_types(self._pool, event_ids)


class PostgresBudgetIndex:
    """``BudgetIndex`` (``application/browse.py``) on the finance event store: each stream's BudgetSet."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def budget_sets(self) -> tuple[BudgetSet, ...]:
        return await budget_sets(self._pool)


class PostgresLedgerReadModel:
    """``LedgerReadModel`` on the ledger and placement-cost read models."""

    def __init__(self, read_pool: asyncpg.Pool) -> None:
        self._read_pool = read_pool

    async def snapshot(self, provision_id: str, financial_year: str,
                       recorded_by: datetime | None = None) -> LedgerSnapshot | None:
        return await load_snapshot(self._read_pool, provision_id, financial_year, recorded_by)


def boundary_key(provision_id: str, into_year: str) -> str:
    return f"ap_finance.carry_forward:{provision_id}:{into_year}"


class AdvisoryBoundaryLocks:
    """``BoundaryLocks`` as advisory locks, bounded to half the pool's connections."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool
        self._slots = asyncio.Semaphore(max(1, pool.get_max_size() // 2))

    @asynccontextmanager
    async def locked(self, provision_id: str, into_year: str) -> AsyncIterator[None]:
        key = boundary_key(provision_id, into_year)
        async with self._slots, self._pool.acquire() as conn:
            await conn.execute("SELECT pg_advisory_lock(hashtextextended($1, 0))", key)
            try:
                yield
            finally:
                await conn.execute("SELECT pg_advisory_unlock(hashtextextended($1, 0))", key)
