"""``GET /v1/reports/schools-forum?from_year=2012/13&to_year=2014/15&bands=cumulative`` (issue 15, seed 004).

The Schools Forum's tables: exclusions and suspensions by phase of school with rates per 100 on roll
(the rolls the LA records through commissioning), children referred to the Behaviour and Attendance Panels per
academic year, the Fair Access cases per panel area in the 38/69/100 school-day bands
(``bands=cumulative``, the seed's layout, or ``exclusive``) and exclusions by DfE reason code. The
same audience as the strategy report (action ``reporting.read_strategy_report``: the LA and the
Schools Forum), the same fixed academic years (rules report.fixed_period, report.year_range_limit)
and the shared suppression. The band thresholds (38, 69, 100 school days) are a parameter of the domain
(``fair_access_table(thresholds=...)``) but not of this route: two published tables cut at 38 and at 39
days would subtract to the cases of exactly 38 days, a count suppression never saw; the cumulative and
exclusive layouts of the same bands are both sums of one suppressed table, so that choice is safe to offer.
The day and moment it is as at go back in the ``Report-As-At`` and ``Report-Recorded-By`` headers, as every
report's (``report_moment``); ``publish_routes`` publishes it. ``format`` is ``json`` (default), ``csv``, ``xlsx``,
``html`` or ``pdf`` (``document_formats``), as the strategy tables'; the page and the PDF link no figure to a trace
(the strategy page traces the by-phase figures; no trace covers the commissioning facts behind the rest).
"""

# No ``from __future__ import annotations``: FastAPI reads the handlers' annotations at runtime.
from typing import Annotated, Any, Literal

import asyncpg
from fastapi import FastAPI, Query, Request, Response
from pydantic import BaseModel

from ap_reporting.adapters.document_render import schools_forum_document
from ap_reporting.domain.actions import READ_STRATEGY_REPORT
from ap_reporting.domain.periods import year_range
from ap_reporting.entrypoints.document_formats import DocumentFormat, answer, published
from ap_reporting.entrypoints.report_moment import MomentDep
from ap_reporting.projections.schools_forum_reader import SchoolsForumReader
from ap_runtime.access import ResourceContext
from ap_runtime.access.fastapi import CallerDep, GuardDep, HeadersDep

PARAMETERS = frozenset({"from_year", "to_year", "bands", "format"})
"""The query parameters the report takes; the API refuses any other (``api._fixed_periods_only``)."""


def schools_forum_routes(app: FastAPI, only_its_parameters: Any) -> None:
    """The route; ``only_its_parameters`` is the API's dependency refusing other query parameters (422)."""

    @app.get("/v1/reports/schools-forum", response_model=None, dependencies=[only_its_parameters])
    async def schools_forum(from_year: Annotated[str, Query(max_length=20)],
                            to_year: Annotated[str, Query(max_length=20)], request: Request, caller: CallerDep,
                            headers: HeadersDep, guard: GuardDep, moment: MomentDep, response: Response,
                            bands: Literal["cumulative", "exclusive"] = "cumulative",
                            format: DocumentFormat = "json") -> Response | BaseModel:
        years = year_range("from_year", from_year, "to_year", to_year)
        await guard.check(caller, READ_STRATEGY_REPORT, ResourceContext(),
                          purpose=headers.purpose, correlation_id=headers.correlation_id)
        pool: asyncpg.Pool = request.app.state.reporting_pool
        reader = SchoolsForumReader(pool, moment.recorded_by)  # as at (report.as_at)
        report = await reader.report(years, cumulative=bands == "cumulative")
        result = await published(report, report.tables, lambda: schools_forum_document(report), format,
                                 "schools-forum-panels", moment)
        return answer(result, moment, response)
