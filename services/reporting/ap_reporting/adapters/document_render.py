"""The published reports as documents (HTML and PDF through ``ap_runtime.documents``).

Rule served (issue 15, "As documents"; STATUTORY.md, small numbers): a document shows the published
tables exactly as the JSON and CSV do, suppressed ``c`` and not-applicable ``z`` included, and its charts
are drawn from those same published cells, so a chart hides what the table hides (a ``c`` draws no
bar). Column headings, row labels, chart legends and chart categories are in people's words
(``ap_runtime.documents.label_words``: ``KS3`` as "Key stage 3", an end reason's code as words); the JSON and CSV
keep the codes, and a figure's trace link still names its cell by the codes. Only counts leave: these reports
hold no pupil, name or date of birth.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal

from ap_reporting.domain.la_figures import AnnualReport, StrategyReport
from ap_reporting.domain.partnership import PartnershipReport
from ap_reporting.domain.published import Table, Value
from ap_reporting.domain.schools_forum_report import SchoolsForumReport
from ap_runtime.documents import BarChart, Document, DocumentTable, Fact, Section, Series, label_words
from ap_runtime.privacy.suppression import SUPPRESSED

TOTAL = "Total"
TraceHref = Callable[[str, str, str], str | None]
"""Where the figure at (table name, row, column) links to, its trace; None for a figure without one."""
MAX_CHART_SERIES = 6  # more bars per group than this are read better from the table


def _shown(value: Value) -> str:
    return f"{value:,}" if isinstance(value, int) else str(value)


def _number(value: Value) -> float | str | None:
    """A cell as a chart draws it: a figure, None for a suppressed ``c``, the marker itself for ``z``."""
    if isinstance(value, int | Decimal):
        return float(value)
    return None if value == SUPPRESSED else value


def _links(table: Table, trace: TraceHref | None) -> tuple[tuple[str | None, ...], ...]:
    """Each row's links, cell by cell: a cell's trace where ``trace`` gives one, never a label or a total."""
    if trace is None:
        return ()
    return tuple((None, *(trace(table.name, label, column) for column in table.column_labels), None)
                 for label in table.row_labels)


def document_table(table: Table, trace: TraceHref | None = None) -> DocumentTable:
    rows = tuple((label_words(label), *(_shown(v) for v in cells), _shown(total))
                 for label, cells, total in zip(table.row_labels, table.cells, table.row_totals, strict=True))
    total = (TOTAL, *(_shown(v) for v in table.column_totals), _shown(table.grand_total))
    headings = ("", *(label_words(column) for column in table.column_labels), TOTAL)
    return DocumentTable(f"{table.title} ({table.unit})", headings, rows, total,
                         links=_links(table, trace))


def _chart(table: Table) -> BarChart | None:
    """Rows as groups and columns as bars, from the published cells; none for a one-row table."""
    if len(table.row_labels) < 2 or len(table.column_labels) > MAX_CHART_SERIES:
        return None
    series = tuple(Series(label_words(column), tuple(_number(row[j]) for row in table.cells))
                   for j, column in enumerate(table.column_labels))
    return BarChart(f"{table.title} ({table.unit})", tuple(label_words(row) for row in table.row_labels), series)


def _sections(tables: Sequence[Table], trace: TraceHref | None = None) -> tuple[Section, ...]:
    sections = []
    for table in tables:
        chart = _chart(table)
        sections.append(Section(table.title, tables=(document_table(table, trace),),
                                charts=(chart,) if chart else ()))
    return tuple(sections)


def _years_fact(years: Sequence[str]) -> Fact:
    return Fact("Academic years", f"{years[0]} to {years[-1]}" if years else "none")


def partnership_document(report: PartnershipReport, trace: TraceHref | None = None) -> Document:
    """The termly page; with ``trace`` each traceable figure links to its trace (``annual_document``)."""
    return Document(title="Termly report to the Neighbourhood Partnership", audience="the Neighbourhood Partnership",
                    facts=(Fact("Partnership", report.partnership_id),
                           Fact("Period", f"{report.period_start:%-d %B %Y} to {report.period_end:%-d %B %Y}")),
                    sections=_sections(report.tables, trace), notes=report.notes)


def annual_document(report: AnnualReport, trace: TraceHref | None = None) -> Document:
    """The annual page; with ``trace`` (a caller allowed to trace figures) each traceable figure links to its trace."""
    return Document(title=f"Local authority annual report, {report.academic_year}", audience="the local authority",
                    facts=(Fact("Academic year", report.academic_year),
                           Fact("Mean length of stay (days)", str(report.mean_length_of_stay_days)),
                           Fact("Reintegration rate (%)", str(report.reintegration_rate_percent))),
                    sections=_sections(report.tables, trace), notes=report.notes)


def strategy_document(report: StrategyReport, trace: TraceHref | None = None) -> Document:
    """The strategy page; with ``trace`` each traceable figure links to its trace (``annual_document``)."""
    return Document(title="Exclusions strategy tables", audience="the local authority and the Schools Forum",
                    facts=(_years_fact(report.academic_years),),
                    sections=_sections(report.tables, trace), notes=report.notes)


def schools_forum_document(report: SchoolsForumReport) -> Document:
    """The Schools Forum's page: the exclusions by phase, panel referrals, Fair Access bands and reasons."""
    bands = "cumulative (up to each day)" if report.cumulative_bands else "exclusive (between the days)"
    return Document(title="Schools Forum tables",
                    audience="the local authority and the Schools Forum",
                    facts=(_years_fact(report.academic_years), Fact("Fair Access bands", bands)),
                    sections=_sections(report.tables), notes=report.notes)
