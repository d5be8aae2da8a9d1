"""Column headings and chart legends in people's words (issue 15 follow-up): the HTML page, the PDF made from it and
the workbook head a column ``alternative_provision`` as "Alternative provision" and ``not recorded`` as "Not
recorded", and the chart's legend says the same; the JSON model and the CSV keep the codes (what machines join
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


def _report() -> PartnershipReport:
    counts = {(row, column): 10 + i for i, (row, column) in enumerate(
        (r, c) for r in ("2023/24", "2024/25") for c in COLUMNS)}
    table, _ = publish("pupils_by_phase", "Pupils by phase", "pupils", ["2023/24", "2024/25"], COLUMNS, counts)
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
