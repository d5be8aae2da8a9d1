"""The quarterly return's page and PDF through the API (issue 15, "As documents"): the figures are the
ledger's, the authorisation is the JSON's (another Partnership's lead is refused the PDF as the JSON),
and neither document holds pupil data."""

from __future__ import annotations

import subprocess  # nosec B404 - poppler's pdftotext on a file this test wrote
from pathlib import Path

import httpx
import pytest

from ap_contracts.money import format_pounds
from ap_runtime.eventstore import EventStore

from .conftest import (
    FINANCE_OFFICER,
    OTHER_PARTNERSHIP_LEAD,
    PARTNERSHIP_LEAD,
    PUPIL_NAME_MARKER,
    World,
    budget_path,
)
from .test_finance_reports_api import AS_AT, get, prepared

pytestmark = pytest.mark.integration

RETURN = f"/reports/quarterly-return?quarter=2&as_at={AS_AT}"


def _pdf_text(pdf: bytes, path: Path) -> str:
    path.write_bytes(pdf)
    return " ".join(subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,  # nosec B603, B607 - fixed poppler command
                                   capture_output=True, text=True).stdout.split())


async def test_quarterly_return_page_and_pdf_carry_the_ledger_totals_and_no_pupil(
    api: httpx.AsyncClient, world: World, incidents: EventStore, tmp_path: Path
) -> None:
    ledger, pupils = await prepared(api, world, incidents)
    page = await get(api, f"{RETURN}&format=html")
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    pdf = await get(api, f"{RETURN}&format=pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["content-disposition"].endswith('-2025-26-q2.pdf"')
    text = _pdf_text(pdf.content, tmp_path / "return.pdf")
    for document in (page.text, text):
        assert f"Total revised budget {format_pounds(ledger['total']['budget_pence'])}" in " ".join(
            document.replace("</dt><dd>", " ").split())
        assert format_pounds(ledger["total"]["actual_pence"]) in document
        assert "pupil_ref" not in document and PUPIL_NAME_MARKER not in document
        assert not any(pupil in document for pupil in pupils)


async def test_another_partnership_s_lead_is_refused_the_pdf_as_the_json(
    api: httpx.AsyncClient, world: World, incidents: EventStore
) -> None:
    await prepared(api, world, incidents)
    for fmt in ("json", "html", "pdf"):
        response = await api.get(budget_path(f"{RETURN}&format={fmt}"), headers=OTHER_PARTNERSHIP_LEAD.headers)
        assert response.status_code == 403, (fmt, response.status_code)
        assert response.headers["content-type"].startswith("application/problem+json")
    refused = await api.get(budget_path(f"{RETURN}&format=docx"), headers=FINANCE_OFFICER.headers)
    assert refused.status_code == 422


async def test_termly_monitoring_and_governing_body_summary_as_documents(
    api: httpx.AsyncClient, world: World, incidents: EventStore, tmp_path: Path
) -> None:
    ledger, _ = await prepared(api, world, incidents)
    termly = await api.get(budget_path("/reports/termly-monitoring?term=summer&format=html"),
                           headers=PARTNERSHIP_LEAD.headers)
    assert termly.status_code == 200 and "Actual spend dated in the term" in termly.text
    summary = await get(api, "/reports/governing-body-summary?as_at=2025-12-31&format=pdf")
    text = _pdf_text(summary.content, tmp_path / "summary.pdf")
    assert f"Total revised budget {format_pounds(ledger['total']['budget_pence'])}" in text
    refused = await api.get(budget_path("/reports/termly-monitoring?term=summer&format=pdf"),
                            headers=OTHER_PARTNERSHIP_LEAD.headers)
    assert refused.status_code == 403
