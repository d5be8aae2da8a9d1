"""A tiny evaluator of the formulas the finance workbook writes, for tests (openpyxl stores, never computes).

It knows exactly the forms the workbook emits and refuses anything else, so a test fails loudly when
the workbook starts writing a form nobody checked: a number, a reference (``B9``), ``SUM(B9:B14)``
over one column or row, and terms of those joined by ``+`` and ``-`` (``=B9+C9``, ``=D9-E9-F9``).
References are followed through other formulas on the same sheet.
"""

from __future__ import annotations

import re
from decimal import Decimal

from openpyxl.utils.cell import coordinate_from_string, range_boundaries
from openpyxl.worksheet.worksheet import Worksheet

_TERM = re.compile(r"([+-]?)(SUM\(([A-Z]+[0-9]+:[A-Z]+[0-9]+)\)|[A-Z]+[0-9]+|[0-9]+(?:\.[0-9]+)?)")


class UnknownFormula(ValueError):
    """A formula of a form this evaluator (and so the test) does not know."""


def cell_value(sheet: Worksheet, coordinate: str, _depth: int = 0) -> Decimal:
    """The number a spreadsheet would show in ``coordinate``: stored numbers as they are, formulas computed."""
    if _depth > 50:
        raise UnknownFormula(f"{coordinate}: references nest too deeply (a cycle?)")
    value = sheet[coordinate].value
    if value is None:
        return Decimal(0)
    if isinstance(value, str) and value.startswith("="):
        return _evaluate(sheet, coordinate, value[1:], _depth)
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise UnknownFormula(f"{coordinate} holds {value!r}, not a number or a formula")
    return Decimal(str(value))


def is_formula(sheet: Worksheet, coordinate: str) -> bool:
    value = sheet[coordinate].value
    return isinstance(value, str) and value.startswith("=")


def _evaluate(sheet: Worksheet, coordinate: str, formula: str, depth: int) -> Decimal:
    position, total = 0, Decimal(0)
    while position < len(formula):
        match = _TERM.match(formula, position)
        if match is None or (position and not match.group(1)):
            raise UnknownFormula(f"{coordinate}: cannot read ={formula} at character {position + 1}")
        sign = -1 if match.group(1) == "-" else 1
        total += sign * _term(sheet, match, depth)
        position = match.end()
    return total


def _term(sheet: Worksheet, match: re.Match[str], depth: int) -> Decimal:
    if match.group(3):
        low_col, low_row, high_col, high_row = range_boundaries(match.group(3))
        assert low_col and low_row and high_col and high_row
        return sum(
            (cell_value(sheet, sheet.cell(row=r, column=c).coordinate, depth + 1)
             for r in range(low_row, high_row + 1) for c in range(low_col, high_col + 1)),
            Decimal(0),
        )
    text = match.group(2)
    if text[0].isdigit():
        return Decimal(text)
    coordinate_from_string(text)  # a malformed reference raises here
    return cell_value(sheet, text, depth + 1)
