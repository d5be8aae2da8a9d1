"""Spreadsheet cells cannot run as formulas: text beginning with = + - @ tab or CR gets a quote, numbers
stay numbers (OWASP CSV injection; issue 9)."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from ap_runtime.spreadsheet import SafeCsvWriter, neutralise_cell, neutralise_workbook


@pytest.mark.parametrize("text", ["=1+1", "+44 20", "-2+3", "@SUM(A1)", "\tx", "\rx", "=HYPERLINK(\"http://x\")"])
def test_text_a_spreadsheet_would_run_gets_a_leading_quote(text: str) -> None:
    assert neutralise_cell(text) == "'" + text


@pytest.mark.parametrize("value", [-1500, -0.5, Decimal("-15.00"), 0, 7, None, True, "Staffing", "c", "", "a=b"])
def test_numbers_and_ordinary_text_are_unchanged(value: object) -> None:
    assert neutralise_cell(value) == value and type(neutralise_cell(value)) is type(value)


def test_the_csv_writer_neutralises_every_cell() -> None:
    out = io.StringIO()
    SafeCsvWriter(out, lineterminator="\n").writerows([["=cmd", -3, "ok"], ["@x", Decimal("-1.5"), "-y"]])
    assert out.getvalue() == "'=cmd,-3,ok\n'@x,-1.5,'-y\n"


def test_a_workbook_keeps_no_formula_and_its_numbers() -> None:
    book = Workbook()
    sheet = book.active
    sheet["A1"], sheet["B1"], sheet["C1"] = "=1+1", Decimal("-12.34"), "-£12.34"
    neutralise_workbook(book)
    buffer = io.BytesIO()
    book.save(buffer)
    read = load_workbook(io.BytesIO(buffer.getvalue())).active
    assert (read["A1"].value, read["A1"].data_type) == ("'=1+1", "s")
    assert (read["B1"].value, read["B1"].data_type) == (-12.34, "n")
    assert read["C1"].value == "'-£12.34"
