"""Column headings, row labels, chart legends and chart categories in people's words (issue 15 follow-up): the HTML
page, the PDF made from it and the workbook head a column ``alternative_provision`` as "Alternative provision" and
``not recorded`` as "Not recorded", label a row ``KS3`` "Key stage 3" and an end reason's code in words, and the
chart's legend and categories say the same; the JSON model and the CSV keep the codes (what machines join
on and an edition's figures are compared by), so both are checked here too."""

from __future__ import annotations

import io
import subprocess  # nosec B404 - poppler's pdftotext on a file this test wrote
from datetime import date
from pathlib import Path

from openpyxl import load_workbook

from ap_reporting.adapters.csv_render import tables_csv
from ap_reporting.adapters.document_render import partnership_document
from ap_reporting.adapters.xlsx_render import HEADING_ROW, tables_workbook
from ap_reporting.domain.partnership import PartnershipReport
from ap_reporting.domain.published import publish
from ap_runtime.documents import bar_chart_svg, render_html, render_pdf

COLUMNS = ["alternative_provision", "not recorded", "KS3"]
WORDS = ["Alternative provision", "Not recorded", "Key stage 3"]
ROW_CODES = ["KS3", "reintegrated_to_home_school", "all"]
ROW_WORDS = ["Key stage 3", "Reintegrated to home school", "All"]


def _report(rows: tuple[str, ...] = ("2023/24", "2024/25")) -> PartnershipReport:
    counts = {(row, column): 10 + i for i, (row, column) in enumerate((r, c) for r in rows for c in COLUMNS)}
    table, _ = publish("pupils_by_phase", "Pupils by phase", "pupils", list(rows), COLUMNS, counts)
    return PartnershipReport(partnership_id="np-north", period_start=date(2024, 1, 1), period_end=date(2024, 3, 28),
                             tables=(table,))


def test_the_page_heads_its_columns_and_its_legend_in_words() -> None:
    page = render_html(partnership_document(_report()))
    head = page.split("<thead>", 1)[1].split("</thead>", 1)[0]
    assert all(f">{words}<" in head for words in WORDS), head
    assert "alternative_provision" not in page and ">not recorded<" not in page
    [section] = partnership_document(_report()).sections
    legend = bar_chart_svg(section.charts[0])
    assert all(f">{words}</text>" in legend for words in WORDS)


def test_the_pdf_heads_its_columns_in_words(tmp_path: Path) -> None:
    path = tmp_path / "report.pdf"
    path.write_bytes(render_pdf(partnership_document(_report())))
    text = " ".join(subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,  # nosec B603, B607 - fixed poppler command
                                   capture_output=True, text=True).stdout.split())
    assert "Alternative provision" in text and "Key stage 3" in text
    assert "alternative_provision" not in text


def test_the_workbook_heads_its_columns_in_words() -> None:
    book = load_workbook(io.BytesIO(tables_workbook(_report().tables, [])))
    sheet = book["pupils_by_phase"]
    assert [sheet.cell(row=HEADING_ROW, column=c).value for c in range(2, 5)] == WORDS


def test_json_and_csv_keep_the_codes_machines_join_on() -> None:
    report = _report()
    assert report.tables[0].column_labels == tuple(COLUMNS)
    lines = tables_csv(report.tables).splitlines()
    assert "pupils_by_phase,pupils,2023/24,alternative_provision,10" in lines
    assert not any("Alternative provision" in line for line in lines)


def test_the_page_labels_its_rows_and_its_chart_categories_in_words() -> None:
    document = partnership_document(_report(tuple(ROW_CODES)))
    body = render_html(document).split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    assert [f'<th scope="row">{words}</th>' in body for words in ROW_WORDS] == [True] * len(ROW_WORDS), body
    assert not any(f">{code}<" in body for code in ROW_CODES)
    [section] = document.sections
    assert section.charts[0].categories == tuple(ROW_WORDS)
    chart = bar_chart_svg(section.charts[0])
    assert all(f">{words}</text>" in chart for words in ROW_WORDS) and ">KS3<" not in chart


def test_the_pdf_and_the_workbook_label_their_rows_in_words(tmp_path: Path) -> None:
    report = _report(tuple(ROW_CODES))
    path = tmp_path / "report.pdf"
    path.write_bytes(render_pdf(partnership_document(report)))
    lines = [" ".join(line.split()) for line in subprocess.run(  # nosec B603, B607 - fixed poppler command
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True).stdout.splitlines()]
    table = report.tables[0]
    for words, cells, total in zip(ROW_WORDS, table.cells, table.row_totals, strict=True):
        assert f"{words} {' '.join(str(v) for v in (*cells, total))}" in lines, lines  # the row in words, figures
    assert not any("reintegrated_to_home_school" in line or line.startswith("KS3") for line in lines)
    sheet = load_workbook(io.BytesIO(tables_workbook(report.tables, [])))["pupils_by_phase"]
    assert [sheet.cell(row=HEADING_ROW + 1 + i, column=1).value for i in range(3)] == ROW_WORDS


def test_json_and_csv_keep_the_row_codes() -> None:
    report = _report(tuple(ROW_CODES))
    assert report.tables[0].row_labels == tuple(ROW_CODES)
    lines = tables_csv(report.tables).splitlines()
    assert "pupils_by_phase,pupils,reintegrated_to_home_school,alternative_provision,13" in lines
    assert not any("Key stage 3" in line or "Reintegrated" in line for line in lines)
