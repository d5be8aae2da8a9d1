"""Publishing from a read model that has read nothing (issue 15 follow-up, over a real PostgreSQL): each of the
four publication routes answers 409 problem+json naming the rule (report.published_from_applied_facts) and why
(the read model has not read any event yet), and stores nothing: no ``ReportPublished``, no edition, so a later
publication once the read model has caught up is the first edition (before this, ``ReportPublished``'s own
validation, "records what it was built from", failed inside the route: a 500)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
from uuid import uuid4

import asyncpg
import httpx
import pytest
import pytest_asyncio

from ap_contracts.envelope import OrgKind
from ap_reporting.entrypoints.api import create_app
from ap_reporting.entrypoints.bootstrap import ApiDeps
from ap_reporting.projections.commissioning_facts import ReportingCommissioningFactsProjection
from ap_reporting.projections.exclusion_reasons import ExclusionReasonsProjection
from ap_reporting.projections.facts import ReportingFactsProjection
from ap_runtime.access import AccessGuard, AuditLog, Role, TokenVerifier, open_audit_pool
from ap_runtime.access.keys import load_public_key
from ap_runtime.access.tokens import ServiceAudience
from ap_runtime.projection.store import ensure_registered

from .test_reporting_pipeline import KEYS, token

pytestmark = pytest.mark.integration

YEARS = {"from_year": "2023/24", "to_year": "2024/25", "as_at": "2025-08-31"}
ROUTES = {
    "partnership": ("/v1/reports/partnership/np-north/publications", {"period": "2024/25-spring",
                                                                       "as_at": "2025-04-30"},
                    (("np-north", OrgKind.PARTNERSHIP, Role.PARTNERSHIP_LEAD))),
    "annual": ("/v1/reports/annual/publications", {"academic_year": "2024/25", "as_at": "2025-08-31"},
               ("la-county", OrgKind.LOCAL_AUTHORITY, Role.LA_OFFICER)),
    "strategy": ("/v1/reports/strategy/publications", YEARS, ("la-county", OrgKind.LOCAL_AUTHORITY, Role.LA_OFFICER)),
    "schools_forum": ("/v1/reports/schools-forum/publications", {**YEARS, "bands": "cumulative"},
                      ("la-county", OrgKind.LOCAL_AUTHORITY, Role.LA_OFFICER)),
}


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def empty(new_database: Any) -> AsyncIterator[tuple[httpx.AsyncClient, asyncpg.Pool]]:
    """The reporting API over read models whose tables exist and which have applied no event."""
    pool = await asyncpg.create_pool(await new_database("nothing_rpt"), min_size=1, max_size=4)
    audit_pool = await open_audit_pool(await new_database("nothing_audit"))
    for projection in (ReportingFactsProjection(topics=("t",)), ExclusionReasonsProjection(topics=("t",)),
                       ReportingCommissioningFactsProjection(topics=("c",))):
        await ensure_registered(pool, projection)
    verifier = TokenVerifier(load_public_key(KEYS.public_pem), audience=ServiceAudience.REPORTING)
    app = create_app(ApiDeps(pool, AccessGuard(AuditLog(audit_pool)), verifier))
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as api:
            yield api, pool
    finally:
        await pool.close()
        await audit_pool.close()


@pytest.mark.parametrize("report", list(ROUTES))
async def test_publishing_what_nothing_has_been_read_for_is_refused_as_a_conflict_and_stores_nothing(
        empty: tuple[httpx.AsyncClient, asyncpg.Pool], report: str) -> None:
    api, pool = empty
    path, params, (org, kind, role) = ROUTES[report]
    command_id = str(uuid4())
    response = await api.post(path, params=params, json={"command_id": command_id}, headers=token(org, kind, role))
    assert response.status_code == 409, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["rule"] == "report.published_from_applied_facts"
    assert "has not read any event yet" in problem["detail"]
    assert await pool.fetchval("SELECT count(*) FROM events") == 0
    again = await api.post(path, params=params, json={"command_id": command_id}, headers=token(org, kind, role))
    assert again.status_code == 409, again.text  # the refused command left no outcome to answer with
