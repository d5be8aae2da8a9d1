"""The shared document layer (issue 15, "As documents"): accessible HTML with no script, text escaped,
tables with captions and scoped headers, charts as SVG that never draw a suppressed figure, and a PDF
made from the same HTML whose pages render and whose text holds the figures."""

from __future__ import annotations

import asyncio
import re
import subprocess  # nosec B404 - poppler's pdftotext on a file this test wrote
from itertools import pairwise
from pathlib import Path

import pytest

from ap_runtime.documents import (
    BarChart,
    Document,
    DocumentTable,
    Fact,
    Section,
    Series,
    bar_chart_svg,
    render_html,
    render_pdf,
    render_pdf_off_loop,
)


def _document(note: str = "Figures are in pounds.") -> Document:
    chart = BarChart("Exclusions by year", ("2022/23", "2023/24", "2024/25"),
                     (Series("Primary", (4.0, 8.0, None)), Series("Secondary", (10.0, 20.0, 15.0))))
    table = DocumentTable("Permanent exclusions by phase", ("Year", "Primary", "Secondary"),
                          (("2022/23", "4", "10"), ("2023/24", "8", "20"), ("2024/25", "c", "15")),
                          ("Total", "c", "45"))
    return Document(title="Exclusions strategy tables", audience="the Schools Forum",
                    facts=(Fact("Years", "2022/23 to 2024/25"),),
                    sections=(Section("Exclusions", paragraphs=("Counted by DfE definitions.",),
                                      tables=(table,), charts=(chart,)),),
                    notes=(note,))


def test_html_has_captioned_tables_with_scoped_headers_and_no_script() -> None:
    page = render_html(_document())
    assert "<caption>Permanent exclusions by phase</caption>" in page
    assert '<th scope="col">Year</th>' in page
    assert '<th scope="row">2022/23</th>' in page
    assert '<tfoot><tr><th scope="row">Total</th>' in page
    assert '<html lang="en-GB">' in page
    assert "<script" not in page.lower()
    assert page.count("<svg") == 1


def test_text_from_a_report_is_escaped_not_run() -> None:
    page = render_html(_document(note='<script>alert("x")</script> & more'))
    assert "<script>" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; more" in page


def test_chart_draws_no_bar_for_a_suppressed_value_and_marks_it_c() -> None:
    svg = bar_chart_svg(_document().sections[0].charts[0])
    bars = re.findall(r'<rect x="[^"]+" y="[^"]+" width="[^"]+" height="([^"]+)" fill="[^"]+"><title>([^<]+)</title>',
                      svg)
    labels = [label for _, label in bars]
    assert "Primary, 2024/25: 8" not in " ".join(labels)
    assert not any(label.startswith("Primary, 2024/25") for label in labels)
    assert '>c</text>' in svg
    heights = {label: float(height) for height, label in bars}
    # Heights are proportional to the values: secondary 2023/24 (20, the largest) is twice 2022/23 (10).
    assert heights["Secondary, 2023/24: 20"] == pytest.approx(2 * heights["Secondary, 2022/23: 10"])
    assert heights["Primary, 2022/23: 4"] == pytest.approx(heights["Secondary, 2023/24: 20"] / 5)


def test_a_chart_or_table_of_the_wrong_shape_is_refused_naming_it() -> None:
    with pytest.raises(ValueError, match="series 'Primary' has 1 values for 2 categories"):
        BarChart("Exclusions", ("a", "b"), (Series("Primary", (1.0,)),))
    with pytest.raises(ValueError, match="table 'Reasons': a row has 1 cells for 2 columns"):
        DocumentTable("Reasons", ("Reason", "Count"), (("Assault",),))


def test_pdf_is_made_from_the_same_html_and_holds_its_text(tmp_path: Path) -> None:
    pdf = render_pdf(_document())
    assert pdf.startswith(b"%PDF-")
    path = tmp_path / "document.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True,  # nosec B603, B607 - fixed poppler command
                          text=True).stdout
    assert "Exclusions strategy tables" in text
    assert "Permanent exclusions by phase" in text
    assert "Exclusions by year" in text  # the chart's caption; its SVG text is drawn into the page too


async def test_a_pdf_is_laid_out_off_the_event_loop() -> None:
    """While the pages are laid out, the loop keeps serving: other coroutines run many times meanwhile."""
    long = Document(title="Long", audience="anyone", facts=(), sections=tuple(
        Section(f"Section {i}", tables=(DocumentTable(f"Table {i}", ("Row", "Value"),
                                                      tuple((f"row {j}", str(j)) for j in range(40))),))
        for i in range(15)))
    ticks = 0
    rendering = asyncio.create_task(render_pdf_off_loop(long))
    while not rendering.done():
        await asyncio.sleep(0.005)
        ticks += 1
    assert (await rendering).startswith(b"%PDF-")
    assert ticks >= 5, f"the loop ran only {ticks} times while the PDF was laid out"


def _all_suppressed() -> Document:
    chart = BarChart("Permanent exclusions by phase", ("2023/24", "2024/25"),
                     (Series("Primary", (None, None)), Series("Secondary", (None, None))))
    return Document(title="Exclusions strategy tables", audience="the Schools Forum", facts=(),
                    sections=(Section("Permanent exclusions", charts=(chart,)),))


def test_a_chart_whose_every_figure_is_suppressed_draws_no_plot_and_says_why_in_words(tmp_path: Path) -> None:
    page = render_html(_all_suppressed())
    assert "<svg" not in page  # no empty plot with an axis of 0 to 1
    assert "<strong>Permanent exclusions by phase</strong>" in page
    assert "All figures in this chart are suppressed because each counts 1 or 2 pupils" in page
    path = tmp_path / "suppressed.pdf"
    path.write_bytes(render_pdf(_all_suppressed()))
    text = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True,  # nosec B603, B607 - fixed poppler command
                          text=True).stdout
    assert "All figures in this chart are suppressed because" in " ".join(text.split())


def test_a_chart_with_some_suppressed_bars_names_them_in_words_under_the_plot() -> None:
    page = render_html(_document())
    assert page.count("<svg") == 1
    assert ('<p class="chart-note">Not drawn as bars: Primary, 2024/25 (suppressed, shown as c, because each '
            "counts 1 or 2 pupils") in page
    assert page.index("</svg>") < page.index('<p class="chart-note">')


def test_a_not_applicable_figure_is_marked_z_and_said_as_such_not_as_suppressed() -> None:
    chart = BarChart("Rates per 100 on roll", ("2023/24", "2024/25"),
                     (Series("Primary", (0.5, "z")), Series("Special", (None, 1.25))))
    assert chart.drawable
    assert chart.in_words == ("Not drawn as bars: Special, 2023/24 (suppressed, shown as c, because each counts 1 or 2 "
                              "pupils, or would let such a count be worked out from the totals (DfE small-numbers "
                              "practice)). Primary, 2024/25 (not applicable, shown as z).")
    svg = bar_chart_svg(chart)
    assert ">z</text>" in svg and ">c</text>" in svg


def test_a_chart_of_every_figure_drawn_says_nothing_more() -> None:
    chart = BarChart("Spend", ("a",), (Series("Budget", (3.0,)),))
    assert chart.in_words is None
    assert '<p class="chart-note">' not in render_html(Document("t", "a", (), (Section("s", charts=(chart,)),)))


def test_legend_names_do_not_overlap_however_long_they_are() -> None:
    names = ("primary", "secondary", "special", "alternative_provision", "not recorded")
    svg = bar_chart_svg(BarChart("Pupils on roll", ("2023/24",), tuple(Series(n, (5.0,)) for n in names)))
    placed = [(float(x), float(y), text) for x, y, text in re.findall(
        r'<text x="([^"]+)" y="([^"]+)" font-size="11" text-anchor="start" fill="#0b0c0c">([^<]+)</text>', svg)]
    assert [text for _, _, text in placed] == list(names)
    for (x, y, text), (next_x, next_y, _) in pairwise(placed):
        assert next_y > y or next_x >= x + 6.2 * len(text), (text, x, next_x)


def test_a_chart_of_zeros_and_suppressed_figures_draws_no_plot_and_says_so() -> None:
    chart = BarChart("Permanent exclusions", ("2023/24",), (Series("Primary", (None,)), Series("Special", (0.0,))))
    assert not chart.drawable
    assert chart.in_words == ("No chart is drawn: every other figure in it is 0. Primary, 2023/24 (suppressed, shown "
                              "as c, because each counts 1 or 2 pupils, or would let such a count be worked out from "
                              "the totals (DfE small-numbers practice)).")
    page = render_html(Document("t", "a", (), (Section("s", charts=(chart,)),)))
    assert "<svg" not in page and "No chart is drawn" in page
    zeros = BarChart("Permanent exclusions", ("2023/24",), (Series("Special", (0.0,)),))
    assert zeros.in_words == "No chart is drawn: every figure in it is 0."


def test_a_chart_of_suppressed_and_not_applicable_figures_says_no_zero_it_does_not_hold() -> None:
    chart = BarChart("Rates", ("2023/24",), (Series("Primary", (None,)), Series("Not recorded", ("z",))))
    assert not chart.drawable and chart.in_words is not None
    assert chart.in_words.startswith("No chart is drawn: Primary, 2023/24 (suppressed")
    assert "is 0" not in chart.in_words
    assert chart.in_words.endswith("Not recorded, 2023/24 (not applicable, shown as z).")
