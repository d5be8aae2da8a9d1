"""Spreadsheet cells that cannot run as formulas: the one neutralisation every CSV and xlsx export uses.

Rule served (issue 9, "Input and transport"; OWASP "CSV injection"): a text cell that begins with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read by spreadsheet programs as a formula
(``=HYPERLINK(...)`` in a provider's name would run on a finance officer's machine). Such a cell is
written with a leading single quote, which spreadsheets show as text. Only text is touched: a cell
typed as a number (``int``, ``float``, ``Decimal``) stays a number, negative or not, so exporters
must keep numbers as numbers rather than format them to strings first.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any, Protocol

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value: object) -> object:
    """``value``, with a single quote in front when it is text a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def neutralise_row(row: Iterable[object]) -> list[object]:
    return [neutralise_cell(value) for value in row]


class _TextStream(Protocol):
    def write(self, text: str, /) -> Any: ...


class SafeCsvWriter:
    """``csv.writer`` whose every row goes through ``neutralise_cell``."""

    def __init__(self, stream: _TextStream, lineterminator: str = "\r\n") -> None:
        self._writer = csv.writer(stream, lineterminator=lineterminator)

    def writerow(self, row: Iterable[object]) -> None:
        self._writer.writerow(neutralise_row(row))

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            self.writerow(row)


def neutralise_workbook(book: Any) -> None:
    """Neutralise every text cell of an openpyxl workbook, once, just before it is saved.

    openpyxl stores a str beginning with ``=`` as a formula; rewriting the value makes it text.
    One pass over the finished workbook means no cell written by any sheet builder is missed.
    """
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    cell.value = neutralise_cell(cell.value)
