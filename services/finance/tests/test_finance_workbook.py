"""The quarterly workbook as a finance officer reads it (issue 12, "The quarterly workbook" and "Names").

Opened with openpyxl: organisation names from the register beside their ids (an id with no registered
name shown as the id, marked), the original budget next to virements and the revised budget, totals
written as formulas over the rows above that evaluate (``ap_testing.workbook_formulas``) to the
ledger's figures to the penny, landscape print layout fitted to the page width with the heading row
repeated, year-to-date figures labelled so, and notes in plain language without internal record ids.
"""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import uuid4

import httpx
import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from ap_contracts.envelope import Actor as EventActor
from ap_contracts.envelope import OrgKind
from ap_contracts.events.organisations import OrganisationRegistered
from ap_finance.reports.models import (
    BudgetHeader,
    CategoryFigures,
    FundingFigures,
    PlacementCostFigures,
    QuarterlyReturn,
    SchoolAllocationFigures,
    SourcePosition,
    YearEndFigures,
)
from ap_finance.reports.render_xlsx import quarterly_return_workbook
from ap_runtime.eventstore import EventStore, NewEvent
from ap_testing.workbook_formulas import cell_value, is_formula

from .conftest import (
    FINANCE_OFFICER,
    HOST,
    LA,
    PARTNERSHIP,
    PARTNERSHIP_LEAD,
    PROVISION,
    World,
    budget_path,
    busy_budget,
    post_ok,
    standard_budget,
)
from .test_finance_year_http import PROPORTIONS, SCHOOLS, WEIGHTS, expected_allocation

HOST_NAME = "Northbridge Church of England Primary School"
PROVISION_NAME = "Northbridge Behaviour Base"
MONEY_COLUMNS = ("B", "C", "D", "E", "F", "G", "H", "I")
AS_AT = "2025-09-30"


async def register(incidents: EventStore, organisation_id: str, kind: OrgKind, name: str | None,
                   version: int = 0, **facts: Any) -> None:
    """An OrganisationRegistered event as the incidents service stores it."""
    actor = EventActor(user_id="platform-admin-1", organisation_id="platform", roles=("platform_admin",))
    event = OrganisationRegistered(organisation_id=organisation_id, kind=kind, name=name, **facts)
    await incidents.append(f"organisation-{organisation_id}", version, [NewEvent(event, actor, "platform", uuid4())])


async def fetch(api: httpx.AsyncClient, path: str) -> httpx.Response:
    response = await api.get(budget_path(path), headers=FINANCE_OFFICER.headers)
    assert response.status_code == 200, response.text
    return response


def pence(value: Decimal) -> int:
    hundredths = value * 100
    assert hundredths == int(hundredths), f"{value} is not whole pence"
    return int(hundredths)


def school_id(shown: str) -> str:
    """The id in ``Name (id)`` or ``id (no name on the register)``."""
    unnamed = " (no name on the register)"
    return shown.removesuffix(unnamed) if shown.endswith(unnamed) else shown.rsplit(" (", 1)[1].rstrip(")")


def heading_row(sheet: Worksheet) -> int:
    return next(cell.row for cell in sheet["A"] if cell.value == "Category")


def rows_by_label(sheet: Worksheet, first: int) -> dict[str, int]:
    return {str(cell.value): cell.row for cell in sheet["A"][first - 1:] if cell.value}


def texts(book: Any) -> list[str]:
    return [c.value for s in book.worksheets for row in s.iter_rows() for c in row if isinstance(c.value, str)]


@pytest.mark.integration
async def test_the_workbook_names_organisations_and_its_formulas_give_the_ledger_s_figures(
    api: httpx.AsyncClient, world: World, incidents: EventStore
) -> None:
    await busy_budget(api)
    await register(incidents, LA, OrgKind.LOCAL_AUTHORITY, "Test County Council")
    await register(incidents, HOST, OrgKind.HOST_SCHOOL, "Old name of the school", local_authority_id=LA)
    await register(incidents, HOST, OrgKind.HOST_SCHOOL, HOST_NAME, version=1, local_authority_id=LA)
    await register(incidents, PROVISION, OrgKind.PROVISION, PROVISION_NAME, local_authority_id=LA,
                   partnership_id=PARTNERSHIP, key_stages=("KS2",))
    # The partnership is registered without a name: its id is shown, marked.
    await register(incidents, PARTNERSHIP, OrgKind.PARTNERSHIP, None, local_authority_id=LA)
    await world.project(extra=incidents)
    ledger = (await fetch(api, "/ledger")).json()
    virements = (await fetch(api, "/reports/termly-monitoring?term=summer")).json()["virements_to_date"]
    book = load_workbook(io.BytesIO((await fetch(api, f"/reports/quarterly-return?quarter=2&format=xlsx"
                                                      f"&as_at={AS_AT}")).content))
    sheet = book["Budget v actual"]

    top = [str(c.value) for c in sheet["A"][:heading_row(sheet)] if c.value]
    assert f"Host school: {HOST_NAME} ({HOST})" in top
    assert f"Provision: {PROVISION_NAME} ({PROVISION})" in top
    assert f"Neighbourhood Partnership: {PARTNERSHIP} (no name on the register)" in top
    assert not any("Old name of the school" in t for t in texts(book))

    header = heading_row(sheet)
    headings = [c.value for c in sheet[header]][:9]
    assert headings[:4] == ["Category", "Original budget", "Virements in / (out)", "Revised budget"]
    assert headings[4].startswith("Actual spend, year to date")
    rows = rows_by_label(sheet, header + 1)
    moved: dict[str, int] = {}
    for virement in virements:
        moved[virement["from_category"]] = moved.get(virement["from_category"], 0) - virement["amount_pence"]
        moved[virement["to_category"]] = moved.get(virement["to_category"], 0) + virement["amount_pence"]
    assert moved, "the busy budget has a virement"
    for category in ledger["by_category"]:
        row = rows[next(label for label in rows if label.lower().replace(" / ", "_").replace(" ", "_")
                        == category["category"]
                        or (category["category"] == "unallocated" and label.startswith("Funding not yet")))]
        shown = [pence(cell_value(sheet, f"{column}{row}")) for column in MONEY_COLUMNS[:6]]
        change = moved.get(category["category"], 0)
        assert shown == [category["budget_pence"] - change, change, category["budget_pence"],
                         category["actual_pence"], category["committed_pence"], category["remaining_pence"]]

    total_row = rows["Total"]
    first, last = header + 1, total_row - 1
    for column in MONEY_COLUMNS:
        assert sheet[f"{column}{total_row}"].value == f"=SUM({column}{first}:{column}{last})"
    totals = [pence(cell_value(sheet, f"{column}{total_row}")) for column in MONEY_COLUMNS[2:6]]
    assert totals == [ledger["total"][k] for k in ("budget_pence", "actual_pence", "committed_pence",
                                                   "remaining_pence")]
    assert pence(cell_value(sheet, f"C{total_row}")) == 0  # virements move budget, they add none

    funding = book["Funding and year end"]
    funding_total = next(c.row for c in funding["A"] if c.value == "Total")
    assert is_formula(funding, f"B{funding_total}")
    assert pence(cell_value(funding, f"B{funding_total}")) == ledger["total"]["budget_pence"]

    for printed in (sheet, funding):
        assert printed.page_setup.orientation == "landscape"
        assert printed.page_setup.fitToWidth == 1 and printed.page_setup.fitToHeight == 0
        assert printed.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.print_title_rows == f"${header}:${header}"  # the heading row, absolute
    assert sheet.freeze_panes == f"B{header + 1}"

    notes = " ".join(str(c.value) for c in book["Notes"]["A"] if c.value)
    assert "year to date" in notes and f"up to event version {ledger['ledger_version']}" in notes
    budget_stream_and_event = (ledger.get("stream_id"), ledger.get("last_event_id"))
    assert not any(str(ident) in text for ident in budget_stream_and_event if ident for text in texts(book))


def unit_return(allocations: tuple[SchoolAllocationFigures, ...]) -> QuarterlyReturn:
    event_id = uuid4()
    header = BudgetHeader(provision_id="pbp-1", host_school_id="school-host", partnership_id="np-1",
                          host_school_name="Host Primary", partnership_name="North Partnership",
                          financial_year="2025-26", year_closed_on=date(2026, 3, 31), as_at=date(2026, 3, 31),
                          generated_at=datetime(2026, 4, 2, 9, 30, tzinfo=UTC),
                          source=SourcePosition(stream_id="budget-stream-xyz", stream_version=41, event_id=event_id,
                                                recorded_at=datetime(2026, 3, 31, 16, 5, tzinfo=UTC)))
    line = CategoryFigures(line="staffing", budget_pence=100_000, actual_pence=90_000, committed_pence=0,
                           remaining_pence=10_000, forecast_outturn_pence=90_000, forecast_variance_pence=10_000,
                           virements_pence=-5_000)
    funding = FundingFigures(funding_source="dsg_allocation", budget_pence=100_000, actual_pence=90_000,
                             committed_pence=0, remaining_pence=10_000)
    return QuarterlyReturn(
        header=header, quarter=4, period_start=date(2026, 1, 1), period_end=date(2026, 3, 31),
        categories=(line,), total=line, funding=(funding,), funding_total=funding,
        year_end=YearEndFigures(brought_forward_pence=0, surplus_pence=10_000, allocated_to_schools_pence=10_000,
                                clawed_back_pence=0, carried_forward_pence=0, still_available_pence=0),
        allocations=allocations,
        placement_costs=PlacementCostFigures(placements=None, pupil_days=None, actual_pence=90_000,
                                             cost_per_placement_pence=None, cost_per_pupil_day_pence=None),
        notes=("A note.",),
    )


def test_allocated_shares_show_school_names_unknown_ids_marked_and_a_total_formula() -> None:
    shares = (SchoolAllocationFigures(school_id="school-a", amount_pence=6_667, school_name="Alder Primary"),
              SchoolAllocationFigures(school_id="school-b", amount_pence=3_333))
    report = unit_return(shares)
    book = load_workbook(io.BytesIO(quarterly_return_workbook(report)))
    funding = book["Funding and year end"]
    labels = {str(c.value): c.row for c in funding["A"] if c.value}
    assert "Alder Primary (school-a)" in labels
    assert "school-b (no name on the register)" in labels
    total = next(row for label, row in labels.items() if label == "Total allocated to schools")
    assert is_formula(funding, f"B{total}")
    assert pence(cell_value(funding, f"B{total}")) == 10_000
    assert "Allocation method and parts" in labels
    sheet = book["Budget v actual"]
    top = [str(c.value) for c in sheet["A"][:heading_row(sheet)] if c.value]
    assert "Provision: pbp-1 (no name on the register)" in top
    everything = " ".join(texts(book))
    assert str(report.header.source.event_id) not in everything and "budget-stream-xyz" not in everything
    assert "31 March 2026" in everything


def test_every_sheet_prints_landscape_on_one_page_width_with_its_headings_repeated() -> None:
    book = load_workbook(io.BytesIO(quarterly_return_workbook(unit_return(()))))
    for sheet in book.worksheets:
        assert sheet.page_setup.orientation == "landscape", sheet.title
        assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 0), sheet.title
        assert sheet.sheet_properties.pageSetUpPr.fitToPage, sheet.title
        assert sheet.print_title_rows, sheet.title


@pytest.mark.integration
async def test_the_allocation_s_method_and_parts_are_shown_school_by_school_and_add_up_by_formula(
    api: httpx.AsyncClient, world: World, incidents: EventStore
) -> None:
    """A 50/30/20 combination across five schools: each school's part of each method, as computed
    independently (``test_finance_year_http.expected_allocation``), with each school's share and each part's
    total as formulas that evaluate to the ledger's shares and the parts' amounts."""
    await standard_budget(api)
    await post_ok(api, "/close", FINANCE_OFFICER, closed_on="2026-04-10")
    await post_ok(api, "/surplus/allocations", PARTNERSHIP_LEAD, allocation_id=uuid4(), method="combination",
                  proportions=PROPORTIONS, schools=SCHOOLS, needs_weights=WEIGHTS, amount_pence=9_999_997)
    await register(incidents, "school-ash", OrgKind.HOME_SCHOOL, "Ash Grove Primary", local_authority_id=LA,
                   partnership_id=PARTNERSHIP)
    await world.project(extra=incidents)
    expected = expected_allocation(9_999_997)
    shares = {s["school_id"]: s["amount_pence"] for s in (await fetch(api, "/ledger")).json()["allocations"]}
    book = load_workbook(io.BytesIO((await fetch(api, "/reports/quarterly-return?quarter=4&format=xlsx")).content))
    sheet = book["Funding and year end"]

    method_row = next(c.row for c in sheet["A"] if c.value == "Allocation method and parts")
    described = str(sheet.cell(row=method_row + 1, column=1).value)
    assert "combination" in described and "1/2" in described and "3/10" in described and "1/5" in described
    assert "£99,999.97" in described
    heading = next(c.row for c in sheet["A"][method_row:] if c.value == "School")
    columns = {str(c.value): c.column_letter for c in sheet[heading] if c.value}
    assert list(columns)[1:] == ["Needs-based part", "Equity-based part", "Strategic plan part", "School's share"]
    part_column = {"needs_based": columns["Needs-based part"], "equity_based": columns["Equity-based part"],
                   "strategic_plan": columns["Strategic plan part"]}
    total = next(c.row for c in sheet["A"][heading:] if c.value == "Total of the allocation")
    rows = {str(c.value): c.row for c in sheet["A"][heading:total] if c.value}
    assert "Ash Grove Primary (school-ash)" in rows and f"{HOST} (no name on the register)" in rows
    share_column = columns["School's share"]
    schools = {school_id(label): row for label, row in rows.items() if label != "Total of the allocation"}
    assert set(schools) == set(shares)
    for school, row in schools.items():
        for method, column in part_column.items():
            assert pence(cell_value(sheet, f"{column}{row}")) == expected[method].get(school, 0), (school, method)
        share_cell = f"{share_column}{row}"
        assert is_formula(sheet, share_cell)
        assert pence(cell_value(sheet, share_cell)) == shares[school]
    for method, column in part_column.items():
        assert is_formula(sheet, f"{column}{total}")
        assert pence(cell_value(sheet, f"{column}{total}")) == sum(expected[method].values())
    assert pence(cell_value(sheet, f"{share_column}{total}")) == 9_999_997
