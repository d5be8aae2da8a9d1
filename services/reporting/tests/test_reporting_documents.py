"""The published reports as documents (issue 15, "As documents"; STATUTORY.md small numbers): a page
shows each table's cells exactly as published, c included, and its chart draws no bar for a hidden
cell, so neither the page nor the PDF made from it shows a figure the JSON withholds; the workbook's
totals are formulas only where every figure they add is shown."""

from __future__ import annotations

import io
import re
import subprocess  # nosec B404 - poppler's pdftotext on a file this test wrote
from datetime import date
from decimal import Decimal
from pathlib import Path

from openpyxl import load_workbook

from ap_reporting.adapters.document_render import annual_document, partnership_document
from ap_reporting.adapters.xlsx_render import tables_workbook
from ap_reporting.domain.la_figures import AnnualReport
from ap_reporting.domain.partnership import PartnershipReport
from ap_reporting.domain.published import publish
from ap_runtime.documents import bar_chart_svg, label_words, render_html, render_pdf
from ap_testing.workbook_formulas import cell_value, is_formula

ROWS, COLUMNS = ["violence", "bullying", "theft", "other"], ["1", "2", "3"]
COUNTS = {("violence", "1"): 12, ("violence", "2"): 1, ("violence", "3"): 9,
          ("bullying", "1"): 7, ("bullying", "2"): 15, ("bullying", "3"): 6,
          ("theft", "1"): 5, ("theft", "2"): 8, ("theft", "3"): 11,
          ("other", "1"): 20, ("other", "2"): 30, ("other", "3"): 40}


def _report() -> PartnershipReport:
    table, _ = publish("incidents_by_category_and_severity", "Incidents by category and severity", "incidents",
                       ROWS, COLUMNS, COUNTS)
    return PartnershipReport(partnership_id="np-north", period_start=date(2024, 1, 1),
                             period_end=date(2024, 3, 28), tables=(table,))


def test_page_shows_every_published_cell_and_the_hidden_ones_as_c() -> None:
    report = _report()
    [table] = report.tables
    assert "c" in table.cells[0]  # the 1 is hidden, and at least one more cell with it
    page = render_html(partnership_document(report))
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    shown = [re.findall(r'<td class="num">([^<]*)</td>', row) for row in body.split("</tr>") if "<th" in row]
    assert shown == [[str(v) for v in (*cells, total)] for cells, total in zip(table.cells, table.row_totals,
                                                                              strict=True)]
    assert "Counts of 1 or 2 are shown as c" in page


def test_chart_draws_bars_only_for_published_cells() -> None:
    report = _report()
    [table] = report.tables
    [section] = partnership_document(report).sections
    svg = bar_chart_svg(section.charts[0])
    drawn = re.findall(r"<title>(\d+), (\w+): (\d+)</title>", svg)
    expected = [(column, label_words(row), str(value)) for j, column in enumerate(table.column_labels)
                for row, cells in zip(table.row_labels, table.cells, strict=True)
                if isinstance(value := cells[j], int)]
    assert sorted(drawn) == sorted(expected)
    hidden = sum(1 for cells in table.cells for v in cells if v == "c")
    assert svg.count(">c</text>") == hidden


def test_annual_report_pdf_holds_its_tables_and_figures(tmp_path: Path) -> None:
    report = AnnualReport(academic_year="2023/24", tables=_report().tables,
                          mean_length_of_stay_days=Decimal("61.5"), reintegration_rate_percent="c")
    path = tmp_path / "annual.pdf"
    path.write_bytes(render_pdf(annual_document(report)))
    text = " ".join(subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,  # nosec B603, B607 - fixed poppler command
                                   capture_output=True, text=True).stdout.split())
    assert "Local authority annual report, 2023/24" in text
    assert "Mean length of stay (days) 61.5" in text
    assert "Reintegration rate (%) c" in text
    assert "Incidents by category and severity (incidents)" in text


def test_workbook_keeps_hidden_cells_hidden_and_totals_checkable_only_where_all_is_shown() -> None:
    report = _report()
    [table] = report.tables
    book = load_workbook(io.BytesIO(tables_workbook(report.tables, report.notes)))
    assert book.sheetnames == ["incidents_by_category_and_sever", "Notes"]  # Excel allows 31 characters
    sheet = book["incidents_by_category_and_sever"]
    assert table.cells[3] == (20, 30, 40)  # a row shown whole: its total is a formula below
    assert sheet.freeze_panes == "B5"
    assert [c.value for c in sheet[4]] == [None, "1", "2", "3", "Total"]
    for i, (cells, total) in enumerate(zip(table.cells, table.row_totals, strict=True)):
        row = sheet[5 + i]
        assert [c.value for c in row[1:4]] == list(cells)  # c as text, counts as numbers
        assert all(c.number_format == "#,##0" for c, v in zip(row[1:4], cells, strict=True) if v != "c")
        if "c" in cells:
            assert row[4].value == total  # the published total, not a sum of what is shown
        else:
            assert is_formula(sheet, row[4].coordinate) and cell_value(sheet, row[4].coordinate) == total
    totals = sheet[5 + len(table.row_labels)]
    assert [cell_value(sheet, c.coordinate) if is_formula(sheet, c.coordinate) else c.value
            for c in totals[1:]] == [*table.column_totals, table.grand_total]
    assert "Counts of 1 or 2 are shown as c" in str(book["Notes"]["A1"].value)
