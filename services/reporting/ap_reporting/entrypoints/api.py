"""HTTP API of the reporting service: ``python -m ap_reporting.entrypoints.api``.

  GET /v1/reports/weekly/{home_school_id}?week_of=YYYY-MM-DD       home school (exact, pupil_ref only)
  GET /v1/reports/partnership/{partnership_id}?period=2024/25-spring partnership, LA (suppressed)
  GET /v1/reports/annual?academic_year=2024/25                      LA (suppressed)
  GET /v1/reports/strategy?from_year=2022/23&to_year=2024/25        LA, Schools Forum (suppressed)

Each takes ``format=json`` (default) or ``format=csv``. Every call is authorised and audited through
``ap_runtime.access``. Environment: ``entrypoints.settings``.

The weekly report stays with the home school, which is responsible for its pupils: exact counts for
any week. The other three leave the organisation: they are published only for the fixed periods
each offers (``domain.periods``, rules report.fixed_period and report.year_range_limit) and every
count goes through the shared suppression. A request naming any other parameter (``first_day``,
``last_day``: an arbitrary window) or a period the report does not offer is refused with 422 naming
the field, the rule and the allowed periods, before anything is read.
"""

# No ``from __future__ import annotations``: FastAPI reads the handlers' annotations at runtime.
from collections.abc import Callable
from datetime import date
from typing import Annotated, Literal

import asyncpg
from fastapi import Depends, FastAPI, Query, Request, Response
from pydantic import BaseModel

from ap_reporting.adapters.csv_render import tables_csv, weekly_csv
from ap_reporting.application import reports
from ap_reporting.domain.actions import (
    READ_ANNUAL_REPORT,
    READ_PARTNERSHIP_REPORT,
    READ_STRATEGY_REPORT,
    READ_WEEKLY_REPORT,
)
from ap_reporting.domain.errors import FixedPeriodRequired
from ap_reporting.domain.periods import OFFERED, allowed_text, parse_period, year_range
from ap_reporting.domain.vocabulary import school_week
from ap_reporting.entrypoints.bootstrap import ApiDeps, bootstrap
from ap_reporting.entrypoints.problems import install_reporting_problems
from ap_reporting.entrypoints.settings import ReportingSettings
from ap_reporting.projections.facts_reader import PostgresFactsReader
from ap_runtime.access import ResourceContext
from ap_runtime.access.fastapi import CallerDep, GuardDep, HeadersDep, install_access
from ap_runtime.http import install_edge
from ap_runtime.http.downloads import attachment
from ap_runtime.http.lifespan import api_with_deps
from ap_runtime.http.serve import serve_api

Format = Literal["json", "csv"]


def _pool(request: Request) -> asyncpg.Pool:
    pool: asyncpg.Pool = request.app.state.reporting_pool
    return pool


PoolDep = Annotated[asyncpg.Pool, Depends(_pool)]


def _csv(body: str, name: str) -> Response:
    return attachment(body, "text/csv", f"{name}.csv")


def _fixed_periods_only(report: str, parameters: frozenset[str]) -> Callable[[Request], None]:
    """Refuse any query parameter the report does not take: an arbitrary window (``first_day``,
    ``last_day``) must not be quietly ignored, the caller would think it had been applied."""
    def check(request: Request) -> None:
        for name in request.query_params:
            if name not in parameters:
                raise FixedPeriodRequired(
                    name, f"{name} is not a parameter of this report, which is published only for fixed periods",
                    allowed_text(OFFERED[report]))
    return check


PartnershipQuery = Depends(_fixed_periods_only("termly_partnership", frozenset({"period", "format"})))
AnnualQuery = Depends(_fixed_periods_only("la_annual", frozenset({"academic_year", "format"})))
StrategyQuery = Depends(_fixed_periods_only("exclusion_strategy", frozenset({"from_year", "to_year", "format"})))


def _routes(app: FastAPI) -> None:
    @app.get("/v1/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/v1/reports/weekly/{home_school_id}", response_model=None)
    async def weekly(home_school_id: str, week_of: date, caller: CallerDep, headers: HeadersDep, guard: GuardDep,
                     pool: PoolDep, format: Format = "json") -> Response | BaseModel:
        await guard.check(caller, READ_WEEKLY_REPORT, ResourceContext(home_school_id=home_school_id),
                          purpose=headers.purpose, correlation_id=headers.correlation_id)
        report = await reports.weekly_report(PostgresFactsReader(pool), home_school_id, school_week(week_of))
        return _csv(weekly_csv(report), f"weekly-{home_school_id}-{report.week_start}") if format == "csv" else report

    @app.get("/v1/reports/partnership/{partnership_id}", response_model=None, dependencies=[PartnershipQuery])
    async def partnership(partnership_id: str, period: Annotated[str, Query(max_length=20)], caller: CallerDep,
                          headers: HeadersDep, guard: GuardDep, pool: PoolDep,
                          format: Format = "json") -> Response | BaseModel:
        term = parse_period("period", period, OFFERED["termly_partnership"])
        await guard.check(caller, READ_PARTNERSHIP_REPORT, ResourceContext(partnership_id=partnership_id),
                          purpose=headers.purpose, correlation_id=headers.correlation_id)
        report = await reports.partnership_report(PostgresFactsReader(pool), partnership_id, term.days)
        return _csv(tables_csv(report.tables), f"partnership-{partnership_id}") if format == "csv" else report

    @app.get("/v1/reports/annual", response_model=None, dependencies=[AnnualQuery])
    async def annual(academic_year: Annotated[str, Query(max_length=20)], caller: CallerDep, headers: HeadersDep,
                     guard: GuardDep, pool: PoolDep, format: Format = "json") -> Response | BaseModel:
        parse_period("academic_year", academic_year, OFFERED["la_annual"])
        await guard.check(caller, READ_ANNUAL_REPORT, ResourceContext(),
                          purpose=headers.purpose, correlation_id=headers.correlation_id)
        report = await reports.annual_report(PostgresFactsReader(pool), academic_year)
        return _csv(tables_csv(report.tables), "la-annual") if format == "csv" else report

    @app.get("/v1/reports/strategy", response_model=None, dependencies=[StrategyQuery])
    async def strategy(from_year: Annotated[str, Query(max_length=20)], to_year: Annotated[str, Query(max_length=20)],
                       caller: CallerDep, headers: HeadersDep, guard: GuardDep, pool: PoolDep,
                       format: Format = "json") -> Response | BaseModel:
        years = year_range("from_year", from_year, "to_year", to_year)
        await guard.check(caller, READ_STRATEGY_REPORT, ResourceContext(),
                          purpose=headers.purpose, correlation_id=headers.correlation_id)
        report = await reports.strategy_report(PostgresFactsReader(pool), years)
        return _csv(tables_csv(report.tables), "exclusion-strategy") if format == "csv" else report


def _attach(app: FastAPI, deps: ApiDeps) -> None:
    app.state.reporting_pool = deps.pool
    install_access(app, verifier=deps.verifier, guard=deps.guard)


def create_app(deps: ApiDeps | None = None) -> FastAPI:
    """The API; without ``deps`` it opens its adapters from the environment at startup."""
    app = api_with_deps("AP reporting", deps, bootstrap, _attach, version="1")
    install_reporting_problems(app)
    install_edge(app)
    _routes(app)
    return app


def main() -> None:
    settings = ReportingSettings.from_env()  # a bad value stops here, naming the variable
    serve_api(create_app(), settings)


if __name__ == "__main__":
    main()
