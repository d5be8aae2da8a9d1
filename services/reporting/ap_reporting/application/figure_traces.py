"""Trace a figure of a report: build the report and the records behind its cells from one snapshot of the facts
(the same reads as ``reports`` builds the report from), then ``figure_trace.trace_figure`` on the cell asked."""

from __future__ import annotations

from collections.abc import Sequence

from ap_reporting.application.ports import ExclusionsByPhaseReader, FactsReader
from ap_reporting.domain.annual_trace import strategy_traced_tables, trace_annual_figure
from ap_reporting.domain.figure_trace import FigureTrace, trace_figure
from ap_reporting.domain.la_figures import assemble_annual, assemble_strategy
from ap_reporting.domain.partnership import assemble_partnership
from ap_reporting.domain.partnership_trace import partnership_traced_tables
from ap_reporting.domain.periods import academic_year_period
from ap_reporting.domain.vocabulary import Period

Cell = tuple[str, str, str]
"""The figure asked for: table name, row label, column label."""


async def annual_figure_trace(reader: FactsReader, academic_year: str, table: str, row: str,
                              column: str) -> FigureTrace | None:
    """The trace of one shown figure of the LA annual report as the reader sees the facts, or None."""
    async with reader.snapshot() as facts:
        ended = await facts.placements_ended(academic_year_period(academic_year))
        suspensions = await facts.suspensions([academic_year])
        exclusions = await facts.permanent_exclusions([academic_year])
    report = assemble_annual(academic_year, ended, suspensions, exclusions)
    return trace_annual_figure(report, ended, suspensions, exclusions, table, row, column)


async def strategy_figure_trace(reader: ExclusionsByPhaseReader, years: Sequence[str],
                                cell: Cell) -> FigureTrace | None:
    """The trace of one shown figure of the exclusion strategy tables as the reader sees the facts, or None."""
    records, rolls = await reader.read(years)
    report = assemble_strategy(years, records, rolls)
    return trace_figure(report.report, strategy_traced_tables(report, records, rolls), *cell)


async def partnership_figure_trace(reader: FactsReader, partnership_id: str, term: Period,
                                   cell: Cell) -> FigureTrace | None:
    """The trace of one shown figure of a partnership's termly report as the reader sees the facts, or None."""
    async with reader.snapshot() as facts:
        placements = await facts.placements_of_partnership(partnership_id)
        incidents = await facts.incidents([p.placement_id for p in placements], term)
    report = assemble_partnership(partnership_id, term, placements, incidents)
    return trace_figure(report.report, partnership_traced_tables(report, term, placements, incidents), *cell)
