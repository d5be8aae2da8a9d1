"""The finance reports through the API: the .xlsx return a finance officer opens (read back with
openpyxl) matches the ledger to the penny, CSV and JSON carry the same figures, and no output of the
finance service holds pupil data."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from decimal import Decimal
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook

from ap_runtime.eventstore import EventStore
from ap_testing.workbook_formulas import cell_value

from .conftest import (
    FINANCE_OFFICER,
    PARTNERSHIP_LEAD,
    PUPIL_NAME_MARKER,
    World,
    budget_path,
    busy_budget,
    record_placements,
)

pytestmark = pytest.mark.integration

AS_AT = "2025-09-30"


async def get(api: httpx.AsyncClient, path: str) -> httpx.Response:
    response = await api.get(budget_path(path), headers=FINANCE_OFFICER.headers)
    assert response.status_code == 200, response.text
    return response


async def prepared(api: httpx.AsyncClient, world: World, incidents: EventStore) -> tuple[dict[str, Any], list[str]]:
    await busy_budget(api)
    pupils = await record_placements(incidents, [(date(2025, 4, 28), date(2025, 7, 18)), (date(2025, 9, 1), None),
                                                 (date(2025, 6, 2), date(2025, 6, 27))])
    await world.project(extra=incidents)
    ledger = (await get(api, "/ledger")).json()
    return ledger, [str(p) for p in pupils]


def pence(value: Any) -> int:
    hundredths = Decimal(str(value)) * 100
    assert hundredths == int(hundredths), f"{value} is not whole pence"
    return int(hundredths)


async def test_xlsx_return_reads_back_and_its_totals_match_the_ledger(
    api: httpx.AsyncClient, world: World, incidents: EventStore
) -> None:
    ledger, _ = await prepared(api, world, incidents)
    response = await get(api, f"/reports/quarterly-return?quarter=2&format=xlsx&as_at={AS_AT}")
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Budget v actual", "Funding and year end", "Notes"]
    sheet = book["Budget v actual"]
    assert [c.value for c in sheet[8]][:8] == ["Category", "Original budget", "Virements in / (out)", "Revised budget",
                                              "Actual spend, year to date", "Commitments (ordered, not yet paid)",
                                              "Remaining", "Forecast outturn (full year)"]
    assert sheet.freeze_panes == "B9"
    assert sheet.column_dimensions["A"].width >= 30
    rows = {row[0].value: row for row in sheet.iter_rows(min_row=9) if row[0].value}
    total = rows["Total"]
    # Revised budget, actual, commitments, remaining (columns D to G); totals are formulas, evaluated here.
    assert [pence(cell_value(sheet, c.coordinate)) for c in total[3:7]] == [
        ledger["total"][k] for k in ("budget_pence", "actual_pence", "committed_pence", "remaining_pence")]
    assert total[1].font.b
    assert all(c.number_format.startswith('"£"#,##0.00') for c in total[1:])
    staffing = next(c for c in ledger["by_category"] if c["category"] == "staffing")
    assert pence(rows["Staffing"][4].value) == staffing["actual_pence"]
    assert sum(pence(cell_value(sheet, r[3].coordinate)) for name, r in rows.items()
               if name != "Total") == ledger["total"]["budget_pence"]
    funding = book["Funding and year end"]
    funding_total = next(r for r in funding.iter_rows() if r[0].value == "Total")
    assert pence(cell_value(funding, funding_total[1].coordinate)) == ledger["total"]["budget_pence"]
    notes = " ".join(str(c.value) for c in book["Notes"]["A"] if c.value)
    assert "whole pence" in notes and "half up" in notes
    assert f"up to event version {ledger['ledger_version']}" in notes


async def test_csv_and_json_carry_the_same_figures(api: httpx.AsyncClient, world: World,
                                                   incidents: EventStore) -> None:
    ledger, _ = await prepared(api, world, incidents)
    report = (await get(api, f"/reports/quarterly-return?quarter=2&as_at={AS_AT}")).json()
    csv_text = (await get(api, f"/reports/quarterly-return?quarter=2&format=csv&as_at={AS_AT}")).text
    assert report["total"]["budget_pence"] == ledger["total"]["budget_pence"]
    assert report["total"]["actual_pence"] == ledger["total"]["actual_pence"]
    lines = csv_text.splitlines()
    assert lines[0] == "section,line,measure,value,unit,display"
    assert f"total,total,budget,{ledger['total']['budget_pence']},pence,\"£120,000.00\"" in lines
    for row in report["categories"]:
        assert f"categories,{row['line']},actual,{row['actual_pence']},pence," in csv_text
    costs = report["placement_costs"]
    assert costs["placements"] == 3
    assert costs["pupil_days"] == 60 + 22 + 20  # weekdays up to 30 September
    assert costs["cost_per_pupil_day_pence"] == (2 * ledger["total"]["actual_pence"] + 102) // 204


async def test_termly_monitoring_shows_the_term_the_held_item_and_virements(
    api: httpx.AsyncClient, world: World, incidents: EventStore
) -> None:
    await prepared(api, world, incidents)
    response = await api.get(budget_path("/reports/termly-monitoring?term=summer"), headers=PARTNERSHIP_LEAD.headers)
    report = response.json()
    assert report["term"] == "summer term 2025"
    assert report["spend_in_term_total_pence"] == 123_456 + 2_000_000 + 85_040 + 250_000
    [held] = report["awaiting_signatures"]
    assert (held["amount_pence"], held["signed_for"]) == (3_500_000, ["host_school"])
    [virement] = report["virements_to_date"]
    assert (virement["from_category"], virement["amount_pence"]) == ("contingency", 200_000)


async def test_no_finance_output_holds_pupil_data(api: httpx.AsyncClient, world: World,
                                                  incidents: EventStore) -> None:
    _, pupils = await prepared(api, world, incidents)
    outputs = [
        "/ledger", "/reconciliation",
        "/reports/quarterly-return?quarter=2", "/reports/quarterly-return?quarter=2&format=csv",
        "/reports/termly-monitoring?term=summer", "/reports/termly-monitoring?term=autumn&format=csv",
        "/reports/governing-body-summary", "/reports/governing-body-summary?format=csv",
    ]
    texts = [(await get(api, path)).text for path in outputs]
    xlsx = (await get(api, "/reports/quarterly-return?quarter=2&format=xlsx")).content
    with zipfile.ZipFile(io.BytesIO(xlsx)) as archive:
        texts += [archive.read(name).decode() for name in archive.namelist()]
    for text in texts:
        assert "pupil_ref" not in text
        assert PUPIL_NAME_MARKER not in text
        assert not any(pupil in text for pupil in pupils)


async def test_governing_body_summary_totals_are_the_ledger_s(api: httpx.AsyncClient, world: World,
                                                              incidents: EventStore) -> None:
    ledger, _ = await prepared(api, world, incidents)
    summary = (await get(api, "/reports/governing-body-summary?as_at=2025-12-31")).json()
    assert summary["report"] == "governing_body_summary"
    for key in ("budget_pence", "actual_pence", "committed_pence", "remaining_pence"):
        assert summary["total"][key] == ledger["total"][key]
    assert {f["funding_source"] for f in summary["funding"]} == {"dsg_allocation", "top_up"}
    assert summary["year_end"]["surplus_pence"] is None  # the year is still open
    assert summary["header"]["source"]["stream_version"] == ledger["ledger_version"]
