"""The quarterly financial return as an .xlsx workbook a finance officer can open, check and print
(seed 001, appendix 5; issue 12, "The quarterly workbook").

Sheets: "Budget v actual" (whose budget, by name; each category's original budget, virements and
revised budget beside actual spend year to date, commitments, remaining and the forecast), "Funding
and year end" (funding sources, carry-forward and the surplus, shares allocated to schools by name,
placement costs) and "Notes" (how to read and check the figures, rounding, source). Pounds are exact:
whole pence / 100 as decimals, formatted £0.00.

Checkable: each total is ``=SUM(...)`` over the rows above it, and within a row the revised budget is
``=original + virements``, remaining ``=revised - actual - commitments`` and the variance
``=revised - forecast``; every figure the ledger gives is written as a number. No text cell can run
as a formula: the finished workbook goes through ``ap_runtime.spreadsheet.neutralise_workbook``
before it is saved (the formulas are written afterwards by this module, never from text it was given).
"""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment
from openpyxl.worksheet.worksheet import Worksheet

from ap_finance.reports.models import CategoryFigures, QuarterlyReturn
from ap_finance.reports.xlsx_funding import funding_sheet
from ap_finance.reports.xlsx_layout import (
    TITLE,
    Cell,
    Formula,
    Formulas,
    column_sums,
    headings,
    label,
    long_date,
    money_row,
    named,
    pounds,
    print_layout,
    widths,
)
from ap_runtime.spreadsheet import neutralise_workbook

CATEGORY_HEADER_ROW = 8
CATEGORY_HEADINGS = ("Category", "Original budget", "Virements in / (out)", "Revised budget",
                     "Actual spend, year to date", "Commitments (ordered, not yet paid)", "Remaining",
                     "Forecast outturn (full year)", "Forecast variance (revised budget - forecast)")
HOW_TO_READ = (
    "How to read and check this workbook",
    "Original budget is each line's budget as set; virements move budget between lines (in, or out in "
    "brackets) and add none, so their total is nil; revised budget = original budget + virements.",
    "Actual spend and commitments are year to date, as at the date at the top of the first sheet. Budgets, "
    "the forecast outturn and its variance are for the whole financial year.",
    "Remaining = revised budget - actual spend - commitments. Forecast variance = revised budget - forecast "
    "outturn (negative: a forecast overspend).",
    "Every total is a formula adding the rows above it (for example =SUM(B9:B14)), and the revised budget, "
    "remaining and variance columns are formulas over their row, so each figure can be checked in the sheet.",
    "Each allocation of the surplus is shown school by school on the second sheet: each method's part (a "
    "combination's proportions are fractions of the whole) and the school's share, the sum of its parts.",
    "Organisations are shown by name with their identifier in brackets; an identifier shown with "
    "'no name on the register' is one the register of organisations holds no display name for.",
)


def _category_cells(row: int, figures: CategoryFigures) -> list[Cell]:
    original = figures.budget_pence - figures.virements_pence
    return [pounds(original), pounds(figures.virements_pence), Formula(f"=B{row}+C{row}"),
            pounds(figures.actual_pence), pounds(figures.committed_pence), Formula(f"=D{row}-E{row}-F{row}"),
            pounds(figures.forecast_outturn_pence), Formula(f"=D{row}-H{row}")]


def _title_block(sheet: Worksheet, report: QuarterlyReturn) -> None:
    top = report.header
    closed = f" The year was closed on {long_date(top.year_closed_on)}." if top.year_closed_on else ""
    lines = (
        "Quarterly financial return: ring-fenced behaviour budget",
        f"Provision: {named(top.provision_id, top.provision_name)}",
        f"Host school: {named(top.host_school_id, top.host_school_name)}",
        f"Neighbourhood Partnership: {named(top.partnership_id, top.partnership_name)}",
        f"Financial year {top.financial_year}, quarter {report.quarter}: "
        f"{long_date(report.period_start)} to {long_date(report.period_end)}",
        f"Spending and commitments are year to date as at {long_date(top.as_at)}; budgets and forecasts are "
        f"for the whole year.{closed}",
    )
    for row, text in enumerate(lines, start=1):
        sheet.cell(row=row, column=1, value=text)
    sheet["A1"].font = TITLE


def _budget_sheet(sheet: Worksheet, report: QuarterlyReturn, formulas: Formulas) -> None:
    sheet.title = "Budget v actual"
    _title_block(sheet, report)
    headings(sheet, CATEGORY_HEADER_ROW, CATEGORY_HEADINGS)
    first = CATEGORY_HEADER_ROW + 1
    for row, figures in enumerate(report.categories, start=first):
        money_row(sheet, formulas, row, label(figures.line), _category_cells(row, figures))
    total_row = first + len(report.categories)
    money_row(sheet, formulas, total_row, label("total"), column_sums(first, total_row - 1, len(CATEGORY_HEADINGS) - 1),
              total=True)
    sheet.freeze_panes = sheet.cell(row=first, column=2)
    sheet.row_dimensions[CATEGORY_HEADER_ROW].height = 45
    widths(sheet, 34, 17, len(CATEGORY_HEADINGS))
    print_layout(sheet, CATEGORY_HEADER_ROW)


def _notes_sheet(sheet: Worksheet, report: QuarterlyReturn) -> None:
    headings(sheet, 1, ("Notes",))
    sheet["A1"].font = TITLE
    for row, note in enumerate((*HOW_TO_READ, "About the figures", *report.notes), start=3):
        cell = sheet.cell(row=row, column=1, value=note)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.column_dimensions["A"].width = 120
    print_layout(sheet, 1)


def quarterly_return_workbook(report: QuarterlyReturn) -> bytes:
    """The return as .xlsx bytes."""
    book = Workbook()
    formulas = Formulas()
    _budget_sheet(book.active, report, formulas)
    funding_sheet(book.create_sheet("Funding and year end"), report, formulas)
    _notes_sheet(book.create_sheet("Notes"), report)
    top = report.header
    book.properties.title = f"Quarterly financial return {top.provision_name or top.provision_id} {top.financial_year}"
    book.properties.creator = "AP platform finance service"
    neutralise_workbook(book)
    formulas.write()
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
