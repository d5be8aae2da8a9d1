"""A report page or PDF with several charts holds each id once, and each chart is named by its own title.

Rule served (issue 15, "As documents"; WCAG 1.1.1 and 4.1.1): every chart's SVG used one id, ``chart-title``, so a
document of two charts held two elements of that id: invalid HTML, both charts' ``aria-labelledby`` named the first
chart's title for a screen reader, and WeasyPrint warned "Anchor defined twice: 'chart-title'" making the PDF. The
page is parsed (``html.parser``): no id twice, and each ``aria-labelledby`` resolves to the ``<title>`` of its own
SVG, whose text is that chart's title. The PDF made from the page gives no warning of an anchor defined twice.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import date
from html.parser import HTMLParser

import pytest

from ap_reporting.adapters.document_render import partnership_document
from ap_reporting.domain.partnership import PartnershipReport
from ap_reporting.domain.published import publish
from ap_runtime.documents import BarChart, Document, Section, Series, chart_html, render_html, render_pdf

from .test_reporting_documents import COLUMNS, COUNTS, ROWS


class _Ids(HTMLParser):
    """Every id on the page; for each SVG, its ``aria-labelledby`` and its own elements' ids and texts."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.charts: list[tuple[str, dict[str, str]]] = []  # (aria-labelledby, {id in the svg: its text})
        self._open_id: str | None = None
        self._in_svg = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        if tag == "svg":
            self.charts.append((named.get("aria-labelledby") or "", {}))
            self._in_svg = True
        if (element_id := named.get("id")) is not None:
            self.ids.append(element_id)
            self._open_id = element_id
            if self._in_svg:
                self.charts[-1][1][element_id] = ""

    def handle_data(self, data: str) -> None:
        if self._open_id is not None and self._in_svg and self._open_id in self.charts[-1][1]:
            self.charts[-1][1][self._open_id] += data

    def handle_endtag(self, tag: str) -> None:
        self._open_id = None
        self._in_svg = self._in_svg and tag != "svg"


def _parsed(page: str) -> _Ids:
    parser = _Ids()
    parser.feed(page)
    return parser


def _two_chart_report() -> PartnershipReport:
    first, _ = publish("incidents_by_category_and_severity", "Incidents by category and severity", "incidents",
                       ROWS, COLUMNS, COUNTS)
    second, _ = publish("rewards_by_kind", "Rewards by kind", "rewards", ROWS, COLUMNS,
                        {cell: count + 3 for cell, count in COUNTS.items()})
    return PartnershipReport(partnership_id="np-north", period_start=date(2024, 1, 1),
                             period_end=date(2024, 3, 28), tables=(first, second))


def _assert_ids_unique_and_charts_named(page: str, titles: list[str]) -> None:
    parsed = _parsed(page)
    assert [i for i, n in Counter(parsed.ids).items() if n > 1] == []
    assert len(parsed.charts) == len(titles)
    for (labelled_by, own), title in zip(parsed.charts, titles, strict=True):
        assert labelled_by in own, f"{labelled_by!r} is not an element of its own chart"
        assert own[labelled_by] == title


def test_a_report_page_of_two_charts_holds_each_id_once_and_names_each_chart_by_its_title() -> None:
    page = render_html(partnership_document(_two_chart_report()))
    _assert_ids_unique_and_charts_named(page, ["Incidents by category and severity (incidents)",
                                               "Rewards by kind (rewards)"])


def test_two_charts_in_one_section_have_ids_of_their_own() -> None:
    charts = tuple(BarChart(title, ("a", "b"), (Series("Pupils", (3.0, 4.0)),)) for title in ("One", "Two"))
    page = render_html(Document("t", "a", (), (Section("s", charts=charts), Section("u", charts=charts[:1]))))
    _assert_ids_unique_and_charts_named(page, ["One", "Two", "One"])


def test_the_pdf_of_two_charts_defines_no_anchor_twice(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        pdf = render_pdf(partnership_document(_two_chart_report()))
    assert pdf.startswith(b"%PDF")
    assert [r.getMessage() for r in caplog.records if "defined twice" in r.getMessage()] == []


def test_a_chart_id_prefix_that_is_not_a_plain_name_is_refused_naming_it() -> None:
    chart = BarChart("One", ("a",), (Series("Pupils", (3.0,)),))
    assert 'aria-labelledby="chart-title"' in chart_html(chart)  # a page of one chart keeps its id
    with pytest.raises(ValueError, match="chart id prefix '\"><script>'"):
        chart_html(chart, '"><script>')
