"""The published reports as .xlsx: one sheet per table, numbers as numbers, the heading row frozen.

Rules served (issue 15, "As documents"; STATUTORY.md small numbers): each cell is the published one
(``c`` hidden, ``z`` not applicable, as text); a total is a ``=SUM`` formula over its row or column
only where every figure it adds is shown and the sum is the published total, so a reader can check
it; where a figure is hidden the published total is written as a number, because a formula over the
shown cells would print a figure the report never published. A Notes sheet carries the report's notes. The
heading row and the row labels are in people's words (``ap_runtime.documents.label_words``), as the HTML and PDF
are; the CSV and JSON keep the codes.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ap_reporting.domain.published import Table, Value
from ap_runtime.documents import label_words
from ap_runtime.spreadsheet import neutralise_workbook

HEADING_ROW = 4
COUNT_FORMAT, RATE_FORMAT = "#,##0", "#,##0.0#"
BOLD, HEADER_FILL = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
Formula = tuple[Worksheet, str, str]  # sheet, coordinate, formula: written after neutralising the text


def _is_number(value: Value) -> bool:
    return isinstance(value, int | Decimal)


def _put(sheet: Worksheet, row: int, column: int, value: Value, bold: bool = False) -> None:
    cell = sheet.cell(row=row, column=column, value=value)
    cell.font = Font(bold=bold)
    if _is_number(value):
        cell.number_format = COUNT_FORMAT if isinstance(value, int) else RATE_FORMAT
    else:
        cell.alignment = Alignment(horizontal="right")


def _total(sheet: Worksheet, row: int, column: int, parts: Sequence[Value], first: str, last: str,
           published: Value, formulas: list[Formula]) -> None:
    """The published total, as ``=SUM(first:last)`` when it is the sum of shown figures."""
    _put(sheet, row, column, published, bold=True)
    if all(_is_number(p) for p in parts) and _is_number(published) and sum(parts) == published:  # type: ignore[arg-type]
        formulas.append((sheet, sheet.cell(row=row, column=column).coordinate, f"=SUM({first}:{last})"))


def _sheet(book: Workbook, table: Table, formulas: list[Formula]) -> None:
    sheet = book.create_sheet(table.name[:31])
    sheet.cell(row=1, column=1, value=table.title).font = Font(bold=True, size=14)
    sheet.cell(row=2, column=1, value=f"Unit: {table.unit}. c: hidden (small numbers); z: not applicable.")
    width = len(table.column_labels)
    total_column, total_row = width + 2, HEADING_ROW + len(table.row_labels) + 1
    for column, text in enumerate(("", *(label_words(c) for c in table.column_labels), "Total"), start=1):
        cell = sheet.cell(row=HEADING_ROW, column=column, value=text)
        cell.font, cell.fill = BOLD, HEADER_FILL
    for i, (label, cells) in enumerate(zip(table.row_labels, table.cells, strict=True)):
        row = HEADING_ROW + 1 + i
        sheet.cell(row=row, column=1, value=label_words(label))
        for j, value in enumerate(cells):
            _put(sheet, row, j + 2, value)
        _total(sheet, row, total_column, cells, f"B{row}", f"{get_column_letter(width + 1)}{row}",
               table.row_totals[i], formulas)
    sheet.cell(row=total_row, column=1, value="Total").font = BOLD
    for j in range(width + 1):
        letter = get_column_letter(j + 2)
        parts = [row[j] for row in table.cells] if j < width else list(table.row_totals)
        published = table.column_totals[j] if j < width else table.grand_total
        _total(sheet, total_row, j + 2, parts, f"{letter}{HEADING_ROW + 1}", f"{letter}{total_row - 1}", published,
               formulas)
    sheet.freeze_panes = sheet.cell(row=HEADING_ROW + 1, column=2).coordinate
    sheet.column_dimensions["A"].width = 34
    sheet.print_title_rows = f"{HEADING_ROW}:{HEADING_ROW}"
    sheet.page_setup.orientation = "landscape"


def tables_workbook(tables: Sequence[Table], notes: Sequence[str]) -> bytes:
    """Every table on its own sheet, then the notes."""
    book = Workbook()
    book.remove(book.active)
    formulas: list[Formula] = []
    for table in tables:
        _sheet(book, table, formulas)
    notes_sheet = book.create_sheet("Notes")
    for row, note in enumerate(notes, start=1):
        notes_sheet.cell(row=row, column=1, value=note)
    neutralise_workbook(book)  # report text cannot become a formula; the totals below are ours
    for sheet, coordinate, formula in formulas:
        sheet[coordinate].value = formula
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
