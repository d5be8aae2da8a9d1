"""The report and budget pages' charts, rendered as the pages render them (unit, no server): a table whose every
figure is withheld draws no empty plot but says in words that its figures are suppressed; a budget of nothing
but zeros says so instead of an axis of 0 to 1; a chart with figures is drawn with what it does not draw named
(issue 15: the pages drew ``bar_chart_svg`` directly, an empty plot when every figure was suppressed); column
headings and the legend are in words (``alternative_provision`` is "Alternative provision")."""

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
