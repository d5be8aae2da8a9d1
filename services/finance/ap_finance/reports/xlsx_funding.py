"""The workbook's "Funding and year end" sheet: funding sources, carry-forward and the surplus, the shares
allocated to schools (by name), each allocation's method and parts school by school (issue 12) and placement
costs (seed 001, appendix 5).

Totals are ``=SUM(...)`` over the rows above (see ``xlsx_layout``); year-end positions are the ledger's
own figures, written as numbers.
"""

from __future__ import annotations

from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ap_contracts.money import format_pounds
from ap_finance.reports.models import (
    AllocationMadeFigures,
    AllocationPartShare,
    FundingFigures,
    PublishedNumber,
    QuarterlyReturn,
)
from ap_finance.reports.xlsx_layout import (
    POUNDS,
    TITLE,
    Cell,
    Formula,
    Formulas,
    column_sums,
    headings,
    label,
    money_row,
    named,
    pounds,
    print_layout,
    widths,
)

FUNDING_HEADER_ROW = 3
FUNDING_HEADINGS = ("Funding source", "Budget (full year)", "Actual spend, year to date", "Commitments",
                    "Remaining")
METHOD_LABELS = {"needs_based": "Needs-based", "equity_based": "Equity-based", "strategic_plan": "Strategic plan",
                 "combination": "Combination"}
NO_ALLOCATION = "No allocation of the surplus has been recorded."


def _funding_cells(row: FundingFigures) -> list[Cell]:
    return [pounds(row.budget_pence), pounds(row.actual_pence), pounds(row.committed_pence),
            pounds(row.remaining_pence)]


def _published(sheet: Worksheet, row: int, name: str, value: PublishedNumber, money: bool) -> None:
    sheet.cell(row=row, column=1, value=name)
    if value is None:
        sheet.cell(row=row, column=2, value="n/a")
    elif isinstance(value, int) and money:
        cell = sheet.cell(row=row, column=2, value=pounds(value))
        cell.number_format = POUNDS
    else:
        sheet.cell(row=row, column=2, value=value)


def _funding(sheet: Worksheet, report: QuarterlyReturn, formulas: Formulas) -> int:
    headings(sheet, FUNDING_HEADER_ROW, FUNDING_HEADINGS)
    first = FUNDING_HEADER_ROW + 1
    for row, funding in enumerate(report.funding, start=first):
        money_row(sheet, formulas, row, label(funding.funding_source), _funding_cells(funding))
    total_row = first + len(report.funding)
    money_row(sheet, formulas, total_row, label("total"), column_sums(first, total_row - 1, 4), total=True)
    return total_row


def _year_end(sheet: Worksheet, report: QuarterlyReturn, row: int) -> int:
    year_end = report.year_end
    headings(sheet, row, ("Year end and carry-forward", "Amount"))
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
    return row


def _shares(sheet: Worksheet, report: QuarterlyReturn, formulas: Formulas, row: int) -> int:
    """Each school's total share of the surplus and their total; the row after them (or ``row``: none)."""
    if not report.allocations:
        return row
    headings(sheet, row, ("Surplus allocated to school", "Amount"))
    first = row + 1
    for row, share in enumerate(report.allocations, start=first):
        money_row(sheet, formulas, row, named(share.school_id, share.school_name), [pounds(share.amount_pence)])
    row += 1
    money_row(sheet, formulas, row, "Total allocated to schools", column_sums(first, row - 1, 1), total=True)
    return row + 2


def _described(made: AllocationMadeFigures, parts: list[AllocationPartShare]) -> str:
    proportions = dict.fromkeys((p.method, p.proportion) for p in parts if p.proportion is not None)
    text = f"Allocation {made.allocation}: {METHOD_LABELS.get(made.method, made.method).lower()} of " \
           f"{format_pounds(made.amount_pence)}"
    if proportions:
        text += "; proportions of the whole: " + ", ".join(
            f"{METHOD_LABELS.get(method, method).lower()} {proportion}" for method, proportion in proportions)
    if made.needs_weights:
        text += f"; needs criteria weights: {made.needs_weights.replace('_', ' ')}"
    return text


def _allocation_table(sheet: Worksheet, formulas: Formulas, made: AllocationMadeFigures,
                      parts: list[AllocationPartShare], row: int) -> int:
    """School by school, each method's part and the school's share (=SUM of its parts); a total row."""
    methods = list(dict.fromkeys(p.method for p in parts))
    amounts = {(p.school_id, p.method): p.amount_pence for p in parts}
    schools = {p.school_id: p.school_name for p in sorted(parts, key=lambda p: p.school_id)}
    sheet.cell(row=row, column=1, value=_described(made, parts))
    sheet.cell(row=row + 1, column=1, value=f"Rounding: {made.rounding}")
    heading = row + 2
    headings(sheet, heading, ("School", *(f"{METHOD_LABELS.get(m, m)} part" for m in methods), "School's share"))
    last_part = get_column_letter(len(methods) + 1)
    first = heading + 1
    for row, (school, name) in enumerate(schools.items(), start=first):
        cells: list[Cell] = [pounds(amounts.get((school, method), 0)) for method in methods]
        money_row(sheet, formulas, row, named(school, name), [*cells, Formula(f"=SUM(B{row}:{last_part}{row})")])
    total = first + len(schools)
    money_row(sheet, formulas, total, "Total of the allocation", column_sums(first, total - 1, len(methods) + 1),
              total=True)
    return total + 2


def _allocations(sheet: Worksheet, report: QuarterlyReturn, formulas: Formulas, row: int) -> int:
    row = _shares(sheet, report, formulas, row)
    headings(sheet, row, ("Allocation method and parts", ""))
    if not report.allocations_made:
        sheet.cell(row=row + 1, column=1, value=NO_ALLOCATION)
        return row + 1
    row += 1
    for made in report.allocations_made:
        parts = [p for p in report.allocation_parts if p.allocation == made.allocation]
        row = _allocation_table(sheet, formulas, made, parts, row)
    return row - 2


def _placement_costs(sheet: Worksheet, report: QuarterlyReturn, row: int) -> int:
    costs = report.placement_costs
    headings(sheet, row, ("Placement costs (year to date)", "Value"))
    for name, value, money in (
        ("Placements in the year", costs.placements, False),
        ("Pupil-days", costs.pupil_days, False),
        ("Cost per placement", costs.cost_per_placement_pence, True),
        ("Cost per pupil-day", costs.cost_per_pupil_day_pence, True),
    ):
        row += 1
        _published(sheet, row, name, value, money)
    return row


def funding_sheet(sheet: Worksheet, report: QuarterlyReturn, formulas: Formulas) -> None:
    sheet["A1"] = f"Funding and year end, financial year {report.header.financial_year}"
    sheet["A1"].font = TITLE
    row = _funding(sheet, report, formulas)
    row = _year_end(sheet, report, row + 2)
    row = _allocations(sheet, report, formulas, row + 2)
    _placement_costs(sheet, report, row + 2)
    sheet.freeze_panes = sheet.cell(row=FUNDING_HEADER_ROW + 1, column=2)
    widths(sheet, 42, 20, len(FUNDING_HEADINGS))
    print_layout(sheet, FUNDING_HEADER_ROW)
