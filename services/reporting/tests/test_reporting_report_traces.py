"""Issue 15, provenance: a shown figure of the exclusion strategy tables and of a partnership's termly report traced
to the events behind it, through the API on real PostgreSQL (``test_reporting_figure_trace`` does the annual
report). Rule report.trace_shown_cells: a suppressed cell and a total have no trace, answered alike. Who may
trace (policy RPT-TRACE-1 and -2): the LA every such figure; a partnership's lead the figures of its own termly
report and nothing else; a forum member, a head or another partnership's lead nothing, refused before anything
is read and naming no record (a forged trace request).

The facts: permanent exclusions of 2023/24 (four primary) and 2024/25 (five primary that stand, one reinstated),
each year with one secondary and two from a school whose roll the LA did not record (small, so ``c``);
np-north's six KS3 placements across three schools with four bullying incidents of severity 3, five verbal ones
of severity 3 and, in each category, one of severity 1 and two of severity 2 (small: ``c``) in the spring term;
np-south's three placements and an incident, which np-north's figures must not count.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import date
from typing import Any
from urllib.parse import parse_qs, urlparse
from uuid import UUID, uuid4

import asyncpg
import httpx
import pytest
import pytest_asyncio

from ap_reporting.domain.facts import PermanentExclusionFact
from ap_reporting.domain.vocabulary import Phase
from ap_reporting.projections.facts import ReportingFactsProjection
from ap_runtime.projection import active_schema
from ap_testing.reporting.api_client import reporting_api
from ap_testing.reporting.by_school import write_by_school

from .test_reporting_figure_trace import KEYS, LA, OrgKind, Role, token

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="session")]

NewDatabase = Callable[[str], Awaitable[str]]
YEARS = {"from_year": "2023/24", "to_year": "2024/25"}
STRATEGY, STRATEGY_TRACE = "/v1/reports/strategy", "/v1/reports/strategy/trace"
PEX = "permanent_exclusions_by_phase"
TERM = {"period": "2024/25-spring"}
PARTNERSHIP, PARTNERSHIP_TRACE = "/v1/reports/partnership/np-north", "/v1/reports/partnership/np-north/trace"
STANDING = {"2023/24": [uuid4() for _ in range(4)], "2024/25": [uuid4() for _ in range(5)]}
SMALL = {year: [uuid4() for _ in range(3)] for year in STANDING}
REINSTATED = uuid4()
NORTH = [uuid4() for _ in range(6)]
SOUTH = [uuid4() for _ in range(3)]
BULLYING = [uuid4() for _ in range(4)]
VERBAL = [uuid4() for _ in range(5)]
SMALL_INCIDENTS = [uuid4() for _ in range(6)]
SOUTH_INCIDENT = uuid4()
EVERY_RECORD = [*(r for v in (*STANDING.values(), *SMALL.values()) for r in v), REINSTATED, *NORTH, *SOUTH,
                *BULLYING, *VERBAL, *SMALL_INCIDENTS, SOUTH_INCIDENT]
NP_LEAD = token("np-north", OrgKind.PARTNERSHIP, Role.PARTNERSHIP_LEAD)
OTHER_NP = token("np-south", OrgKind.PARTNERSHIP, Role.PARTNERSHIP_LEAD)
FORUM = token("forum", OrgKind.SCHOOLS_FORUM, Role.SCHOOLS_FORUM_MEMBER)
HEAD = token("school-1", OrgKind.HOME_SCHOOL, Role.HOME_SCHOOL_HEAD)


def exclusions() -> list[tuple[UUID, str, str, bool]]:
    rows = [(r, year, "primary", False) for year, records in STANDING.items() for r in records]
    rows += [(REINSTATED, "2024/25", "primary", True)]
    rows += [(r, year, phase, False) for year, records in SMALL.items()
             for r, phase in zip(records, ("secondary", "not_known", "not_known"), strict=True)]
    return rows


def incidents() -> list[tuple[UUID, UUID, str, int]]:
    rows = [(r, NORTH[i], "bullying", 3) for i, r in enumerate(BULLYING)]
    rows += [(r, NORTH[i], category, severity) for i, (r, (category, severity)) in enumerate(zip(SMALL_INCIDENTS, (
        ("bullying", 1), ("bullying", 2), ("bullying", 2), ("verbal_abuse_to_adult", 1),
        ("verbal_abuse_to_adult", 2), ("verbal_abuse_to_adult", 2)), strict=True))]
    rows += [(r, NORTH[i], "verbal_abuse_to_adult", 3) for i, r in enumerate(VERBAL)]
    return [*rows, (SOUTH_INCIDENT, SOUTH[0], "bullying", 3)]


async def write_facts(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute(f"SET LOCAL search_path TO {await active_schema(conn, ReportingFactsProjection.name)}")
        await conn.executemany("INSERT INTO permanent_exclusions VALUES ($1, $2, $3, $4, $5, $6, $7)",
                               [(r, uuid4(), None, date(2024, 12, 2), year, phase, reinstated)
                                for r, year, phase, reinstated in exclusions()])
        await conn.executemany(
            "INSERT INTO placements (placement_id, pupil_ref, provision_id, home_school_id, partnership_id,"
            " start_date, pupil_key_stage, outside_key_stage) VALUES ($1, $2, 'prov-1', $3, $4, $5, 'KS3', false)",
            [(p, uuid4(), f"school-{i % 3}", np, date(2024, 9, 2))
             for np, placements in (("np-north", NORTH), ("np-south", SOUTH)) for i, p in enumerate(placements)])
        await conn.executemany(
            "INSERT INTO incidents (record_id, placement_id, pupil_ref, happened_on, category, severity)"
            " VALUES ($1, $2, $3, $4, $5, $6)",
            [(r, placement, uuid4(), date(2025, 2, 4), category, severity)
             for r, placement, category, severity in incidents()])
    await write_by_school(pool, [], [PermanentExclusionFact(uuid4(), None, date(2024, 12, 2), year, Phase(phase),
                                                            reinstated, r)
                                     for r, year, phase, reinstated in exclusions()], list(STANDING))


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def api(new_database: NewDatabase) -> AsyncIterator[httpx.AsyncClient]:
    async with reporting_api(new_database, "rpt_traces", KEYS.public_pem, write_facts) as client:
        yield client


def url(path: str, period: dict[str, str], table: str, row: str, column: str) -> str:
    return f"{path}?{httpx.QueryParams({**period, 'table': table, 'row': row, 'column': column})}"


def assert_names_no_record(response: httpx.Response) -> None:
    for record in EVERY_RECORD:
        assert str(record) not in response.text, response.text


async def cells(api: httpx.AsyncClient, path: str, period: dict[str, str], name: str) -> list[list[object]]:
    return (await table(api, path, period, name))["cells"]  # type: ignore[no-any-return]


async def table(api: httpx.AsyncClient, path: str, period: dict[str, str], name: str) -> dict[str, list[Any]]:
    report = (await api.get(path, params=period, headers=LA)).json()
    found: dict[str, list[Any]] = next(t for t in report["tables"] if t["name"] == name)
    return found


def cell(found: dict[str, list[Any]], row: str, column: str) -> object:
    return found["cells"][found["row_labels"].index(row)][found["column_labels"].index(column)]


async def test_the_la_traces_a_strategy_figure_of_each_year_to_the_exclusions_that_stand(
        api: httpx.AsyncClient) -> None:
    # by the excluding school's phase: the not_known pupils' school has no recorded roll ("not recorded")
    assert await cells(api, STRATEGY, YEARS, PEX) == [[4, "c", 0, 0, "c"], [5, "c", 0, 0, "c"]]
    for year, figure in (("2023/24", 4), ("2024/25", 5)):
        response = await api.get(url(STRATEGY_TRACE, YEARS, PEX, year, "primary"), headers=LA)
        assert response.status_code == 200, response.text
        trace = response.json()
        assert (trace["report"], trace["figure"]) == ("exclusion_strategy", figure)
        assert trace["records"] == sorted(str(r) for r in STANDING[year])  # not the reinstated one
    for row, column in (("2024/25", "secondary"), ("2024/25", "Total"), ("Total", "primary"), ("2022/23", "primary")):
        hidden = await api.get(url(STRATEGY_TRACE, YEARS, PEX, row, column), headers=LA)
        assert (hidden.status_code, hidden.json()["rule"]) == (404, "report.trace_shown_cells"), hidden.text
        assert_names_no_record(hidden)


async def test_the_partnership_lead_and_the_la_trace_its_termly_figures_to_its_own_records_only(
        api: httpx.AsyncClient) -> None:
    found = await table(api, PARTNERSHIP, TERM, "incidents_by_category_and_severity")
    assert (cell(found, "bullying", "3"), cell(found, "verbal_abuse_to_adult", "2")) == (4, "c")  # the facts meant
    for caller in (NP_LEAD, LA):
        shown = await api.get(url(PARTNERSHIP_TRACE, TERM, "incidents_by_category_and_severity", "bullying", "3"),
                              headers=caller)
        assert shown.status_code == 200, shown.text
        assert shown.json()["records"] == sorted(str(r) for r in BULLYING)  # not np-south's incident
        served = await api.get(url(PARTNERSHIP_TRACE, TERM, "pupils_served", "all", "pupils"), headers=caller)
        assert (served.json()["figure"], served.json()["records"]) == (6, sorted(str(p) for p in NORTH))
    for row, column in (("verbal_abuse_to_adult", "2"), ("bullying", "1"), ("bullying", "Total"), ("Total", "3")):
        hidden = await api.get(url(PARTNERSHIP_TRACE, TERM, "incidents_by_category_and_severity", row, column),
                               headers=NP_LEAD)
        assert (hidden.status_code, hidden.json()["rule"]) == (404, "report.trace_shown_cells"), hidden.text
        assert_names_no_record(hidden)


@pytest.mark.parametrize(("caller", "path", "period"), [
    (OTHER_NP, PARTNERSHIP_TRACE, TERM), (FORUM, PARTNERSHIP_TRACE, TERM), (HEAD, PARTNERSHIP_TRACE, TERM),
    (FORUM, STRATEGY_TRACE, YEARS), (NP_LEAD, STRATEGY_TRACE, YEARS), (HEAD, STRATEGY_TRACE, YEARS),
    (NP_LEAD, "/v1/reports/annual/trace", {"academic_year": "2024/25"}),
], ids=["other_partnership", "forum_partnership", "head_partnership", "forum_strategy", "lead_strategy",
        "head_strategy", "lead_annual"])
async def test_a_caller_not_allowed_is_refused_a_forged_trace_naming_no_record(
        api: httpx.AsyncClient, caller: dict[str, str], path: str, period: dict[str, str]) -> None:
    table, row, column = (("pupils_served", "all", "pupils") if path == PARTNERSHIP_TRACE
                          else ("permanent_exclusions", "2024/25", "primary"))
    response = await api.get(url(path, period, table, row, column), headers=caller)
    assert response.status_code == 403, response.text
    assert_names_no_record(response)


@pytest.mark.parametrize(("caller", "path", "period", "linked"), [
    (NP_LEAD, PARTNERSHIP, TERM, True), (LA, PARTNERSHIP, TERM, True), (OTHER_NP, PARTNERSHIP, TERM, False),
    (LA, STRATEGY, YEARS, True), (FORUM, STRATEGY, YEARS, False),
], ids=["lead_own", "la_partnership", "other_lead", "la_strategy", "forum_strategy"])
async def test_each_page_links_its_shown_cells_to_their_traces_for_callers_allowed_and_no_one_else(
        api: httpx.AsyncClient, caller: dict[str, str], path: str, period: dict[str, str], linked: bool) -> None:
    if caller is OTHER_NP:  # another partnership's lead may not read np-north's page at all
        assert (await api.get(path, params={**period, "format": "html"}, headers=caller)).status_code == 403
        return
    page = await api.get(path, params={**period, "format": "html"}, headers=caller)
    assert page.status_code == 200, page.text
    hrefs = [href.replace("&amp;", "&") for href in re.findall(r'<a href="([^"]+)"', page.text)]
    assert bool(hrefs) is linked
    for href in hrefs:  # every link answers a trace (a shown cell), none a refusal, never a total
        query = parse_qs(urlparse(href).query)
        assert "Total" not in (query["row"][0], query["column"][0])
        assert (await api.get(href, headers=caller)).status_code == 200, href
