"""A shown figure of the LA annual report traced to its events (issue 15, provenance):

  GET /v1/reports/annual/trace?academic_year=2024/25&table=permanent_exclusions&row=2024/25&column=primary

answers the figure and the ids of the events it was counted from (``domain/figure_trace.py``: a shown cell
only; a suppressed cell, a total or a cell not in the table is 404 ``report.trace_shown_cells``, alike).
Authorised as ``reporting.trace_figure`` before anything is read; the annual page (``format=html`` or
``pdf``) links each traceable figure here for a caller the policy allows, and shows no link to anyone else.
"""

# No ``from __future__ import annotations``: FastAPI reads the handlers' annotations at runtime.
from typing import Annotated
from urllib.parse import urlencode

import asyncpg
from fastapi import Depends, FastAPI, Query, Request

from ap_contracts.envelope import utc_now
from ap_reporting.adapters.document_render import TraceHref
from ap_reporting.application.figure_traces import annual_figure_trace
from ap_reporting.domain.actions import TRACE_FIGURE
from ap_reporting.domain.errors import NoTrace
from ap_reporting.domain.figure_trace import FigureTrace, traceable_cells
from ap_reporting.domain.la_figures import AnnualReport
from ap_reporting.domain.periods import OFFERED, parse_period
from ap_reporting.entrypoints.report_moment import MomentDep, ReportMoment, only_parameters
from ap_reporting.projections.facts_reader import PostgresFactsReader
from ap_runtime.access import AccessDenied, Principal, ResourceContext
from ap_runtime.access.fastapi import AccessHeaders, CallerDep, Guard, GuardDep, HeadersDep

TRACE_PATH = "/v1/reports/annual/trace"
TRACE_PARAMETERS = frozenset({"academic_year", "table", "row", "column"})
Label = Annotated[str, Query(max_length=80)]


async def annual_trace_links(guard: Guard, caller: Principal, headers: AccessHeaders, report: AnnualReport,
                             moment: ReportMoment) -> TraceHref | None:
    """Where each traceable figure of ``report`` links to, if the caller may trace figures; else None (no links)."""
    try:
        await guard.check(caller, TRACE_FIGURE, ResourceContext(), purpose=headers.purpose,
                          correlation_id=headers.correlation_id)
    except AccessDenied:
        return None
    shown = {table.name: traceable_cells(table) for table in report.tables}
    when = _same_moment(moment)

    def href(table: str, row: str, column: str) -> str | None:
        if (row, column) not in shown.get(table, set()):
            return None
        query = {"academic_year": report.academic_year, "table": table, "row": row, "column": column, **when}
        return f"{TRACE_PATH}?{urlencode(query)}"
    return href


def _same_moment(moment: ReportMoment) -> dict[str, str]:
    """The parameter that gives the trace the page's moment: a moment that has passed, or the day still going on."""
    if moment.recorded_by <= utc_now():
        return {"recorded_by": moment.recorded_by.isoformat()}
    return {"as_at": moment.as_at.isoformat()}


def trace_routes(app: FastAPI) -> None:
    @app.get(TRACE_PATH, response_model=None, dependencies=[Depends(only_parameters(TRACE_PARAMETERS, "la_annual"))])
    async def annual_trace(academic_year: Label, table: Label, row: Label, column: Label, request: Request,
                           caller: CallerDep, headers: HeadersDep, guard: GuardDep,
                           moment: MomentDep) -> FigureTrace:
        parse_period("academic_year", academic_year, OFFERED["la_annual"])
        await guard.check(caller, TRACE_FIGURE, ResourceContext(), purpose=headers.purpose,
                          correlation_id=headers.correlation_id)
        pool: asyncpg.Pool = request.app.state.reporting_pool
        trace = await annual_figure_trace(PostgresFactsReader(pool, moment.recorded_by), academic_year,
                                          table, row, column)
        if trace is None:
            raise NoTrace("table", "no figure of the annual report shown at that table, row and column has a trace: "
                          "only a shown cell is traced, never a suppressed cell or a total")
        return trace
