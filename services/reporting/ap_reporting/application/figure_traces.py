"""Trace a figure of a report: build the report and the records behind its cells from one snapshot of the facts."""

from __future__ import annotations

from ap_reporting.application.ports import FactsReader
from ap_reporting.domain.annual_trace import trace_annual_figure
from ap_reporting.domain.figure_trace import FigureTrace
from ap_reporting.domain.la_figures import assemble_annual
from ap_reporting.domain.periods import academic_year_period


async def annual_figure_trace(reader: FactsReader, academic_year: str, table: str, row: str,
                              column: str) -> FigureTrace | None:
    """The trace of one shown figure of the LA annual report as the reader sees the facts, or None."""
    async with reader.snapshot() as facts:
        ended = await facts.placements_ended(academic_year_period(academic_year))
        suspensions = await facts.suspensions([academic_year])
        exclusions = await facts.permanent_exclusions([academic_year])
    report = assemble_annual(academic_year, ended, suspensions, exclusions)
    return trace_annual_figure(report, ended, suspensions, exclusions, table, row, column)
