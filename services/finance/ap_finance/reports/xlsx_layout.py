"""Cells, styles and print layout shared by the sheets of the finance workbook.

Rules served (issue 12, "The quarterly workbook"): pounds are exact (whole pence / 100 as decimals,
shown £0.00); a total is a formula over the rows above (``=SUM(B9:B14)``) that a finance officer can
check; every sheet prints landscape, fitted to one page width, with its heading row repeated on each
page; an organisation is shown by name beside its id, and an id the register has no name for is shown
marked as such rather than hidden.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

POUNDS = '"£"#,##0.00;[Red]-"£"#,##0.00'
BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
TOTAL_BORDER = Border(top=Side(style="thin"), bottom=Side(style="double"))
UNNAMED = "no name on the register"
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



@dataclass(frozen=True, slots=True)
class Formula:
    """A formula this module builds from cell positions alone (never from text it was given)."""

    text: str


@dataclass(slots=True)
class Formulas:
    """The formula cells of a workbook, written only after ``neutralise_workbook`` has made every text
    cell inert: neutralising is for text that came from outside, and must not turn a total into text."""

    cells: list[tuple[Worksheet, int, int, Formula]] = field(default_factory=list)

    def place(self, sheet: Worksheet, row: int, column: int, formula: Formula) -> None:
        self.cells.append((sheet, row, column, formula))

    def write(self) -> None:
        for sheet, row, column, formula in self.cells:
            sheet.cell(row=row, column=column).value = formula.text


Cell = Decimal | Formula  # an exact number of pounds, or a formula over other cells


def pounds(pence: int) -> Decimal:
    """Whole pence as an exact decimal number of pounds."""
    return Decimal(pence) / 100


def label(code: str) -> str:
    return LABELS.get(code, code.replace("_", " ").capitalize())


def named(organisation_id: str, name: str | None) -> str:
    """``Name (id)``, or ``id (no name on the register)`` when the directory has no name for it."""
    return f"{name} ({organisation_id})" if name else f"{organisation_id} ({UNNAMED})"


def long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def headings(sheet: Worksheet, row: int, texts: Sequence[str]) -> None:
    for column, text in enumerate(texts, start=1):
        cell = sheet.cell(row=row, column=column, value=text)
        cell.font = BOLD
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center" if column > 1 else "left", vertical="top", wrap_text=True)


def money_row(sheet: Worksheet, formulas: Formulas, row: int, name: str, values: Sequence[Cell],
              total: bool = False) -> None:
    """A label in column A and pounds (numbers, or formulas placed for writing last) from column B on."""
    first = sheet.cell(row=row, column=1, value=name)
    first.font = Font(bold=total)
    for column, value in enumerate(values, start=2):
        cell = sheet.cell(row=row, column=column)
        if isinstance(value, Formula):
            formulas.place(sheet, row, column, value)
        else:
            cell.value = value
        cell.number_format = POUNDS
        if total:
            cell.font = BOLD
            cell.border = TOTAL_BORDER
    if total:
        first.border = TOTAL_BORDER


def column_sums(first_row: int, last_row: int, columns: int) -> list[Cell]:
    """``=SUM(B{first}:B{last})`` and on for ``columns`` money columns; zero when there are no rows."""
    if last_row < first_row:
        return [Decimal(0)] * columns
    letters = (get_column_letter(index) for index in range(2, columns + 2))
    return [Formula(f"=SUM({letter}{first_row}:{letter}{last_row})") for letter in letters]


def widths(sheet: Worksheet, first: float, others: float, count: int) -> None:
    sheet.column_dimensions["A"].width = first
    for index in range(2, count + 1):
        sheet.column_dimensions[get_column_letter(index)].width = others


def print_layout(sheet: Worksheet, heading_row: int) -> None:
    """Landscape A4, one page wide (as many pages down as needed), the heading row on every page."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.print_title_rows = f"{heading_row}:{heading_row}"
    sheet.print_options.gridLines = False
    sheet.oddFooter.left.text = "&A"
    sheet.oddFooter.right.text = "Page &P of &N"
