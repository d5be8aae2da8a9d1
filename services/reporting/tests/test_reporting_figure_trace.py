"""Issue 15, provenance: a shown figure of the LA annual report traced to the events behind it, through the API on
real PostgreSQL; a suppressed cell and a total have no trace, and a caller without ``reporting.trace_figure`` gets
none (a forged trace request is refused before anything is read, naming no record).

Rule report.trace_shown_cells (``domain/figure_trace.py``). The facts: permanent exclusions of 2024/25, five
primary that stand and one the governing board reinstated, one secondary and two not known (both small, so ``c``).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import date
from urllib.parse import parse_qs, urlparse
from uuid import uuid4

import asyncpg
import httpx
import pytest
import pytest_asyncio

from ap_contracts.envelope import OrgKind
from ap_reporting.adapters.document_render import annual_document
from ap_reporting.domain.la_figures import AnnualReport
from ap_reporting.projections.facts import ReportingFactsProjection
from ap_runtime.access import Role, TokenIssuer, generate_keypair
from ap_runtime.access.keys import load_private_key
from ap_runtime.access.tokens import ServiceAudience
from ap_runtime.documents import render_html
from ap_runtime.projection import active_schema
from ap_testing.reporting.api_client import reporting_api

pytestmark = pytest.mark.integration

KEYS = generate_keypair()
ISSUER = TokenIssuer(load_private_key(KEYS.private_pem), audience=ServiceAudience.REPORTING)
YEAR = "2024/25"
ANNUAL = f"/v1/reports/annual?academic_year={YEAR}"
TRACE = "/v1/reports/annual/trace"
NewDatabase = Callable[[str], Awaitable[str]]
PRIMARY = [uuid4() for _ in range(5)]
REINSTATED = uuid4()
SECONDARY, NOT_KNOWN = uuid4(), [uuid4(), uuid4()]
EVERY_RECORD = [*PRIMARY, REINSTATED, SECONDARY, *NOT_KNOWN]


def token(org: str, kind: OrgKind, role: Role) -> dict[str, str]:
    return {"Authorization": "Bearer " + ISSUER.mint(user_id=f"u@{org}", organisation_id=org, org_kind=kind,
                                                      roles=[role])}


LA = token("la-county", OrgKind.LOCAL_AUTHORITY, Role.LA_OFFICER)


async def write_exclusions(pool: asyncpg.Pool) -> None:
    rows = [(r, "primary", False) for r in PRIMARY] + [(REINSTATED, "primary", True), (SECONDARY, "secondary", False),
                                                        *((r, "not_known", False) for r in NOT_KNOWN)]
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute(f"SET LOCAL search_path TO {await active_schema(conn, ReportingFactsProjection.name)}")
        await conn.executemany("INSERT INTO permanent_exclusions VALUES ($1, $2, $3, $4, $5, $6, $7)",
                               [(record, uuid4(), None, date(2024, 12, 2), YEAR, phase, reinstated)
                                for record, phase, reinstated in rows])


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def api(new_database: NewDatabase) -> AsyncIterator[httpx.AsyncClient]:
    async with reporting_api(new_database, "rpt_trace", KEYS.public_pem, write_exclusions) as client:
        yield client


def trace_url(table: str, row: str, column: str) -> str:
    return f"{TRACE}?{httpx.QueryParams(academic_year=YEAR, table=table, row=row, column=column)}"


def assert_names_no_record(response: httpx.Response) -> None:
    for record in EVERY_RECORD:
        assert str(record) not in response.text, response.text


@pytest.mark.asyncio(loop_scope="session")
async def test_the_la_traces_a_shown_figure_to_exactly_the_exclusions_that_stand_behind_it(
        api: httpx.AsyncClient) -> None:
    report = (await api.get(ANNUAL, headers=LA)).json()
    table = next(t for t in report["tables"] if t["name"] == "permanent_exclusions")
    assert table["cells"] == [[5, "c", "c"]]  # the facts as this test means them
    response = await api.get(trace_url("permanent_exclusions", YEAR, "primary"), headers=LA)
    assert response.status_code == 200, response.text
    trace = response.json()
    assert trace["figure"] == 5
    assert trace["record_kind"] == "permanent_exclusion_record"
    assert trace["records"] == sorted(str(r) for r in PRIMARY)  # the reinstated one does not count, nor show


@pytest.mark.asyncio(loop_scope="session")
@pytest.mark.parametrize(("row", "column"), [(YEAR, "secondary"), (YEAR, "not_known"), (YEAR, "Total"),
                                             ("Total", "primary"), ("Total", "Total"), ("2023/24", "primary")])
async def test_a_suppressed_cell_a_total_or_no_such_cell_has_no_trace_and_the_same_answer(
        api: httpx.AsyncClient, row: str, column: str) -> None:
    response = await api.get(trace_url("permanent_exclusions", row, column), headers=LA)
    assert response.status_code == 404, response.text
    assert response.json()["rule"] == "report.trace_shown_cells"
    assert_names_no_record(response)
    unknown = await api.get(trace_url("no_such_table", YEAR, "primary"), headers=LA)
    assert (unknown.status_code, unknown.json()["detail"]) == (404, response.json()["detail"])


@pytest.mark.asyncio(loop_scope="session")
@pytest.mark.parametrize("caller", [
    token("forum", OrgKind.SCHOOLS_FORUM, Role.SCHOOLS_FORUM_MEMBER),
    token("school-1", OrgKind.HOME_SCHOOL, Role.HOME_SCHOOL_HEAD),
    token("np-north", OrgKind.PARTNERSHIP, Role.PARTNERSHIP_LEAD),
    token("platform", OrgKind.PLATFORM, Role.PLATFORM_ADMIN),
])
async def test_a_caller_without_the_trace_action_is_refused_a_forged_trace_naming_no_record(
        api: httpx.AsyncClient, caller: dict[str, str]) -> None:
    response = await api.get(trace_url("permanent_exclusions", YEAR, "primary"), headers=caller)
    assert response.status_code == 403, response.text
    assert_names_no_record(response)


@pytest.mark.asyncio(loop_scope="session")
async def test_the_la_page_links_each_shown_cell_to_its_trace_and_no_hidden_cell_or_total(
        api: httpx.AsyncClient) -> None:
    page = await api.get(f"{ANNUAL}&format=html", headers=LA)
    assert page.status_code == 200, page.text
    links = [parse_qs(urlparse(href.replace("&amp;", "&")).query)
             for href in re.findall(r'<a href="([^"]+)"', page.text)]
    cells = {(q["table"][0], q["row"][0], q["column"][0]) for q in links}
    assert ("permanent_exclusions", YEAR, "primary") in cells
    assert not {c for c in cells if "Total" in c[1:]}  # no total is linked
    assert not {("permanent_exclusions", YEAR, "secondary"), ("permanent_exclusions", YEAR, "not_known")} & cells
    for query in links:  # every link answers a trace (a shown cell), none a refusal
        url = f"{TRACE}?{httpx.QueryParams({k: v[0] for k, v in query.items()})}"
        assert (await api.get(url, headers=LA)).status_code == 200


@pytest.mark.asyncio(loop_scope="session")
async def test_a_page_built_for_a_caller_without_the_action_has_no_link(api: httpx.AsyncClient) -> None:
    report = AnnualReport.model_validate((await api.get(ANNUAL, headers=LA)).json())
    assert "<a href" not in render_html(annual_document(report))
    assert "<a href" in render_html(annual_document(report, lambda table, row, column: f"/t/{table}/{column}"))
