"""The quarterly financial return as an .xlsx workbook a finance officer can open (seed 001, appendix 5).

Sheets: "Budget v actual" (categories and a totals row, header frozen), "Funding and year end"
(funding sources, carry-forward and the surplus, placement costs) and "Notes" (rounding rule,
source event position, methods). Pounds are exact: whole pence / 100 as decimals, formatted £0.00.
Totals are written as values (the sums of the rows above), so they read back without a spreadsheet
engine and match the ledger to the penny. No text cell can run as a formula: the finished workbook
goes through ``ap_runtime.spreadsheet.neutralise_workbook`` before it is saved.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.worksheet.worksheet import Worksheet

from ap_finance.reports.models import CategoryFigures, FundingFigures, PublishedNumber, QuarterlyReturn
from ap_runtime.spreadsheet import neutralise_workbook

POUNDS = '"£"#,##0.00;[Red]-"£"#,##0.00'
BOLD = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
TOP_BORDER = Border(top=Side(style="thin"), bottom=Side(style="double"))
CATEGORY_HEADINGS = ("Category", "Budget", "Actual to date", "Commitments", "Remaining",
                     "Forecast outturn", "Forecast variance (budget - forecast)")
FUNDING_HEADINGS = ("Funding source", "Budget", "Actual to date", "Commitments", "Remaining")
LABELS = {
    "staffing": "Staffing",
    "resources": "Resources",
    "training_cpd": "Training / CPD",
    "premises": "Premises",
    "transport": "Transport",
    "external_services": "External services",
    "contingency": "Contingency",
    "other": "Other",
    "unallocated": "Funding not yet given to a line",
    "total": "Total",
    "dsg_allocation": "DSG allocation",
    "top_up": "Top-up",
    "carry_forward": "Carry-forward from previous year",
}
CATEGORY_HEADER_ROW = 5


def pounds(pence: int) -> Decimal:
    """Whole pence as an exact decimal number of pounds."""
    return Decimal(pence) / 100


def label(code: str) -> str:
    return LABELS.get(code, code.replace("_", " ").capitalize())


def _headings(sheet: Worksheet, row: int, headings: Sequence[str]) -> None:
    for column, text in enumerate(headings, start=1):
        cell = sheet.cell(row=row, column=column, value=text)
        cell.font = BOLD
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center" if column > 1 else "left", wrap_text=True)


def _money_row(sheet: Worksheet, row: int, name: str, values: Sequence[int], total: bool = False) -> None:
    sheet.cell(row=row, column=1, value=label(name)).font = Font(bold=total)
    for column, pence in enumerate(values, start=2):
        cell = sheet.cell(row=row, column=column, value=pounds(pence))
        cell.number_format = POUNDS
        if total:
            cell.font = BOLD
            cell.border = TOP_BORDER
    if total:
        sheet.cell(row=row, column=1).border = TOP_BORDER


def _category_values(row: CategoryFigures) -> tuple[int, ...]:
    return (row.budget_pence, row.actual_pence, row.committed_pence, row.remaining_pence,
            row.forecast_outturn_pence, row.forecast_variance_pence)


def _funding_values(row: FundingFigures) -> tuple[int, ...]:
    return (row.budget_pence, row.actual_pence, row.committed_pence, row.remaining_pence)


def _widths(sheet: Worksheet, first: int, others: int, count: int) -> None:
    sheet.column_dimensions["A"].width = first
    for index in range(2, count + 1):
        sheet.column_dimensions[chr(ord("A") + index - 1)].width = others


def _budget_sheet(sheet: Worksheet, report: QuarterlyReturn) -> None:
    top = report.header
    sheet.title = "Budget v actual"
    sheet["A1"] = "Quarterly financial return: ring-fenced behaviour budget"
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A2"] = f"Provision {top.provision_id}; host school {top.host_school_id}; partnership {top.partnership_id}"
    sheet["A3"] = (f"Financial year {top.financial_year}, quarter {report.quarter} "
                   f"({report.period_start.isoformat()} to {report.period_end.isoformat()}); "
                   f"as at {top.as_at.isoformat()}")
    _headings(sheet, CATEGORY_HEADER_ROW, CATEGORY_HEADINGS)
    row = CATEGORY_HEADER_ROW
    for row_figures in report.categories:
        row += 1
        _money_row(sheet, row, row_figures.line, _category_values(row_figures))
    _money_row(sheet, row + 1, "total", _category_values(report.total), total=True)
    sheet.freeze_panes = sheet.cell(row=CATEGORY_HEADER_ROW + 1, column=2)
    _widths(sheet, 34, 20, len(CATEGORY_HEADINGS))


def _published(sheet: Worksheet, row: int, name: str, value: PublishedNumber, money: bool) -> None:
    sheet.cell(row=row, column=1, value=name)
    if value is None:
        sheet.cell(row=row, column=2, value="n/a")
    elif isinstance(value, int) and money:
        cell = sheet.cell(row=row, column=2, value=pounds(value))
        cell.number_format = POUNDS
    else:
        sheet.cell(row=row, column=2, value=value)


def _funding_sheet(sheet: Worksheet, report: QuarterlyReturn) -> None:
    _headings(sheet, 1, FUNDING_HEADINGS)
    row = 1
    for funding in report.funding:
        row += 1
        _money_row(sheet, row, funding.funding_source, _funding_values(funding))
    row += 1
    _money_row(sheet, row, "total", _funding_values(report.funding_total), total=True)
    sheet.freeze_panes = "B2"
    year_end = report.year_end
    row += 2
    _headings(sheet, row, ("Year end and carry-forward", "Amount"))
    for name, pence in (
        ("Brought forward from the previous year", year_end.brought_forward_pence),
        ("Surplus / (deficit) determined at close", year_end.surplus_pence),
        ("Allocated to Partnership schools", year_end.allocated_to_schools_pence),
        ("Clawed back by the local authority", year_end.clawed_back_pence),
        ("Carried forward to the next year", year_end.carried_forward_pence),
        ("Surplus still to be decided", year_end.still_available_pence),
    ):
        row += 1
        _published(sheet, row, name, pence, money=True)
    if report.allocations:
        row += 2
        _headings(sheet, row, ("Surplus allocated to school", "Amount"))
        for share in report.allocations:
            row += 1
            _published(sheet, row, share.school_id, share.amount_pence, money=True)
    costs = report.placement_costs
    row += 2
    _headings(sheet, row, ("Placement costs", "Value"))
    for name, value, money in (
        ("Placements in the year", costs.placements, False),
        ("Pupil-days", costs.pupil_days, False),
        ("Cost per placement", costs.cost_per_placement_pence, True),
        ("Cost per pupil-day", costs.cost_per_pupil_day_pence, True),
    ):
        row += 1
        _published(sheet, row, name, value, money)
    _widths(sheet, 42, 20, len(FUNDING_HEADINGS))


def _notes_sheet(sheet: Worksheet, report: QuarterlyReturn) -> None:
    sheet["A1"] = "Notes"
    sheet["A1"].font = Font(bold=True, size=14)
    for row, note in enumerate(report.notes, start=3):
        cell = sheet.cell(row=row, column=1, value=note)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.column_dimensions["A"].width = 120


def quarterly_return_workbook(report: QuarterlyReturn) -> bytes:
    """The return as .xlsx bytes."""
    book = Workbook()
    _budget_sheet(book.active, report)
    _funding_sheet(book.create_sheet("Funding and year end"), report)
    _notes_sheet(book.create_sheet("Notes"), report)
    book.properties.title = f"Quarterly financial return {report.header.provision_id} {report.header.financial_year}"
    book.properties.creator = "AP platform finance service"
    neutralise_workbook(book)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
