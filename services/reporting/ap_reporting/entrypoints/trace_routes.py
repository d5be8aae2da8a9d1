"""A shown figure of a published report traced to its events (issue 15, provenance):

  GET /v1/reports/annual/trace?academic_year=2024/25&table=permanent_exclusions&row=2024/25&column=primary
  GET /v1/reports/strategy/trace?from_year=2023/24&to_year=2024/25&table=pupils_suspended&row=2024/25&column=primary
  GET /v1/reports/partnership/np-north/trace?period=2024/25-spring&table=placements_by_key_stage&row=KS3&column=...

each answers the figure and the ids of the events it was counted from (``domain/figure_trace.py``: a shown cell
only; a suppressed cell, a total or a cell not in the table is 404 ``report.trace_shown_cells``, alike).
Authorised as ``reporting.trace_figure`` before anything is read, on the same stored facts as the report's read
(a partnership's report: the partnership's id from the path, so its lead traces its own report and no other);
each report's page (``format=html`` or ``pdf``) links each traceable figure here for a caller the policy
allows, and shows no link to anyone else.
"""

# No ``from __future__ import annotations``: FastAPI reads the handlers' annotations at runtime.
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Annotated
from urllib.parse import quote, urlencode

import asyncpg
from fastapi import Depends, FastAPI, Query, Request

from ap_contracts.envelope import utc_now
from ap_reporting.adapters.document_render import TraceHref
from ap_reporting.adapters.exclusions_by_phase import PostgresExclusionsByPhase
from ap_reporting.application.figure_traces import (
    annual_figure_trace,
    partnership_figure_trace,
    strategy_figure_trace,
)
from ap_reporting.domain.actions import TRACE_FIGURE
from ap_reporting.domain.errors import NoTrace
from ap_reporting.domain.figure_trace import FigureTrace, traceable_cells
from ap_reporting.domain.periods import OFFERED, parse_period, year_range
from ap_reporting.domain.published import Table
from ap_reporting.entrypoints.report_moment import MomentDep, ReportMoment, only_parameters
from ap_reporting.projections.facts_reader import PostgresFactsReader
from ap_runtime.access import AccessDenied, Principal, ResourceContext
from ap_runtime.access.fastapi import AccessHeaders, CallerDep, Guard, GuardDep, HeadersDep

TRACE_PATH = "/v1/reports/annual/trace"
STRATEGY_TRACE_PATH = "/v1/reports/strategy/trace"
CELL = frozenset({"table", "row", "column"})
Label = Annotated[str, Query(max_length=80)]
Find = Callable[[asyncpg.Pool, datetime], Awaitable[FigureTrace | None]]
"""Finds the trace on the reporting pool as recorded by a moment."""


def partnership_trace_path(partnership_id: str) -> str:
    return f"/v1/reports/partnership/{quote(partnership_id, safe='')}/trace"


async def trace_links(guard: Guard, caller: Principal, headers: AccessHeaders, context: ResourceContext,
                      tables: Sequence[Table], path: str, period: dict[str, str],
                      moment: ReportMoment) -> TraceHref | None:
    """Where each traceable figure of ``tables`` links to (``path`` with the report's ``period`` parameters), if
    the caller may trace figures of this report; else None (no links)."""
    try:
        await guard.check(caller, TRACE_FIGURE, context, purpose=headers.purpose,
                          correlation_id=headers.correlation_id)
    except AccessDenied:
        return None
    shown = {table.name: traceable_cells(table) for table in tables}
    when = _same_moment(moment)

    def href(table: str, row: str, column: str) -> str | None:
        if (row, column) not in shown.get(table, set()):
            return None
        return f"{path}?{urlencode({**period, 'table': table, 'row': row, 'column': column, **when})}"
    return href


def _same_moment(moment: ReportMoment) -> dict[str, str]:
    """The parameter that gives the trace the page's moment: a moment that has passed, or the day still going on."""
    if moment.recorded_by <= utc_now():
        return {"recorded_by": moment.recorded_by.isoformat()}
    return {"as_at": moment.as_at.isoformat()}


async def _traced(request: Request, caller: Principal, headers: AccessHeaders, guard: Guard,
                  context: ResourceContext, moment: ReportMoment, name: str, find: Find) -> FigureTrace:
    """Authorise, then trace: the same 404 for a hidden cell, a total and a cell not in the report."""
    await guard.check(caller, TRACE_FIGURE, context, purpose=headers.purpose, correlation_id=headers.correlation_id)
    pool: asyncpg.Pool = request.app.state.reporting_pool
    trace = await find(pool, moment.recorded_by)
    if trace is None:
        raise NoTrace("table", f"no figure of the {name} shown at that table, row and column has a trace: "
                      "only a shown cell is traced, never a suppressed cell or a total")
    return trace


def trace_routes(app: FastAPI) -> None:
    """The three trace routes (module docstring)."""
    @app.get(TRACE_PATH, response_model=None,
             dependencies=[Depends(only_parameters(CELL | {"academic_year"}, "la_annual"))])
    async def annual_trace(academic_year: Label, table: Label, row: Label, column: Label, request: Request,
                           caller: CallerDep, headers: HeadersDep, guard: GuardDep,
                           moment: MomentDep) -> FigureTrace:
        parse_period("academic_year", academic_year, OFFERED["la_annual"])
        return await _traced(request, caller, headers, guard, ResourceContext(), moment, "annual report",
                             lambda pool, at: annual_figure_trace(PostgresFactsReader(pool, at), academic_year, table,
                                                                  row, column))

    @app.get(STRATEGY_TRACE_PATH, response_model=None,
             dependencies=[Depends(only_parameters(CELL | {"from_year", "to_year"}, "exclusion_strategy"))])
    async def strategy_trace(from_year: Label, to_year: Label, table: Label, row: Label, column: Label,
                             request: Request, caller: CallerDep, headers: HeadersDep, guard: GuardDep,
                             moment: MomentDep) -> FigureTrace:
        years = year_range("from_year", from_year, "to_year", to_year)
        return await _traced(request, caller, headers, guard, ResourceContext(), moment, "exclusion strategy tables",
                             lambda pool, at: strategy_figure_trace(PostgresExclusionsByPhase(pool, at), years,
                                                                    (table, row, column)))

    @app.get("/v1/reports/partnership/{partnership_id}/trace", response_model=None,
             dependencies=[Depends(only_parameters(CELL | {"period"}, "termly_partnership"))])
    async def partnership_trace(partnership_id: str, period: Label, table: Label, row: Label, column: Label,
                                request: Request, caller: CallerDep, headers: HeadersDep, guard: GuardDep,
                                moment: MomentDep) -> FigureTrace:
        term = parse_period("period", period, OFFERED["termly_partnership"])
        return await _traced(request, caller, headers, guard, ResourceContext(partnership_id=partnership_id), moment,
                             "termly partnership report",
                             lambda pool, at: partnership_figure_trace(PostgresFactsReader(pool, at), partnership_id,
                                                                       term.days, (table, row, column)))
