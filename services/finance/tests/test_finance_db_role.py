"""The finance service does its normal work as its own least-privilege PostgreSQL roles.

Rule served: issue 9 "Audit, keys and roles": finance connects as ``ap_finance`` (owner of its own
database only) and writes the access audit as the append-only ``ap_audit`` role, never as the
superuser. The roles are made by ``ap_runtime.pg_roles``, the definition the deploy scripts apply.
This module's ``world`` replaces the conftest's (same wiring, role DSNs instead of the superuser's).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import asyncpg
import httpx
import pytest
import pytest_asyncio

from ap_finance.adapters.event_store import migrate_finance
from ap_finance.entrypoints.handlers import finance_commands, finance_queries
from ap_finance.projections.ledger import FinanceLedgerProjection
from ap_finance.projections.placements import PlacementCostsProjection
from ap_runtime.access import AccessGuard, AuditLog
from ap_runtime.access.audit import open_audit_pool
from ap_runtime.eventstore import EventStore
from ap_runtime.projection import ProjectionRunner

from .conftest import FINANCE_OFFICER, World, budget_path, busy_budget

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="session")]

AUDIT_POOLS: dict[int, asyncpg.Pool] = {}  # world -> its audit pool (World has no field for it)


@pytest_asyncio.fixture(loop_scope="session")
async def world(new_role_databases: Callable[..., Awaitable[dict[str, str]]]) -> AsyncIterator[World]:
    dsns = await new_role_databases("fin_role", "ap_finance", "ap_audit")
    pool = await asyncpg.create_pool(dsns["ap_finance"], min_size=2, max_size=10)
    audit_pool = await open_audit_pool(dsns["ap_audit"])
    await migrate_finance(pool, pool)
    audit = AuditLog(audit_pool)
    store = EventStore(pool)
    access = AccessGuard(audit)
    runners = [ProjectionRunner(p, pool, "unused:9092") for p in (FinanceLedgerProjection(),
                                                                   PlacementCostsProjection())]
    created = World(dsns["ap_finance"], pool, store, access, finance_commands(store, access),
                    finance_queries(store, pool, access), runners)
    AUDIT_POOLS[id(created)] = audit_pool
    yield created
    AUDIT_POOLS.pop(id(created))
    await audit.aclose()
    await audit_pool.close()
    await pool.close()


async def _login(pool: asyncpg.Pool) -> dict[str, Any]:
    row = await pool.fetchrow(
        "SELECT current_user AS role, rolsuper, current_database() AS db FROM pg_roles WHERE rolname = current_user")
    assert row is not None
    return dict(row)


async def test_finance_runs_its_commands_projections_and_reads_as_its_own_role(
    world: World, api: httpx.AsyncClient,
) -> None:
    login = await _login(world.pool)
    assert login["role"].endswith("_ap_finance") and not login["rolsuper"], login
    await busy_budget(api)
    assert await world.project() > 0
    ledger = await api.get(budget_path("/ledger"), headers=FINANCE_OFFICER.headers)
    assert ledger.status_code == 200, ledger.text
    audit_pool = AUDIT_POOLS[id(world)]
    audit_login = await _login(audit_pool)
    assert audit_login["role"].endswith("_ap_audit") and not audit_login["rolsuper"], audit_login
    assert await audit_pool.fetchval("SELECT count(*) FROM access_audit") > 0
