"""Publishing from a read model that has read nothing (issue 15 follow-up, over a real PostgreSQL): each of the
four publication routes answers 409 problem+json naming the rule (report.published_from_applied_facts) and why
(the read model has not read any event yet), and stores nothing: no ``ReportPublished``, no edition, so a later
publication once the read model has caught up is the first edition (before this, ``ReportPublished``'s own
validation, "records what it was built from", failed inside the route: a 500). The Partnership annual report's route
is refused first while its narrative is unpublished; with its narrative published (and its budget recorded) but the
facts read model having read nothing, it is the same refusal, naming that read model (before, the narrative's and the
ledger's positions were recorded as if the report had been built from applied facts: published, a report of
zeros). So it is for the strategy and Schools Forum reports, each built from two read models (exclusion reasons and
commissioning's facts): with one of them applied and the other not, either way round, the same refusal naming the
one not read, nothing stored; with both applied, published (before, the one read model's positions were recorded:
published, a report of partial zeros)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
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
from ap_reporting.projections.finance_ledger import ReportingFinanceProjection
from ap_runtime.access import AccessGuard, AuditLog, Role, TokenVerifier, open_audit_pool
from ap_runtime.access.keys import load_public_key
from ap_runtime.access.tokens import ServiceAudience
from ap_runtime.projection.store import ensure_registered
from ap_testing.reporting.events import Pupil
from ap_testing.reporting.finance_budget import partnership_budget
from ap_testing.reporting.narrative import narrative_events

from .test_reporting_partnership_annual_api import apply_events, received
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


async def _api(new_database: Any, name: str, narrated: bool,
               excluded: bool = False) -> AsyncIterator[tuple[httpx.AsyncClient, asyncpg.Pool]]:
    """The reporting API over read models whose tables exist and which have applied no event; ``narrated``, but for
    np-north's narrative for 2024/25, published, and its budget (the facts read model still has read nothing);
    ``excluded``, but for a suspension in 2024/25 (exclusion reasons' read model)."""
    pool = await asyncpg.create_pool(await new_database(f"{name}_rpt"), min_size=1, max_size=4)
    audit_pool = await open_audit_pool(await new_database(f"{name}_audit"))
    for projection in (ReportingFactsProjection(topics=("t",)), ExclusionReasonsProjection(topics=("t",)),
                       ReportingCommissioningFactsProjection(topics=("c",)), ReportingFinanceProjection()):
        await ensure_registered(pool, projection)
    if narrated:
        narrative = narrative_events("np-north", "2024/25", "lead", "chair", lambda section: f"{section}: our year.")
        await apply_events(pool, ReportingCommissioningFactsProjection(),
                           received(narrative, "narrative", "commissioning"))
        await apply_events(pool, ReportingFinanceProjection(),
                           received(partnership_budget("np-north"), "budget-north", "finance"))
    if excluded:
        await _exclude(pool)
    verifier = TokenVerifier(load_public_key(KEYS.public_pem), audience=ServiceAudience.REPORTING)
    app = create_app(ApiDeps(pool, AccessGuard(AuditLog(audit_pool)), verifier))
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as api:
            yield api, pool
    finally:
        await pool.close()
        await audit_pool.close()


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def empty(new_database: Any) -> AsyncIterator[tuple[httpx.AsyncClient, asyncpg.Pool]]:
    async for api in _api(new_database, "nothing", narrated=False):
        yield api


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def narrated(new_database: Any) -> AsyncIterator[tuple[httpx.AsyncClient, asyncpg.Pool]]:
    async for api in _api(new_database, "narrated", narrated=True):
        yield api


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def excluded(new_database: Any) -> AsyncIterator[tuple[httpx.AsyncClient, asyncpg.Pool]]:
    async for api in _api(new_database, "excluded", narrated=False, excluded=True):
        yield api


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def commissioned(new_database: Any) -> AsyncIterator[tuple[httpx.AsyncClient, asyncpg.Pool]]:
    """As ``narrated`` (commissioning's read model has read), on its own: its test publishes."""
    async for api in _api(new_database, "commissioned", narrated=True):
        yield api


async def _exclude(pool: asyncpg.Pool) -> None:
    suspension = Pupil("sch-oak", "np-north").suspended(date(2024, 12, 2), 2)
    await apply_events(pool, ExclusionReasonsProjection(), received([suspension], "suspension", "incidents"))


@pytest.mark.parametrize("report", list(ROUTES))
async def test_publishing_what_nothing_has_been_read_for_is_refused_as_a_conflict_and_stores_nothing(
        empty: tuple[httpx.AsyncClient, asyncpg.Pool], report: str) -> None:
    path, params, caller = ROUTES[report]
    await _refused_as_nothing_read(*empty, path, params, caller)


async def test_the_partnership_annual_report_with_its_narrative_but_no_facts_read_is_refused_alike(
        narrated: tuple[httpx.AsyncClient, asyncpg.Pool]) -> None:
    api, _ = narrated
    lead = ("np-north", OrgKind.PARTNERSHIP, Role.PARTNERSHIP_LEAD)
    path, params = "/v1/reports/partnership/np-north/annual-report/2024-25", {"as_at": "2025-08-31"}
    draft = await api.get(path, params=params, headers=token(*lead))
    assert draft.status_code == 200, draft.text
    assert draft.json()["narrative_published"] is True  # so not refused for its narrative (a draft's refusal)
    await _refused_as_nothing_read(*narrated, f"{path}/publications", params, lead)
    refused = await api.post(f"{path}/publications", params=params, json={"command_id": str(uuid4())},
                             headers=token(*lead))
    assert ReportingFactsProjection.name in refused.json()["detail"]  # which read model has read nothing


async def test_the_strategy_and_schools_forum_reports_with_exclusions_but_no_commissioning_read_are_refused(
        excluded: tuple[httpx.AsyncClient, asyncpg.Pool]) -> None:
    for report in ("strategy", "schools_forum"):
        path, params, caller = ROUTES[report]
        detail = await _refused_as_nothing_read(*excluded, path, params, caller)
        assert ReportingCommissioningFactsProjection.name in detail, (report, detail)


async def test_the_strategy_and_schools_forum_reports_are_refused_until_both_read_models_have_read(
        commissioned: tuple[httpx.AsyncClient, asyncpg.Pool]) -> None:
    api, pool = commissioned  # commissioning's read model has read the narrative; exclusion reasons' nothing
    for report in ("strategy", "schools_forum"):
        path, params, caller = ROUTES[report]
        detail = await _refused_as_nothing_read(api, pool, path, params, caller)
        assert ExclusionReasonsProjection.name in detail, (report, detail)
    await _exclude(pool)
    for report in ("strategy", "schools_forum"):
        path, params, caller = ROUTES[report]
        response = await api.post(path, params=params, json={"command_id": str(uuid4())}, headers=token(*caller))
        assert response.status_code == 201, response.text
        assert {p["topic"] for p in response.json()["positions"]} == {"commissioning", "incidents"}, report


async def _refused_as_nothing_read(api: httpx.AsyncClient, pool: asyncpg.Pool, path: str, params: dict[str, str],
                                   caller: tuple[str, OrgKind, Role]) -> str:
    """Publishes, expecting the refusal and nothing stored; the refusal's detail."""
    org, kind, role = caller
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
    return str(problem["detail"])
