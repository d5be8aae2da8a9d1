"""The attacker through the reporting HTTP API on real PostgreSQL.

Rules report.fixed_period and report.year_range_limit.

Facts are written to the reporting read model (the projection that writes them is tested in
``test_reporting_pipeline``); the attacker then asks the API for every report its tokens may read
(every partnership's every term, every academic year, every allowed range of years) and solves
for every hidden figure over all answers at once. It recovers none. Arbitrary windows, periods of
a kind a report does not offer and over-long year ranges are refused with 422 naming the field.
"""

from __future__ import annotations

import io
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import uuid4

import asyncpg
import httpx
import pytest
import pytest_asyncio
from markupsafe import escape
from openpyxl import load_workbook

from ap_contracts.envelope import OrgKind
from ap_contracts.events.pupil_vocabulary import IncidentCategory, KeyStage, PlacementEndReason, Severity
from ap_reporting.domain.facts import IncidentFact, PermanentExclusionFact, PlacementFact, SuspensionFact
from ap_reporting.domain.la_figures import AnnualReport, StrategyReport
from ap_reporting.domain.partnership import PartnershipReport
from ap_reporting.domain.periods import PeriodKind, periods_of
from ap_reporting.domain.vocabulary import Phase, phase_of
from ap_reporting.projections.facts import ReportingFactsProjection
from ap_runtime.access import Role, TokenIssuer, generate_keypair
from ap_runtime.access.keys import load_private_key
from ap_runtime.access.tokens import ServiceAudience
from ap_runtime.documents import label_words
from ap_runtime.projection import active_schema
from ap_testing.reporting.api_client import reporting_api
from ap_testing.reporting.by_school import write_by_school
from ap_testing.reporting.report_attack import attack_everything

pytestmark = pytest.mark.integration

KEYS = generate_keypair()
ISSUER = TokenIssuer(load_private_key(KEYS.private_pem), audience=ServiceAudience.REPORTING)
YEARS = ("2023/24", "2024/25")
PARTNERSHIPS = ("np-north", "np-south")
NewDatabase = Callable[[str], Awaitable[str]]


def token(org: str, kind: OrgKind, role: Role) -> dict[str, str]:
    return {"Authorization": "Bearer " + ISSUER.mint(user_id=f"u@{org}", organisation_id=org, org_kind=kind,
                                                      roles=[role])}


LA = token("la-county", OrgKind.LOCAL_AUTHORITY, Role.LA_OFFICER)


def dataset() -> tuple[list[PlacementFact], list[IncidentFact], list[SuspensionFact], list[PermanentExclusionFact]]:
    """Small cells everywhere: a term with one incident, a single small cell in a row, two small
    cells adding up to a published total, placements ending in ones and twos."""
    def place(np: str, start: date, ks: KeyStage, end: date | None = None,
              reason: PlacementEndReason | None = None, outside: bool = False) -> PlacementFact:
        return PlacementFact(uuid4(), uuid4(), f"prov-{np}", f"school-{len(placements) % 3}", np, start, ks,
                             outside, end, reason)

    placements: list[PlacementFact] = []
    for i in range(7):
        placements.append(place("np-north", date(2023, 9, 4), KeyStage.KS3 if i % 3 else KeyStage.KS2,
                                date(2024, 2, 9) + timedelta(days=40 * i),
                                [PlacementEndReason.REINTEGRATED_TO_HOME_SCHOOL, PlacementEndReason.MANAGED_MOVE,
                                 PlacementEndReason.PLACE_WITHDRAWN][i % 3]))
    placements += [place("np-north", date(2024, 9, 2), KeyStage.KS1, outside=True)]
    placements += [place("np-south", date(2024, 1, 8), KeyStage.KS4) for _ in range(4)]
    north, south = placements[0], placements[8]
    incidents = [IncidentFact(north.placement_id, date(2023, 10, 3), IncidentCategory.THEFT, Severity.CRITICAL)]
    incidents += [IncidentFact(p.placement_id, date(2024, 2, 1), IncidentCategory.BULLYING, Severity.SERIOUS)
                  for p in placements[:5]]
    incidents += [IncidentFact(south.placement_id, date(2024, 2, 1), IncidentCategory.OTHER, Severity.LOW_LEVEL)]
    suspensions = [SuspensionFact(p.pupil_ref, p.placement_id, date(2024, 3, 4), 2 + i, "2023/24",
                                  phase_of(p.pupil_key_stage)) for i, p in enumerate(placements[:6])]
    suspensions += [SuspensionFact(uuid4(), None, date(2024, 11, 4), 4, "2024/25", Phase.PRIMARY)]
    exclusions = [PermanentExclusionFact(uuid4(), None, date(2023, 11, 6), "2023/24", Phase.SECONDARY)
                  for _ in range(8)]
    exclusions += [PermanentExclusionFact(south.pupil_ref, south.placement_id, date(2024, 5, 2), "2023/24",
                                          Phase.PRIMARY)]
    exclusions += [PermanentExclusionFact(uuid4(), None, date(2024, 12, 2), "2024/25", phase)
                   for phase in (Phase.PRIMARY, Phase.SECONDARY, Phase.SECONDARY, Phase.SECONDARY)]
    return placements, incidents, suspensions, exclusions


async def write_facts(pool: asyncpg.Pool) -> None:
    placements, incidents, suspensions, exclusions = dataset()
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute(f"SET LOCAL search_path TO {await active_schema(conn, ReportingFactsProjection.name)}")
        await conn.executemany(
            "INSERT INTO placements VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            [(p.placement_id, p.pupil_ref, p.provision_id, p.home_school_id, p.partnership_id, p.start_date,
              p.pupil_key_stage.value, p.outside_key_stage, p.end_date,
              None if p.end_reason is None else p.end_reason.value) for p in placements])
        pupil_of = {p.placement_id: p.pupil_ref for p in placements}
        await conn.executemany(
            "INSERT INTO incidents VALUES ($1, $2, $3, $4, $5, $6)",
            [(uuid4(), i.placement_id, pupil_of[i.placement_id], i.happened_on, i.category.value, int(i.severity))
             for i in incidents])
        await conn.executemany(
            "INSERT INTO suspensions VALUES ($1, $2, $3, $4, $5, $6, $7)",
            [(uuid4(), s.pupil_ref, s.placement_id, s.first_day, s.half_days, s.academic_year, s.phase.value)
             for s in suspensions])
        await conn.executemany(
            "INSERT INTO permanent_exclusions VALUES ($1, $2, $3, $4, $5, $6, $7)",
            [(uuid4(), e.pupil_ref, e.placement_id, e.decided_on, e.academic_year, e.phase.value, e.reinstated)
             for e in exclusions])
    await write_by_school(pool, suspensions, exclusions, YEARS)  # the strategy tables: by the school's phase


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def api(new_database: NewDatabase) -> AsyncIterator[httpx.AsyncClient]:
    async with reporting_api(new_database, "rpt_attack", KEYS.public_pem, write_facts) as client:
        yield client


async def get(http: httpx.AsyncClient, url: str) -> Any:
    response = await http.get(url, headers=LA)
    assert response.status_code == 200, (url, response.text)
    return response.json()


async def test_every_allowed_query_through_the_api_leaves_every_hidden_figure_hidden(api: httpx.AsyncClient) -> None:
    termly = [PartnershipReport.model_validate(await get(api, f"/v1/reports/partnership/{np}?period={term.code}"))
              for np in PARTNERSHIPS for year in YEARS for term in periods_of(year, PeriodKind.TERM)]
    annual = [AnnualReport.model_validate(await get(api, f"/v1/reports/annual?academic_year={year}"))
              for year in YEARS]
    ranges = [(YEARS[0], YEARS[0]), (YEARS[1], YEARS[1]), YEARS]
    strategy = [StrategyReport.model_validate(await get(api, f"/v1/reports/strategy?from_year={a}&to_year={b}"))
                for a, b in ranges]
    autumn = next(r for r in termly if r.partnership_id == "np-north" and r.period_start == date(2023, 8, 1))
    one_incident = next(t for t in autumn.tables if t.name == "incidents_by_category_and_severity")
    assert set(one_incident.values()) == {"c"}  # the theft in October 2023, and nothing says so
    assert any(v not in ("c", 0) for r in termly for t in r.tables for v in t.values())  # not everything hidden
    attacker = attack_everything(termly, annual, strategy)
    assert [r.label for r in attacker.recovered()] == []


@pytest.mark.parametrize(("url", "field", "rule"), [
    ("/v1/reports/partnership/np-north?first_day=2025-03-01&last_day=2025-03-31", "first_day", "report.fixed_period"),
    ("/v1/reports/partnership/np-north?period=2024/25-spring&last_day=2025-03-30", "last_day", "report.fixed_period"),
    ("/v1/reports/partnership/np-north?period=2025-03", "period", "report.fixed_period"),
    ("/v1/reports/partnership/np-north?period=2024/25", "period", "report.fixed_period"),
    ("/v1/reports/annual?academic_year=2024/26", "academic_year", "report.fixed_period"),
    ("/v1/reports/annual?academic_year=2024/25-autumn", "academic_year", "report.fixed_period"),
    ("/v1/reports/strategy?from_year=2021/22&to_year=2024/25", "to_year", "report.year_range_limit"),
    ("/v1/reports/strategy?from_year=2024/25&to_year=2023/24", "to_year", "report.year_range_limit"),
])
async def test_a_window_that_is_not_an_offered_fixed_period_is_refused_naming_the_field(
    api: httpx.AsyncClient, url: str, field: str, rule: str,
) -> None:
    response = await api.get(url, headers=LA)
    assert response.status_code == 422, response.text
    problem = response.json()  # the one problem format (issue 10): rule, the field in errors, allowed_periods
    assert problem["type"] == "urn:ap:problem:rule-broken", problem
    assert (problem["rule"], [e["field"] for e in problem["errors"]]) == (rule, [field]), problem
    assert problem["allowed_periods"], problem
    if "partnership" in url:
        assert problem["allowed_periods"] == ["term (2024/25-autumn, -spring or -summer)"]


@pytest.mark.parametrize("url", ["/v1/reports/partnership/np-north?period=2023/24-autumn",
                                 "/v1/reports/annual?academic_year=2023/24",
                                 "/v1/reports/strategy?from_year=2023/24&to_year=2024/25",
                                 "/v1/reports/schools-forum?from_year=2023/24&to_year=2024/25"])
async def test_page_and_pdf_show_the_json_s_suppressed_cells_and_no_pupil(api: httpx.AsyncClient, url: str) -> None:
    """Issue 15, "As documents": html, xlsx and pdf carry every table of the JSON with its c, and no pupil ref."""
    report = await get(api, url)
    page = await api.get(f"{url}&format=html", headers=LA)
    pdf = await api.get(f"{url}&format=pdf", headers=LA)
    assert (page.status_code, pdf.status_code) == (200, 200)
    assert pdf.content.startswith(b"%PDF-") and pdf.headers["content-type"] == "application/pdf"
    text = re.sub(r"</?a\b[^>]*>", "", page.text)  # a shown figure may link to its trace (the LA may trace)
    for table in report["tables"]:
        assert f"<caption>{escape(table['title'])} ({escape(table['unit'])})</caption>" in text
        for label, cells in zip(table["row_labels"], table["cells"], strict=True):
            shown = "".join(f'<td class="num">{v}</td>' for v in cells)
            assert f'<th scope="row">{escape(label_words(label))}</th>{shown}' in text  # the row in words
    book = load_workbook(io.BytesIO((await api.get(f"{url}&format=xlsx", headers=LA)).content))
    for table in report["tables"]:
        sheet = book[table["name"][:31]]
        shown = [[_figure(c.value) for c in row[1:-1]]
                 for row in sheet.iter_rows(min_row=5, max_row=4 + len(table["cells"]))]
        assert shown == [[_figure(v) for v in row] for row in table["cells"]]
    pupils = {str(p.pupil_ref) for p in dataset()[0]}
    assert not any(pupil in page.text for pupil in pupils)


def _figure(value: Any) -> Any:
    """A published cell compared by value: a number as a Decimal (JSON writes a Decimal as text), c and z as text."""
    return value if value in ("c", "z") else Decimal(str(value))


async def test_another_partnership_s_lead_is_refused_its_pdf_as_its_json(api: httpx.AsyncClient) -> None:
    south_lead = token("np-south", OrgKind.PARTNERSHIP, Role.PARTNERSHIP_LEAD)
    url = "/v1/reports/partnership/np-north?period=2023/24-autumn"
    for fmt in ("json", "csv", "xlsx", "html", "pdf"):
        assert (await api.get(f"{url}&format={fmt}", headers=south_lead)).status_code == 403, fmt
    own = await api.get("/v1/reports/partnership/np-south?period=2023/24-autumn&format=pdf", headers=south_lead)
    assert own.status_code == 200 and own.content.startswith(b"%PDF-")
