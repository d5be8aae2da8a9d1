"""The Neighbourhood Partnership's annual report through the reporting API on real PostgreSQL (issue 15, seed 001
appendix 3): ``GET /v1/reports/partnership/{id}/annual-report/{year}`` in every document format.

Rules served: the report's audience is the termly partnership report's (action
``reporting.read_partnership_report``: the lead of that partnership and LA officers); another partnership's lead,
a school head and a Schools Forum member are refused with 403 in every format, the same body whether the
partnership exists or not; a year that is not an academic year is refused with 422 naming ``academic_year``;
the PDF (opened with pdftotext) shows the title and the Budget Summary folded from finance's events; a year
whose narrative commissioning has not published is served as a draft that says so. The placements are the
attack tests' (``test_reporting_api_attack``); finance's budget and commissioning's published narrative are
applied by reporting's own projections (as their runners would, without Kafka: the runners are tested in
``test_reporting_finance_ledger`` and ``test_reporting_narrative_projection``).
"""

from __future__ import annotations

import csv
import io
import subprocess  # nosec B404 - poppler's pdftotext on a file this test wrote
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from uuid import uuid4

import asyncpg
import httpx
import pytest
import pytest_asyncio
from openpyxl import load_workbook

from ap_contracts.envelope import Actor, EventEnvelope, OrgKind
from ap_contracts.events.base import DomainEvent
from ap_reporting.adapters.partnership_annual_document import AWAITING
from ap_reporting.projections.commissioning_facts import ReportingCommissioningFactsProjection
from ap_reporting.projections.finance_ledger import ReportingFinanceProjection
from ap_runtime.access import Role
from ap_runtime.projection import ReceivedEvent, active_schema
from ap_runtime.projection.base import Projection
from ap_testing.reporting.api_client import reporting_api
from ap_testing.reporting.finance_budget import partnership_budget
from ap_testing.reporting.narrative import narrative_events

from .test_reporting_api_attack import KEYS, LA, token, write_facts

pytestmark = pytest.mark.integration

URL = "/v1/reports/partnership/np-north/annual-report/2024-25"
LEAD = token("np-north", OrgKind.PARTNERSHIP, Role.PARTNERSHIP_LEAD)
TITLE = "Primary Behaviour Provision report to stakeholders, 2024/25"
RECORDED = datetime(2025, 1, 6, 9, tzinfo=UTC)
ACTOR = Actor(user_id="u-test", organisation_id="la-county")


def received(events: Sequence[DomainEvent], stream_id: str, topic: str, recorded: datetime = RECORDED,
             first: int = 0) -> list[ReceivedEvent]:
    """The stream's events as a runner hands them on, recorded at ``recorded`` (6 January 2025), the first at
    offset (and the stream's version minus one) ``first``."""
    out = []
    for offset, event in enumerate(events, start=first):
        envelope = EventEnvelope(
            event_id=uuid4(), event_type=event.event_type, schema_version=event.schema_version, stream_id=stream_id,
            stream_version=offset + 1, occurred_at=recorded, recorded_at=recorded, actor=ACTOR,
            organisation_id=ACTOR.organisation_id, correlation_id=uuid4(), pii_subject=event.pii_subject(),
            payload=event.model_dump(mode="json"))
        out.append(ReceivedEvent(envelope, envelope.payload, topic, 0, offset))
    return out


async def apply_events(pool: asyncpg.Pool, projection: Projection, events: Sequence[ReceivedEvent]) -> None:
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute(f"SET LOCAL search_path TO {await active_schema(conn, projection.name)}")
        await projection.apply_batch(conn, events)


async def _write(pool: asyncpg.Pool) -> None:
    """The attack tests' placements, np-north's and np-south's budgets for 2024-25 and np-north's narrative for
    2024/25 published (none for 2023/24)."""
    await write_facts(pool)
    budgets = [*partnership_budget("np-north"), *partnership_budget("np-south")]
    await apply_events(pool, ReportingFinanceProjection(), [
        *received(budgets[:6], "budget-north", "finance"), *received(budgets[6:], "budget-south", "finance")])
    narrative = narrative_events("np-north", "2024/25", "lead", "chair", lambda section: f"{section}: our year.")
    await apply_events(pool, ReportingCommissioningFactsProjection(), received(narrative, "narrative", "commissioning"))


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def api(new_database: Callable[[str], Awaitable[str]]) -> AsyncIterator[httpx.AsyncClient]:
    async with reporting_api(new_database, "rpt_np_annual", KEYS.public_pem, _write) as client:
        yield client


def _pdf_text(content: bytes, tmp_path: Path) -> str:
    path = tmp_path / "annual.pdf"
    path.write_bytes(content)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,  # nosec B603, B607 - fixed poppler command
                          capture_output=True, text=True).stdout
    return " ".join(text.split())


@pytest.mark.parametrize("caller", [LEAD, LA], ids=["partnership_lead", "la_officer"])
async def test_the_partnership_s_reader_gets_its_annual_report_in_every_format(
        api: httpx.AsyncClient, caller: dict[str, str], tmp_path: Path) -> None:
    report = await api.get(f"{URL}?as_at=2025-02-03", headers=caller)
    assert report.status_code == 200, report.text
    assert report.headers["Report-As-At"] == "2025-02-03"
    body = report.json()
    assert body["narrative_published"] is True and body["figures"]["partnership_id"] == "np-north"
    assert [line["name"] for line in body["budget"]["lines"]][:1] == ["Staffing"]
    pdf = await api.get(f"{URL}?format=pdf&as_at=2025-02-03", headers=caller)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-"), pdf.text
    assert pdf.headers["content-disposition"].endswith('filename="partnership-np-north-annual-report-2024-25.pdf"')
    text = _pdf_text(pdf.content, tmp_path)
    assert TITLE in text and "Budget Summary" in text and "£68,000.00" in text, text
    assert "Status published" in text and "As at 2025-02-03" in text
    page = await api.get(f"{URL}?format=html&as_at=2025-02-03", headers=caller)
    assert page.status_code == 200 and TITLE in page.text and "Overall Summary: our year." in page.text
    rows = list(csv.reader(io.StringIO((await api.get(f"{URL}?format=csv", headers=caller)).text)))
    assert rows[0] == ["table", "unit", "row", "column", "value"]
    assert {row[0] for row in rows[1:]} == {t["name"] for t in body["figures"]["tables"]} >= {"pupils_by_sex"}
    workbook = await api.get(f"{URL}?format=xlsx", headers=caller)
    assert workbook.status_code == 200 and load_workbook(io.BytesIO(workbook.content)).sheetnames


async def test_a_year_whose_narrative_is_not_published_is_served_as_a_draft_that_says_so(
        api: httpx.AsyncClient, tmp_path: Path) -> None:
    url = "/v1/reports/partnership/np-north/annual-report/2023-24"
    body = (await api.get(url, headers=LEAD)).json()
    assert (body["narrative_published"], body["narrative"]) == (False, [])
    text = _pdf_text((await api.get(f"{url}?format=pdf", headers=LEAD)).content, tmp_path)
    assert "Status draft, not published" in text and AWAITING in text
    assert "No budget is recorded" in text  # finance holds no 2023-24 budget: said, not failed


async def test_before_the_narrative_was_published_the_report_was_a_draft(api: httpx.AsyncClient) -> None:
    body = (await api.get(f"{URL}?as_at=2025-01-05", headers=LEAD)).json()
    assert (body["narrative_published"], body["budget"]["lines"]) == (False, [])


@pytest.mark.parametrize("caller", [("np-south", OrgKind.PARTNERSHIP, Role.PARTNERSHIP_LEAD),
                                    ("school-0", OrgKind.HOME_SCHOOL, Role.HOME_SCHOOL_HEAD),
                                    ("forum", OrgKind.SCHOOLS_FORUM, Role.SCHOOLS_FORUM_MEMBER),
                                    ("platform", OrgKind.PLATFORM, Role.PLATFORM_ADMIN)],
                         ids=["other_lead", "school_head", "forum_member", "platform_admin"])
async def test_whoever_may_not_read_the_termly_report_gets_403_naming_nothing(
        api: httpx.AsyncClient, caller: tuple[str, OrgKind, Role]) -> None:
    for fmt in ("json", "csv", "xlsx", "html", "pdf"):
        existing = await api.get(f"{URL}?format={fmt}", headers=token(*caller))
        missing = await api.get(f"/v1/reports/partnership/np-none/annual-report/2024-25?format={fmt}",
                                headers=token(*caller))
        assert (existing.status_code, missing.status_code) == (403, 403), (fmt, existing.text)
        assert existing.headers["content-type"] == "application/problem+json", fmt  # no file, no figures
        assert set(existing.json()) <= {"type", "title", "status", "detail", "instance", "rule", "correlation_id"}
        assert {k: v for k, v in existing.json().items() if k not in ("instance", "correlation_id")} == {
            k: v for k, v in missing.json().items() if k not in ("instance", "correlation_id")}


@pytest.mark.parametrize("year", ["2024-26", "2024-25-autumn", "2024", "24-25", "2024-25x"])
async def test_a_year_that_is_not_an_academic_year_is_refused_naming_the_field(
        api: httpx.AsyncClient, year: str) -> None:
    response = await api.get(f"/v1/reports/partnership/np-north/annual-report/{year}?format=pdf", headers=LEAD)
    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["errors"]] == ["academic_year"]


async def test_a_forged_query_parameter_is_refused_before_anything_is_read(api: httpx.AsyncClient) -> None:
    response = await api.get(f"{URL}?partnership_id=np-south", headers=LEAD)
    assert response.status_code == 422 and [e["field"] for e in response.json()["errors"]] == ["partnership_id"]
