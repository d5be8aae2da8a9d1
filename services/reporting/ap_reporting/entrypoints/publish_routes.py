"""Publishing the reports that leave their organisation (issue 15, provenance):

  POST /v1/reports/partnership/{partnership_id}/publications?period=2024/25-spring&as_at=2025-04-30
  POST /v1/reports/annual/publications?academic_year=2024/25&as_at=2025-08-31
  POST /v1/reports/strategy/publications?from_year=2022/23&to_year=2024/25&as_at=2025-08-31
  POST /v1/reports/schools-forum/publications?from_year=2012/13&to_year=2014/15&bands=cumulative&as_at=2025-08-31

each with the body ``{"command_id": "<uuid>"}`` (a repeated command answers with its first edition; a token that
already carried another command is refused, 401, as every write service refuses a replayed token). The report
is built as the GET builds it, as at ``as_at`` (a day that has ended, rule report.published_as_at_past_day) or
as recorded by ``recorded_by`` (a moment that has passed),
and ``ReportPublished`` is recorded in the reporting service's own event store with the read model's offsets,
the report and rule versions and, from the second edition on, the figures that changed
(``application.publications``), whose relay publishes it on ``ap.reporting.events``. A read model that has read
no event yet is refused, 409 (report.published_from_applied_facts), storing nothing. Authorised as
``reporting.publish_report`` on the same stored facts as the read (the partnership's id from the path; the LA's
reports need no relationship to a pupil).
"""

# No ``from __future__ import annotations``: FastAPI reads the handlers' annotations at runtime.
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Annotated, Literal, Protocol, TypeVar
from uuid import UUID

import asyncpg
from fastapi import Depends, FastAPI, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict

from ap_contracts.envelope import utc_now
from ap_contracts.events.reports import ReportPeriod, TopicPosition
from ap_reporting.adapters.exclusions_by_phase import PostgresExclusionsByPhase
from ap_reporting.application import reports
from ap_reporting.application.publications import Built, Edition, publish
from ap_reporting.domain.actions import PUBLISH_REPORT
from ap_reporting.domain.errors import NotPublishable
from ap_reporting.domain.periods import OFFERED, academic_year_period, parse_period, year_range
from ap_reporting.domain.published import Table
from ap_reporting.entrypoints.report_moment import MomentDep, ReportMoment, only_parameters
from ap_reporting.entrypoints.schools_forum_routes import PARAMETERS as SCHOOLS_FORUM_PARAMETERS
from ap_reporting.projections.facts_reader import PostgresFactsReader
from ap_reporting.projections.schools_forum_reader import SchoolsForumReader
from ap_runtime.access import Principal, ResourceContext
from ap_runtime.access.fastapi import AccessHeaders, CallerDep, GuardDep, HeadersDep, claim_write_token
from ap_runtime.access.token_replay import WriteTokenLedger
from ap_runtime.commands import migrate_commands
from ap_runtime.eventstore import EventStore, migrate

PARTNERSHIP_PARAMETERS = frozenset({"period", "format"})
ANNUAL_PARAMETERS = frozenset({"academic_year", "format"})
STRATEGY_PARAMETERS = frozenset({"from_year", "to_year", "format"})


class PublishBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    command_id: UUID


class _Tabled(BaseModel):
    """What the published reports have in common: their tables."""

    tables: tuple[Table, ...]


class Positioned(Protocol):
    """A reader that keeps the positions of the read models its last read saw."""

    positions: tuple[TopicPosition, ...]


R = TypeVar("R", bound=Positioned)


async def _store(request: Request) -> EventStore:
    """The reporting event store, its tables made on first use (safe from several instances at once)."""
    store: EventStore | None = getattr(request.app.state, "reporting_store", None)
    if store is None:
        pool: asyncpg.Pool = request.app.state.reporting_pool
        await migrate(pool)
        await migrate_commands(pool)
        store = request.app.state.reporting_store = EventStore(pool)
    return store


def _past_day(moment: ReportMoment) -> ReportMoment:
    """The moment, if it has passed (``as_at`` today ends tonight: facts may still be recorded before it)."""
    if moment.recorded_by > utc_now():
        raise NotPublishable("as_at", f"{moment.as_at.isoformat()} has not ended: a report is published as at a "
                             "day that has ended (or a moment that has passed), so that it can be built again alike")
    return moment


def _write_tokens(request: Request) -> WriteTokenLedger:
    """The tokens that carried a publication (``ap_runtime.access.token_replay``), its table made on first use."""
    ledger: WriteTokenLedger | None = getattr(request.app.state, "reporting_write_tokens", None)
    if ledger is None:
        ledger = request.app.state.reporting_write_tokens = WriteTokenLedger(request.app.state.reporting_pool)
    return ledger


async def _publish(request: Request, caller: Principal, headers: AccessHeaders, body: PublishBody,
                   edition: Edition, assemble: Callable[[R], Awaitable[BaseModel]],
                   read: Callable[[asyncpg.Pool, datetime], R]) -> JSONResponse:
    # One command per token, as finance's and commissioning's writes: a captured token cannot publish again.
    await claim_write_token(request, _write_tokens(request), caller, body.command_id)
    pool: asyncpg.Pool = request.app.state.reporting_pool

    async def build(recorded_by: datetime) -> Built:
        reader = read(pool, recorded_by)
        report = await assemble(reader)
        return Built(report, _Tabled.model_validate(report, from_attributes=True).tables, reader.positions)

    event = await publish(await _store(request), edition, build, caller.actor(), body.command_id,
                          headers.correlation_id)
    return JSONResponse(event.model_dump(mode="json"), status_code=201)


Text = Annotated[str, Query(max_length=20)]


def publish_routes(app: FastAPI) -> None:
    """The four publication routes (module docstring)."""
    _partnership_route(app)
    _annual_route(app)
    _strategy_route(app)
    _schools_forum_route(app)


def _partnership_route(app: FastAPI) -> None:
    @app.post("/v1/reports/partnership/{partnership_id}/publications", response_model=None,
              dependencies=[Depends(only_parameters(PARTNERSHIP_PARAMETERS - {"format"}, "termly_partnership"))])
    async def publish_partnership(partnership_id: str, period: Text, body: PublishBody, request: Request,
                                  caller: CallerDep, headers: HeadersDep, guard: GuardDep,
                                  moment: MomentDep) -> JSONResponse:
        term = parse_period("period", period, OFFERED["termly_partnership"])
        await guard.check(caller, PUBLISH_REPORT, ResourceContext(partnership_id=partnership_id),
                          purpose=headers.purpose, correlation_id=headers.correlation_id)
        at = _past_day(moment)
        edition = Edition("termly_partnership", partnership_id, ReportPeriod(
            label=term.code, start=term.days.first_day, end=term.days.last_day), at.as_at, at.recorded_by)
        return await _publish(request, caller, headers, body, edition,
                              lambda reader: reports.partnership_report(reader, partnership_id, term.days),
                              PostgresFactsReader)


def _annual_route(app: FastAPI) -> None:
    @app.post("/v1/reports/annual/publications", response_model=None,
              dependencies=[Depends(only_parameters(ANNUAL_PARAMETERS - {"format"}, "la_annual"))])
    async def publish_annual(academic_year: Text, body: PublishBody, request: Request, caller: CallerDep,
                             headers: HeadersDep, guard: GuardDep, moment: MomentDep) -> JSONResponse:
        parse_period("academic_year", academic_year, OFFERED["la_annual"])
        await guard.check(caller, PUBLISH_REPORT, ResourceContext(),
                          purpose=headers.purpose, correlation_id=headers.correlation_id)
        at, days = _past_day(moment), academic_year_period(academic_year)
        edition = Edition("la_annual", caller.organisation_id, ReportPeriod(
            label=academic_year, start=days.first_day, end=days.last_day), at.as_at, at.recorded_by)
        return await _publish(request, caller, headers, body, edition,
                              lambda reader: reports.annual_report(reader, academic_year), PostgresFactsReader)


def _strategy_route(app: FastAPI) -> None:
    @app.post("/v1/reports/strategy/publications", response_model=None,
              dependencies=[Depends(only_parameters(STRATEGY_PARAMETERS - {"format"}, "exclusion_strategy"))])
    async def publish_strategy(from_year: Text, to_year: Text, body: PublishBody, request: Request,
                               caller: CallerDep, headers: HeadersDep, guard: GuardDep,
                               moment: MomentDep) -> JSONResponse:
        years = year_range("from_year", from_year, "to_year", to_year)
        await guard.check(caller, PUBLISH_REPORT, ResourceContext(),
                          purpose=headers.purpose, correlation_id=headers.correlation_id)
        at = _past_day(moment)
        edition = Edition("exclusion_strategy", caller.organisation_id, _years(years), at.as_at, at.recorded_by)
        return await _publish(request, caller, headers, body, edition,
                              lambda reader: reports.strategy_report(reader, years), PostgresExclusionsByPhase)


def _years(years: list[str], suffix: str = "") -> ReportPeriod:
    return ReportPeriod(label=f"{years[0]}-{years[-1]}{suffix}", start=academic_year_period(years[0]).first_day,
                        end=academic_year_period(years[-1]).last_day)


def _schools_forum_route(app: FastAPI) -> None:
    @app.post("/v1/reports/schools-forum/publications", response_model=None,
              dependencies=[Depends(only_parameters(SCHOOLS_FORUM_PARAMETERS - {"format"}, "exclusion_strategy"))])
    async def publish_schools_forum(from_year: Text, to_year: Text, body: PublishBody, request: Request,
                                    caller: CallerDep, headers: HeadersDep, guard: GuardDep, moment: MomentDep,
                                    bands: Literal["cumulative", "exclusive"] = "cumulative") -> JSONResponse:
        years = year_range("from_year", from_year, "to_year", to_year)
        await guard.check(caller, PUBLISH_REPORT, ResourceContext(),
                          purpose=headers.purpose, correlation_id=headers.correlation_id)
        at = _past_day(moment)
        # the bands' layout is part of the edition: a cumulative and an exclusive edition are two documents
        edition = Edition("schools_forum_panels", caller.organisation_id, _years(years, f"-{bands}"),
                          at.as_at, at.recorded_by)
        return await _publish(request, caller, headers, body, edition,
                              lambda reader: reader.report(years, cumulative=bands == "cumulative"),
                              SchoolsForumReader)
