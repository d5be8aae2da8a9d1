"""HTTP API of the reporting service: ``python -m ap_reporting.entrypoints.api``.

  GET /v1/reports/weekly/{home_school_id}?week_of=YYYY-MM-DD       home school (exact, pupil_ref only)
  GET /v1/reports/partnership/{partnership_id}?period=2024/25-spring partnership, LA (suppressed)
  GET /v1/reports/annual?academic_year=2024/25                      LA (suppressed)
  GET /v1/reports/strategy?from_year=2022/23&to_year=2024/25        LA, Schools Forum (suppressed)
  GET /v1/reports/schools-forum?from_year=2012/13&to_year=2014/15  LA, Schools Forum (suppressed): panel
                                    referrals and Fair Access bands (``entrypoints.schools_forum_routes``)
  GET /v1/reports/partnership/{partnership_id}/annual-report/2024-25  the partnership's annual report to its
                                    stakeholders: partnership, LA (``entrypoints.partnership_annual_routes``)
  GET /v1/reports/engagement/{provision_id}?term=2024/25-spring     the provision (term averages, trip list)
  GET /v1/reports/achievement-board/{provision_id}?term=2024/25-spring  the provision alone (seed 002 s.5.3)

Each takes ``as_at=YYYY-MM-DD`` (or ``recorded_by``, a moment; default today): the report holds only the facts
recorded by then, so asking again for the same period and day gives the same bytes (``report_moment``,
rule report.as_at; the ``Report-As-At`` and ``Report-Recorded-By`` headers say which). A parameter a report
does not take is refused (report.known_parameters). The partnership, annual, strategy and Schools Forum reports
are published with ``POST .../publications`` (``publish_routes``: ``ReportPublished`` with the positions read).

Each takes ``format=json`` (default) or ``format=csv``; the partnership, annual, strategy and Schools Forum
reports also ``format=xlsx``, ``format=html`` (a page) or ``format=pdf`` (the same page as a PDF), issue 15. Every call
is authorised and audited through ``ap_runtime.access``. Environment: ``entrypoints.settings``.

The weekly report stays with the home school, which is responsible for its pupils: exact counts for
any week. The other three leave the organisation: they are published only for the fixed periods
each offers (``domain.periods``, rules report.fixed_period and report.year_range_limit) and every
count goes through the shared suppression. A request naming any other parameter (``first_day``,
``last_day``: an arbitrary window) or a period the report does not offer is refused with 422 naming
the field, the rule and the allowed periods, before anything is read.
"""

# No ``from __future__ import annotations``: FastAPI reads the handlers' annotations at runtime.
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Annotated, Literal

import asyncpg
from fastapi import Depends, FastAPI, Query, Request, Response
from pydantic import BaseModel

from ap_reporting.adapters.csv_render import weekly_csv
from ap_reporting.adapters.document_render import annual_document, partnership_document, strategy_document
from ap_reporting.adapters.exclusions_by_phase import PostgresExclusionsByPhase
from ap_reporting.application import reports
from ap_reporting.domain.actions import (
    READ_ACHIEVEMENT_BOARD,
    READ_ANNUAL_REPORT,
    READ_ENGAGEMENT_TERM,
    READ_PARTNERSHIP_REPORT,
    READ_STRATEGY_REPORT,
    READ_WEEKLY_REPORT,
)
from ap_reporting.domain.annual_trace import STRATEGY_TRACED
from ap_reporting.domain.engagement import EngagementRuleBook
from ap_reporting.domain.periods import OFFERED, PeriodKind, parse_period, year_range
from ap_reporting.domain.vocabulary import Period, school_week
from ap_reporting.entrypoints.bootstrap import ApiDeps, bootstrap
from ap_reporting.entrypoints.document_formats import DocumentFormat, answer, published
from ap_reporting.entrypoints.partnership_annual_routes import PARAMETERS as PARTNERSHIP_ANNUAL_PARAMETERS
from ap_reporting.entrypoints.partnership_annual_routes import partnership_annual_routes
from ap_reporting.entrypoints.problems import install_reporting_problems
from ap_reporting.entrypoints.publish_routes import (
    ANNUAL_PARAMETERS,
    PARTNERSHIP_PARAMETERS,
    STRATEGY_PARAMETERS,
    publish_routes,
)
from ap_reporting.entrypoints.report_moment import MomentDep, ReportMoment, only_parameters
from ap_reporting.entrypoints.schools_forum_routes import PARAMETERS as SCHOOLS_FORUM_PARAMETERS
from ap_reporting.entrypoints.schools_forum_routes import schools_forum_routes
from ap_reporting.entrypoints.settings import ReportingSettings
from ap_reporting.entrypoints.trace_routes import (
    STRATEGY_TRACE_PATH,
    TRACE_PATH,
    partnership_trace_path,
    trace_links,
    trace_routes,
)
from ap_reporting.projections.facts_reader import PostgresFactsReader
from ap_runtime.access import ResourceContext
from ap_runtime.access.fastapi import CallerDep, GuardDep, HeadersDep
from ap_runtime.http.downloads import attachment
from ap_runtime.http.serve import serve_api
from ap_runtime.http.service_api import guarded_api

Format = Literal["json", "csv"]


def _pool(request: Request) -> asyncpg.Pool:
    pool: asyncpg.Pool = request.app.state.reporting_pool
    return pool


PoolDep = Annotated[asyncpg.Pool, Depends(_pool)]


def _csv(body: str, name: str) -> Response:
    return attachment(body, "text/csv", f"{name}.csv")


def _reader(pool: asyncpg.Pool, moment: ReportMoment) -> PostgresFactsReader:
    return PostgresFactsReader(pool, moment.recorded_by)


PAGES = frozenset({"html", "pdf"})  # the formats a figure's trace is linked from
PartnershipQuery = Depends(only_parameters(PARTNERSHIP_PARAMETERS, "termly_partnership"))
AnnualQuery = Depends(only_parameters(ANNUAL_PARAMETERS, "la_annual"))
TermQuery = Annotated[str, Query(max_length=20, description="A term: 2024/25-autumn, -spring or -summer")]
StrategyQuery = Depends(only_parameters(STRATEGY_PARAMETERS, "exclusion_strategy"))
WeeklyQuery = Depends(only_parameters(frozenset({"week_of", "format"})))
ProvisionQuery = Depends(only_parameters(frozenset({"term"})))


def _routes(app: FastAPI) -> None:
    # issue 15, seed 004: panel referrals, Fair Access and reasons (LA, Schools Forum)
    schools_forum_routes(app, Depends(only_parameters(SCHOOLS_FORUM_PARAMETERS, "exclusion_strategy")))
    publish_routes(app)
    # issue 15, seed 001 appendix 3: the partnership's annual report (figures, narrative, Budget Summary)
    partnership_annual_routes(app, Depends(only_parameters(PARTNERSHIP_ANNUAL_PARAMETERS, "la_annual")))
    trace_routes(app)  # issue 15: a shown figure of the annual, strategy or partnership page traced to its events

    @app.get("/v1/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/v1/reports/weekly/{home_school_id}", response_model=None, dependencies=[WeeklyQuery])
    async def weekly(home_school_id: str, week_of: date, caller: CallerDep, headers: HeadersDep, guard: GuardDep,
                     pool: PoolDep, moment: MomentDep, response: Response,
                     format: Format = "json") -> Response | BaseModel:
        await guard.check(caller, READ_WEEKLY_REPORT, ResourceContext(home_school_id=home_school_id),
                          purpose=headers.purpose, correlation_id=headers.correlation_id)
        report = await reports.weekly_report(_reader(pool, moment), home_school_id, school_week(week_of))
        body = _csv(weekly_csv(report), f"weekly-{home_school_id}-{report.week_start}") if format == "csv" else report
        return answer(body, moment, response)

    @app.get("/v1/reports/partnership/{partnership_id}", response_model=None, dependencies=[PartnershipQuery])
    async def partnership(partnership_id: str, period: Annotated[str, Query(max_length=20)], caller: CallerDep,
                          headers: HeadersDep, guard: GuardDep, pool: PoolDep, moment: MomentDep,
                          response: Response, format: DocumentFormat = "json") -> Response | BaseModel:
        term = parse_period("period", period, OFFERED["termly_partnership"])
        await guard.check(caller, READ_PARTNERSHIP_REPORT, ResourceContext(partnership_id=partnership_id),
                          purpose=headers.purpose, correlation_id=headers.correlation_id)
        report = await reports.partnership_report(_reader(pool, moment), partnership_id, term.days)
        trace = await trace_links(guard, caller, headers, ResourceContext(partnership_id=partnership_id),
                                  report.tables, partnership_trace_path(partnership_id), {"period": term.code},
                                  moment) if format in PAGES else None
        return answer(await published(report, report.tables, lambda: partnership_document(report, trace), format,
                                        f"partnership-{partnership_id}", moment), moment, response)

    @app.get("/v1/reports/annual", response_model=None, dependencies=[AnnualQuery])
    async def annual(academic_year: Annotated[str, Query(max_length=20)], caller: CallerDep, headers: HeadersDep,
                     guard: GuardDep, pool: PoolDep, moment: MomentDep, response: Response,
                     format: DocumentFormat = "json") -> Response | BaseModel:
        parse_period("academic_year", academic_year, OFFERED["la_annual"])
        await guard.check(caller, READ_ANNUAL_REPORT, ResourceContext(),
                          purpose=headers.purpose, correlation_id=headers.correlation_id)
        report = await reports.annual_report(_reader(pool, moment), academic_year)
        trace = await trace_links(guard, caller, headers, ResourceContext(), report.tables, TRACE_PATH,
                                  {"academic_year": academic_year}, moment) if format in PAGES else None
        return answer(await published(report, report.tables, lambda: annual_document(report, trace), format,
                                        "la-annual", moment), moment, response)

    @app.get("/v1/reports/strategy", response_model=None, dependencies=[StrategyQuery])
    async def strategy(from_year: Annotated[str, Query(max_length=20)], to_year: Annotated[str, Query(max_length=20)],
                       caller: CallerDep, headers: HeadersDep, guard: GuardDep, pool: PoolDep, moment: MomentDep,
                       response: Response, format: DocumentFormat = "json") -> Response | BaseModel:
        years = year_range("from_year", from_year, "to_year", to_year)
        await guard.check(caller, READ_STRATEGY_REPORT, ResourceContext(),
                          purpose=headers.purpose, correlation_id=headers.correlation_id)
        report = await reports.strategy_report(PostgresExclusionsByPhase(pool, moment.recorded_by), years)
        traced = [t for t in report.tables if t.name in STRATEGY_TRACED]  # the rolls and rates have no trace
        trace = await trace_links(guard, caller, headers, ResourceContext(), traced, STRATEGY_TRACE_PATH,
                                  {"from_year": from_year, "to_year": to_year}, moment) if format in PAGES else None
        return answer(await published(report, report.tables, lambda: strategy_document(report, trace), format,
                                        "exclusion-strategy", moment), moment, response)

    # Issue 14, seed 002 sections 5.1 and 5.3: internal to the provision (policy RPT-ENG-1 and RPT-ENG-2).
    _provision_term_read(app, "/v1/reports/engagement/{provision_id}", READ_ENGAGEMENT_TERM,
                         reports.engagement_term_report)
    _provision_term_read(app, "/v1/reports/achievement-board/{provision_id}", READ_ACHIEVEMENT_BOARD,
                         reports.achievement_board_report)


ProvisionTermReport = Callable[[PostgresFactsReader, str, str, Period, EngagementRuleBook], Awaitable[BaseModel]]


def _provision_term_read(app: FastAPI, path: str, action: str, build: ProvisionTermReport) -> None:
    """A provision's own read for one term of the fixed calendar (a bad term: 422 report.fixed_period)."""
    @app.get(path, response_model=None, dependencies=[ProvisionQuery])
    async def read(provision_id: str, term: TermQuery, request: Request, caller: CallerDep, headers: HeadersDep,
                   guard: GuardDep, pool: PoolDep, moment: MomentDep, response: Response) -> Response | BaseModel:
        period = parse_period("term", term, (PeriodKind.TERM,))
        await guard.check(caller, action, ResourceContext(provision_id=provision_id),
                          purpose=headers.purpose, correlation_id=headers.correlation_id)
        rules: EngagementRuleBook = request.app.state.engagement_rules
        return answer(await build(_reader(pool, moment), provision_id, period.code, period.days, rules), moment,
                       response)


def _keep(app: FastAPI, deps: ApiDeps) -> None:
    app.state.reporting_pool = deps.pool
    app.state.engagement_rules = deps.engagement_rules


def create_app(deps: ApiDeps | None = None) -> FastAPI:
    """The API; without ``deps`` it opens its adapters from the environment at startup."""
    return guarded_api("AP reporting", deps, bootstrap, _keep, problems=install_reporting_problems, routes=_routes)


def main() -> None:
    settings = ReportingSettings.from_env()  # a bad value stops here, naming the variable
    serve_api(create_app(), settings)


if __name__ == "__main__":
    main()
