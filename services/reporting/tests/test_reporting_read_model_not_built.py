"""Report routes over read models that are not built (issue 15 follow-up, through the API on a real PostgreSQL).

Rule served: a report asked of a read model that is not there answers the API's ``not-ready`` problem (503,
``application/problem+json``, ``Retry-After``) naming the read model, and changes nothing; never a 500. Two ways
a read model is not there: its projection never registered (no registry row, no schema), or it registered but its
serving schema holds none of its tables (made before a table was added to its DDL and not set up again, or emptied by
hand); the second answered 500 (``UndefinedTableError`` inside the report's query). Each report route is asked
in both states; the database's tables and schemas are the same afterwards.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import httpx
import pytest
import pytest_asyncio

from ap_contracts.envelope import OrgKind
from ap_reporting.projections.commissioning_facts import ReportingCommissioningFactsProjection
from ap_reporting.projections.exclusion_reasons import ExclusionReasonsProjection
from ap_reporting.projections.facts import ReportingFactsProjection
from ap_runtime.access import Role
from ap_testing.reporting.api_client import NewDatabase, reporting_api

from .test_reporting_pipeline import HEAD_A, KEYS, LA, NP_LEAD, token

pytestmark = pytest.mark.integration

YEARS = {"from_year": "2023/24", "to_year": "2024/25"}
# Each report route, its parameters, a caller allowed to read it, and the read model it reads first.
ROUTES: dict[str, tuple[str, dict[str, str], dict[str, str], str]] = {
    "weekly": ("/v1/reports/weekly/school-a", {"week_of": "2025-03-10"}, HEAD_A, ReportingFactsProjection.name),
    "partnership": ("/v1/reports/partnership/np-north", {"period": "2024/25-spring"}, NP_LEAD,
                    ReportingFactsProjection.name),
    "annual": ("/v1/reports/annual", {"academic_year": "2024/25"}, LA, ReportingFactsProjection.name),
    "annual_pdf": ("/v1/reports/annual", {"academic_year": "2024/25", "format": "pdf"}, LA,
                   ReportingFactsProjection.name),
    "partnership_annual": ("/v1/reports/partnership/np-north/annual-report/2024-25", {}, NP_LEAD,
                           ReportingFactsProjection.name),
    "strategy": ("/v1/reports/strategy", YEARS, LA, ExclusionReasonsProjection.name),
    "schools_forum": ("/v1/reports/schools-forum", {**YEARS, "bands": "cumulative"}, LA,
                      ReportingCommissioningFactsProjection.name),
    "engagement": ("/v1/reports/engagement/prov-np-north", {"term": "2024/25-spring"},
                   token("prov-np-north", OrgKind.PROVISION, Role.PROVISION_MANAGER), ReportingFactsProjection.name),
}


async def _registered_without_tables(pool: asyncpg.Pool) -> None:
    """Each read model registered, its serving schema then left without a table."""
    for schema in await pool.fetch("SELECT active_schema FROM public.projection_registry"):
        await pool.execute(f"DROP SCHEMA {schema[0]} CASCADE; CREATE SCHEMA {schema[0]}")


async def _unregistered(pool: asyncpg.Pool) -> None:
    """No read model registered (no projection ran against this database): no registry row, no schema."""
    for schema in await pool.fetch("SELECT active_schema FROM public.projection_registry"):
        await pool.execute(f"DROP SCHEMA {schema[0]} CASCADE")
    await pool.execute("DELETE FROM public.projection_registry; DELETE FROM public.projection_status")


STATES = {"never_registered": _unregistered, "registered_without_tables": _registered_without_tables}


async def _relations(pool: asyncpg.Pool) -> list[tuple[str, str]]:
    rows = await pool.fetch("SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                            " WHERE n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'"
                            " ORDER BY 1, 2")
    return [(r["nspname"], r["relname"]) for r in rows]


@pytest_asyncio.fixture(loop_scope="session", scope="module", params=list(STATES))
async def api(request: Any, new_database: NewDatabase) -> AsyncIterator[tuple[httpx.AsyncClient, asyncpg.Pool]]:
    """The reporting API over a database in one of the ``STATES``, and that database's pool."""
    pools: list[asyncpg.Pool] = []

    async def unbuilt(pool: asyncpg.Pool) -> None:
        pools.append(pool)
        await STATES[request.param](pool)

    async with reporting_api(new_database, f"unbuilt_{request.param[:5]}", KEYS.public_pem, unbuilt) as client:
        yield client, pools[0]


@pytest.mark.parametrize("route", list(ROUTES))
async def test_a_report_of_a_read_model_not_built_is_a_503_naming_it_and_changes_nothing(
        api: tuple[httpx.AsyncClient, asyncpg.Pool], route: str) -> None:
    client, pool = api
    path, params, headers, read_model = ROUTES[route]
    before = await _relations(pool)
    response = await client.get(path, params=params, headers=headers)
    assert response.status_code == 503, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.headers["retry-after"] == "5"
    problem = response.json()
    assert problem["status"] == 503 and problem["title"] == "Read model not ready"
    assert repr(read_model) in problem["detail"]
    assert await _relations(pool) == before
