"""Publishing the reports that leave their organisation (issue 15, provenance):

  POST /v1/reports/partnership/{partnership_id}/publications?period=2024/25-spring&as_at=2025-04-30
  POST /v1/reports/partnership/{partnership_id}/annual-report/2024-25/publications?as_at=2025-08-31
  POST /v1/reports/annual/publications?academic_year=2024/25&as_at=2025-08-31
  POST /v1/reports/strategy/publications?from_year=2022/23&to_year=2024/25&as_at=2025-08-31
  POST /v1/reports/schools-forum/publications?from_year=2012/13&to_year=2014/15&bands=cumulative&as_at=2025-08-31

each with the body ``{"command_id": "<uuid>"}`` and nothing else (a forged field is refused, 422; a repeated
command answers with its first edition; a token that already carried another command is refused, 401, as every
write service refuses a replayed token, and a refused publication leaves its token unused: ``application.
publications``). The report is built as the GET builds it, as at ``as_at`` (a day that has ended, rule
report.published_as_at_past_day) or as recorded by ``recorded_by`` (a moment that has passed), and
``ReportPublished`` is recorded in the reporting service's own event store with the read models' offsets, the
report and rule versions and, from the second edition on, the figures that changed (``application.publications``),
whose relay publishes it on ``ap.reporting.events``. A read model that has read no event yet is refused, 409
(report.published_from_applied_facts), storing nothing (for the Partnership annual, strategy and Schools Forum
reports, built from several, any one of them: their readers refuse, ``positioned``); so is a Partnership annual
report whose narrative is not published by its moment (report.published_with_narrative), an
edition another command published while this one was being built (report.published_once_at_a_time, saying which
and where to see it) and a command id already used for another report (report_command.id_unique).

Every route has one shape (``_route``): a ``Target`` read from its path and query (what report, of which period,
read and built how, whose), the access check on stored facts only (the partnership's id from the path; the LA's
reports need no relationship to a pupil), then the one publication. Actions: ``reporting.publish_report``, but the
Partnership annual report's, ``reporting.publish_partnership_annual_report`` (its lead alone, rule RPT-PUB-3).
"""

# No ``from __future__ import annotations``: FastAPI reads the handlers' annotations at runtime.
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Generic, Literal, Protocol, TypeVar, runtime_checkable
from uuid import UUID

import asyncpg
from fastapi import Depends, FastAPI, Path, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict

from ap_contracts.envelope import utc_now
from ap_contracts.events.reports import ReportPeriod, TopicPosition
from ap_reporting.adapters.exclusions_by_phase import PostgresExclusionsByPhase
from ap_reporting.application import reports
from ap_reporting.application.publications import Built, Edition, publish
from ap_reporting.domain.actions import PUBLISH_PARTNERSHIP_ANNUAL_REPORT, PUBLISH_REPORT
from ap_reporting.domain.errors import NarrativeNotPublished, NotPublishable
from ap_reporting.domain.periods import OFFERED, academic_year_period, parse_period, year_range
from ap_reporting.domain.published import Table, figures
from ap_reporting.entrypoints.partnership_annual_routes import (
    PartnershipAnnualReader,
    PartnershipAnnualReport,
    academic_year_in_path,
)
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


@runtime_checkable
class _Figured(Protocol):
    """A report that names its own figures (``PartnershipAnnualReport``: outcomes, budget and narrative too)."""

    def shown_figures(self) -> dict[str, str]: ...


class Positioned(Protocol):
    """A reader that keeps the positions of the read models its last read saw."""

    positions: tuple[TopicPosition, ...]


R = TypeVar("R", bound=Positioned)


@dataclass(frozen=True, slots=True)
class Target(Generic[R]):
    """What one publication route publishes, from its path and query: the report's kind and period, the reader of
    its read models and how the report is built from it, whose report it is (the partnership's in the path; else
    the caller's local authority) and the action that may publish it."""

    kind: str
    period: ReportPeriod
    read: Callable[[asyncpg.Pool, datetime], R]
    assemble: Callable[[R], Awaitable[BaseModel]]
    partnership_id: str | None = None
    action: str = PUBLISH_REPORT


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


@dataclass(frozen=True, slots=True)
class _CallerToken:
    """The caller's token and this publication's command (``application.publications.TokenClaim``)."""

    request: Request
    caller: Principal
    command_id: UUID

    async def claim(self) -> None:
        await claim_write_token(self.request, _write_tokens(self.request), self.caller, self.command_id)

    async def release(self) -> None:
        await _write_tokens(self.request).release(self.caller, self.command_id)


def _shown(report: BaseModel) -> dict[str, str]:
    """What two editions are compared by: the figures the report names, else those of its tables."""
    if isinstance(report, _Figured):
        return report.shown_figures()
    return figures(_Tabled.model_validate(report, from_attributes=True).tables)


async def _publish(request: Request, caller: Principal, headers: AccessHeaders, body: PublishBody,
                   edition: Edition, target: Target[Any]) -> JSONResponse:
    pool: asyncpg.Pool = request.app.state.reporting_pool

    async def build(recorded_by: datetime) -> Built:
        reader = target.read(pool, recorded_by)
        report = await target.assemble(reader)
        return Built(report, _shown(report), reader.positions)

    event = await publish(await _store(request), edition, build, caller.actor(), body.command_id,
                          _CallerToken(request, caller, body.command_id), headers.correlation_id)
    return JSONResponse(event.model_dump(mode="json"), status_code=201)


Text = Annotated[str, Query(max_length=20)]


def _years(years: list[str], label: str | None = None) -> ReportPeriod:
    """The academic years' period, labelled ``label`` (by default first to last year)."""
    return ReportPeriod(label=label or f"{years[0]}-{years[-1]}", start=academic_year_period(years[0]).first_day,
                        end=academic_year_period(years[-1]).last_day)


def _termly(partnership_id: str, period: Text) -> Target[PostgresFactsReader]:
    term = parse_period("period", period, OFFERED["termly_partnership"])
    return Target("termly_partnership", ReportPeriod(label=term.code, start=term.days.first_day,
                                                     end=term.days.last_day), PostgresFactsReader,
                  lambda reader: reports.partnership_report(reader, partnership_id, term.days), partnership_id)


def _partnership_annual(partnership_id: str,
                        academic_year: Annotated[str, Path(max_length=20)]) -> Target[PartnershipAnnualReader]:
    year = academic_year_in_path(academic_year)

    async def with_its_narrative(reader: PartnershipAnnualReader) -> PartnershipAnnualReport:
        report, _ = await reader.read(partnership_id, year)
        if not report.narrative_published:
            raise NarrativeNotPublished("academic_year", f"the narrative of the annual report for {year} was not "
                                        "published by the report's moment: publish the report once commissioning "
                                        "has published its approved narrative (it can be read as a draft)")
        return report

    return Target("partnership_annual", _years([year], year),
                  lambda pool, at: PartnershipAnnualReader(pool, at, positioned=True), with_its_narrative,
                  partnership_id, PUBLISH_PARTNERSHIP_ANNUAL_REPORT)


def _la_annual(academic_year: Text) -> Target[PostgresFactsReader]:
    year = parse_period("academic_year", academic_year, OFFERED["la_annual"]).code
    return Target("la_annual", _years([year], year), PostgresFactsReader,
                  lambda reader: reports.annual_report(reader, year))


def _strategy(from_year: Text, to_year: Text) -> Target[PostgresExclusionsByPhase]:
    years = year_range("from_year", from_year, "to_year", to_year)
    return Target("exclusion_strategy", _years(years),
                  lambda pool, at: PostgresExclusionsByPhase(pool, at, positioned=True),
                  lambda reader: reports.strategy_report(reader, years))


def _schools_forum(from_year: Text, to_year: Text,
                   bands: Literal["cumulative", "exclusive"] = "cumulative") -> Target[SchoolsForumReader]:
    years = year_range("from_year", from_year, "to_year", to_year)
    # the bands' layout is part of the edition: a cumulative and an exclusive edition are two documents
    return Target("schools_forum_panels", _years(years, f"{years[0]}-{years[-1]}-{bands}"),
                  lambda pool, at: SchoolsForumReader(pool, at, positioned=True),
                  lambda reader: reader.report(years, cumulative=bands == "cumulative"))


ROUTES: tuple[tuple[str, frozenset[str], str, Callable[..., Target[Any]]], ...] = (
    ("/v1/reports/partnership/{partnership_id}/publications", PARTNERSHIP_PARAMETERS - {"format"},
     "termly_partnership", _termly),
    ("/v1/reports/partnership/{partnership_id}/annual-report/{academic_year}/publications", frozenset(),
     "la_annual", _partnership_annual),
    ("/v1/reports/annual/publications", ANNUAL_PARAMETERS - {"format"}, "la_annual", _la_annual),
    ("/v1/reports/strategy/publications", STRATEGY_PARAMETERS - {"format"}, "exclusion_strategy", _strategy),
    ("/v1/reports/schools-forum/publications", SCHOOLS_FORUM_PARAMETERS - {"format"}, "exclusion_strategy",
     _schools_forum),
)
"""Each route: its path, the query parameters it takes besides the moment's, the periods it offers (``OFFERED``),
and its ``Target`` from its path and query."""


def publish_routes(app: FastAPI) -> None:
    """The publication routes (module docstring)."""
    for path, parameters, offered, target in ROUTES:
        _route(app, path, parameters, offered, target)


def _route(app: FastAPI, path: str, parameters: frozenset[str], offered: str,
           target: Callable[..., Target[Any]]) -> None:
    @app.post(path, response_model=None, name=f"publish{target.__name__}",
              dependencies=[Depends(only_parameters(parameters, offered))])
    async def publish_report(body: PublishBody, request: Request, caller: CallerDep, headers: HeadersDep,
                             guard: GuardDep, moment: MomentDep,
                             what: Annotated[Target[Any], Depends(target)]) -> JSONResponse:
        await guard.check(caller, what.action, ResourceContext(partnership_id=what.partnership_id),
                          purpose=headers.purpose, correlation_id=headers.correlation_id)
        at = _past_day(moment)
        edition = Edition(what.kind, what.partnership_id or caller.organisation_id, what.period, at.as_at,
                          at.recorded_by)
        return await _publish(request, caller, headers, body, edition, what)
