"""The report and budget pages' charts, rendered as the pages render them (unit, no server): a table whose every
figure is withheld draws no empty plot but says in words that its figures are suppressed; a budget of nothing
but zeros says so instead of an axis of 0 to 1; a chart with figures is drawn with what it does not draw named
(issue 15: the pages drew ``bar_chart_svg`` directly, an empty plot when every figure was suppressed); column
headings and the legend are in words (``alternative_provision`` is "Alternative provision"). The Partnership
lead's termly page links its annual report to stakeholders, whose page offers every download from its own address
and says when the year's narrative is not published yet (issue 15, seed 001 appendix 3)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from ap_web.journeys import finance, partnership
from ap_web.journeys import partnership_reports as reports
from ap_web.pages import Pages
from ap_web.refusals import error_links, error_messages

PLOT = 'aria-labelledby="chart-title"'
"""The chart's SVG (the layout's crown logo is an SVG too)."""


def _pages() -> Pages:
    return Pages((), {"error_links": error_links, "error_messages": error_messages,
                      **partnership.JOURNEY.template_globals, **finance.JOURNEY.template_globals})


def _request(path: str) -> Request:
    return Request({"type": "http", "method": "GET", "path": path, "headers": [], "query_string": b"",
                    "session": {}})


def _report_page(cells: list[list[str]], columns: tuple[str, str] = ("KS3", "KS4")) -> str:
    table: dict[str, Any] = {"title": "Pupils served", "unit": "pupils", "row_labels": ["Autumn"],
                             "column_labels": list(columns), "cells": cells,
                             "row_totals": ["c"], "column_totals": cells[0], "grand_total": "c"}
    report = partnership.PARTNERSHIP
    page = _pages().render(_request("/reports/partnership"), "partnership/report.html", report=report,
                           here="/reports/partnership", body={"tables": [table], "notes": []}, tables=[table],
                           values=report.defaults(), fields=report.template_fields(), errors=[],
                           chart=reports.table_chart(table), terms=reports.TERMS, bands=reports.BANDS,
                           year_label=reports.year_label)
    return bytes(page.body).decode()


def test_a_report_table_with_every_figure_suppressed_draws_no_plot_and_says_why() -> None:
    text = _report_page([["c", "c"]])
    assert PLOT not in text
    assert "All figures in this chart are suppressed because each counts 1 or 2 pupils" in text
    assert "Pupils served (pupils)" in text


def test_a_report_table_with_a_figure_draws_its_bar_and_names_the_suppressed_one_in_words() -> None:
    text = _report_page([["c", "12"]])
    assert text.count(PLOT) == 1
    assert "Not drawn as bars: Key stage 3, Autumn (suppressed, shown as c" in text


def test_the_report_page_heads_its_columns_and_legend_in_words_not_codes() -> None:
    text = _report_page([["4", "12"]], ("alternative_provision", "not recorded"))
    assert '--numeric">Alternative provision</th>' in text and '--numeric">Not recorded</th>' in text
    assert ">Alternative provision</text>" in text and ">Not recorded</text>" in text  # the chart's legend
    assert "alternative_provision" not in text


def _budget_page(lines: list[dict[str, Any]]) -> str:
    budget = {"provision_id": "prov-north", "financial_year": "2026-27", "total_pence": 0,
              "signature_threshold_pence": 2_500_000, "closed": False}
    page = _pages().render(_request("/finance/prov-north/2026-27"), "finance/budget.html", budget=budget,
                           lines=lines, chart=finance.spend_chart(lines) if lines else "")
    return bytes(page.body).decode()


def test_a_budget_of_nothing_but_zeros_draws_no_plot_and_says_so() -> None:
    line = {"line_id": "l1", "category": "staffing", "revised_pence": 0, "spent_pence": 0, "budget_pence": 0,
            "committed_pence": 0, "remaining_pence": 0, "funding_source": "dsg_allocation"}
    text = _budget_page([line])
    assert PLOT not in text
    assert "No chart is drawn: every figure in it is 0." in text
    assert PLOT in _budget_page([{**line, "revised_pence": 100_000}])


def _annual_page(draft: bool) -> str:
    report, here = partnership.PARTNERSHIP_ANNUAL, "/reports/partnership/np-1/annual"
    table: dict[str, Any] = {"title": "Pupils served, by sex", "unit": "pupils", "row_labels": ["pupils"],
                             "column_labels": ["female", "male"], "cells": [["4", "5"]], "row_totals": ["9"],
                             "column_totals": ["4", "5"], "grand_total": "9"}
    page = _pages().render(_request(here), "partnership/report.html", report=report, here=here,
                           body={"tables": [table], "notes": ["Counts only."]}, tables=[table],
                           values={"year": "2024-25"}, fields=report.template_fields(), errors=[],
                           chart=reports.table_chart(table), terms=reports.TERMS, bands=reports.BANDS,
                           year_label=reports.year_label, draft=draft,
                           related=("/reports/partnership/np-1", partnership.PARTNERSHIP.title))
    return bytes(page.body).decode()


def test_the_annual_report_page_offers_every_download_from_its_own_address() -> None:
    text = _annual_page(draft=False)
    assert "<h1 class=\"govuk-heading-l\">Partnership annual report to stakeholders</h1>" in text
    for fmt in reports.FORMATS:
        assert f'href="/reports/partnership/np-1/annual/download?year=2024-25&amp;format={fmt}"' in text
    assert 'href="/reports/partnership/np-1">Termly partnership report</a>' in text
    assert "is not published yet" not in text


def test_the_annual_report_page_says_when_the_narrative_is_not_published_yet() -> None:
    assert "The partnership\'s narrative for this year is not published yet" in _annual_page(draft=True).replace(
        "&#39;", "\'")


def test_the_annual_report_is_asked_of_the_service_with_the_offered_year_in_its_path() -> None:
    report = partnership.PARTNERSHIP_ANNUAL
    assert (report.tail({"year": "2024-25"}), report.params({"year": "2024-25"})) == ("/annual-report/2024-25", {})
    assert partnership.PARTNERSHIP.tail(partnership.PARTNERSHIP.defaults()) == ""
    assert report.stem({"year": "2024-25"}) == "partnership-annual-report-2024-25"


def test_the_partnership_lead_has_the_annual_report_as_a_task() -> None:
    tasks = {task.href: task for task in partnership.JOURNEY.tasks}
    assert tasks["/reports/partnership-annual"].roles == partnership.PARTNERSHIP_READERS
