"""The records behind each cell of the LA annual report's tables (``la_figures.assemble_annual``) and of the
exclusion strategy tables (``la_figures.assemble_strategy``), for their traces.

Each table's cells are keyed as ``la_figures`` counts them: permanent exclusions that stand (not reinstated) by
year and phase (their record ids); pupils suspended and their days lost by year and phase (the suspensions'
record ids: the events the pupils and days were counted from); placements ended by how they ended and by length
of stay, by phase (the placements' ids). The strategy tables are by phase of school (``schools_forum_phases``):
their cells are keyed by the excluding school's recorded phase. Which cells may be traced is ``figure_trace``'s
decision.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from uuid import UUID

from ap_reporting.domain.facts import PermanentExclusionFact, PlacementFact, SuspensionFact
from ap_reporting.domain.figure_trace import Cell, FigureTrace, TracedTable, trace_figure
from ap_reporting.domain.la_figures import AnnualReport, StrategyReport
from ap_reporting.domain.periods import academic_year_period
from ap_reporting.domain.published import Table
from ap_reporting.domain.schools_forum import PERMANENT, ExclusionReasonFact
from ap_reporting.domain.schools_forum import SUSPENSION as SUSPENSION_KIND
from ap_reporting.domain.schools_forum_phases import SchoolRoll, phase_column, schools_phases
from ap_reporting.domain.vocabulary import phase_of, stay_band

EXCLUSION = "permanent_exclusion_record"
SUSPENSION = "suspension_record"
PLACEMENT = "placement"
Records = dict[str, tuple[str, dict[Cell, list[UUID]]]]


def by_cell(pairs: Iterable[tuple[Cell, UUID | None]]) -> dict[Cell, list[UUID]]:
    """The records grouped by the cell they count in (a pair without a record adds nothing)."""
    found: dict[Cell, list[UUID]] = defaultdict(list)
    for cell, record in pairs:
        if record is not None:
            found[cell].append(record)
    return dict(found)


def traced(tables: Iterable[Table], records: Records) -> list[TracedTable]:
    """The tables that have records behind their cells, each with them."""
    return [TracedTable(table, *records[table.name]) for table in tables if table.name in records]


def _exclusion_records(years: Sequence[str], suspensions: Sequence[SuspensionFact],
                       exclusions: Sequence[PermanentExclusionFact]) -> Records:
    standing = by_cell(((e.academic_year, e.phase.value), e.record_id) for e in exclusions
                       if not e.reinstated and e.academic_year in years)
    suspended = by_cell(((s.academic_year, s.phase.value), s.record_id) for s in suspensions
                        if s.academic_year in years)
    return {"permanent_exclusions": (EXCLUSION, standing), "pupils_suspended": (SUSPENSION, suspended),
            "suspension_days_lost": (SUSPENSION, suspended)}


def annual_traced_tables(report: AnnualReport, placements: Sequence[PlacementFact],
                         suspensions: Sequence[SuspensionFact],
                         exclusions: Sequence[PermanentExclusionFact]) -> list[TracedTable]:
    """The report's tables, each with the records behind its cells (from the facts it was assembled from)."""
    days = academic_year_period(report.academic_year)
    ended = [p for p in placements if p.end_date is not None and p.end_reason is not None and p.end_date in days]
    by_reason = by_cell(((p.end_reason.value, phase_of(p.pupil_key_stage).value), p.placement_id)
                        for p in ended if p.end_reason)
    by_stay = by_cell(((stay_band(p.length_of_stay_days() or 0), phase_of(p.pupil_key_stage).value), p.placement_id)
                      for p in ended)
    records = {**_exclusion_records([report.academic_year], suspensions, exclusions),
               "placements_by_end_reason": (PLACEMENT, by_reason), "length_of_stay": (PLACEMENT, by_stay)}
    return traced(report.tables, records)


STRATEGY_TRACED = frozenset({"permanent_exclusions_by_phase", "suspensions_by_phase", "pupils_suspended_by_phase",
                             "suspension_days_lost_by_phase"})
"""The strategy tables with records behind their cells (not the rolls, nor the rates)."""


def strategy_traced_tables(report: StrategyReport, records: Sequence[ExclusionReasonFact],
                           rolls: Sequence[SchoolRoll]) -> list[TracedTable]:
    """The strategy tables (a row per academic year, a column per phase of school), each with the records behind
    its cells: the exclusions that stand, and the suspensions the pupils, their days and the suspensions were
    counted from (``schools_forum_phases``). Rates and rolls have none."""
    phases = {year: schools_phases(year, rolls) for year in report.academic_years}
    counted = [(f, (f.academic_year, phase_column(f, phases[f.academic_year]))) for f in records
               if f.academic_year in phases and not f.reinstated]
    standing = by_cell((cell, f.record_id) for f, cell in counted if f.kind == PERMANENT)
    suspended = by_cell((cell, f.record_id) for f, cell in counted if f.kind == SUSPENSION_KIND)
    behind: Records = {"permanent_exclusions_by_phase": (EXCLUSION, standing),
                       "suspensions_by_phase": (SUSPENSION, suspended),
                       "pupils_suspended_by_phase": (SUSPENSION, suspended),
                       "suspension_days_lost_by_phase": (SUSPENSION, suspended)}
    return traced(report.tables, {name: behind[name] for name in STRATEGY_TRACED})


def trace_annual_figure(report: AnnualReport, placements: Sequence[PlacementFact],
                        suspensions: Sequence[SuspensionFact], exclusions: Sequence[PermanentExclusionFact],
                        table: str, row: str, column: str) -> FigureTrace | None:
    """The trace of one shown figure of the annual report, or None (``figure_trace.trace_figure``)."""
    return trace_figure(report.report, annual_traced_tables(report, placements, suspensions, exclusions),
                        table, row, column)
