"""``GET /v1/reports/partnership/{partnership_id}/annual-report/{academic_year}`` (issue 15, seed 001 appendix 3).

The Neighbourhood Partnership's annual report to its stakeholders, which only ``make reports`` wrote before: the
figures of the year (``application.reports.partnership_annual_figures``), the narrative commissioning published
(``commissioning_facts.read_narrative``) and the Budget Summary folded from finance's events
(``finance_ledger.read_finance_events``, ``budget_summary``), all as recorded by the report's moment
(report.as_at; the ``Report-As-At`` and ``Report-Recorded-By`` headers say which). The audience is the termly
partnership report's (action ``reporting.read_partnership_report``: the lead of that partnership, LA officers).
``format`` is ``json`` (default: figures, published narrative and budget), ``csv`` or ``xlsx`` (the suppressed
tables) or ``html`` / ``pdf`` (the whole document, ``partnership_annual_document``). A year whose narrative is
not published yet is served as a draft that says so. The year sits in the path, so academic year 2024/25 is
written ``2024-25`` there (a path segment cannot hold its slash); anything else is refused with 422 naming
``academic_year`` (rule report.fixed_period) before anything is read.

The report is built by ``PartnershipAnnualReader``, which the publication route uses too (``publish_routes``: POST
``.../annual-report/{academic_year}/publications``); for a publication it also keeps the positions of the three read
models it read, each taken where the read model applied nothing while it was read (``steady``).
"""

# No ``from __future__ import annotations``: FastAPI reads the handlers' annotations at runtime.
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Annotated, Any, TypeVar

import asyncpg
from fastapi import FastAPI, Path, Request, Response
from pydantic import BaseModel, ConfigDict

from ap_contracts.events.reports import TopicPosition
from ap_contracts.money import format_pounds
from ap_reporting.adapters.partnership_annual_document import partnership_annual_document
from ap_reporting.application import reports
from ap_reporting.application.publications import refuse_any_unread
from ap_reporting.domain.actions import READ_PARTNERSHIP_REPORT
from ap_reporting.domain.annual_narrative import AnnualNarrative, ApprovedText
from ap_reporting.domain.budget_summary import BudgetSummary, budget_summary
from ap_reporting.domain.errors import ReadModelMoved
from ap_reporting.domain.partnership_annual import PartnershipAnnualFigures
from ap_reporting.domain.periods import OFFERED, parse_period
from ap_reporting.domain.published import figures as table_figures
from ap_reporting.entrypoints.document_formats import DocumentFormat, answer, published
from ap_reporting.entrypoints.report_moment import MomentDep
from ap_reporting.projections.commissioning_facts import ReportingCommissioningFactsProjection, read_narrative
from ap_reporting.projections.facts import ReportingFactsProjection
from ap_reporting.projections.facts_reader import PostgresFactsReader
from ap_reporting.projections.finance_ledger import ReportingFinanceProjection, read_finance_events
from ap_reporting.projections.positions import read_positions
from ap_runtime.access import ResourceContext
from ap_runtime.access.fastapi import CallerDep, GuardDep, HeadersDep
from ap_runtime.documents import Document
from ap_runtime.projection import read_models

PARAMETERS = frozenset({"format"})
"""The query parameters the report takes besides the moment's; the API refuses any other."""


class PartnershipAnnualReport(BaseModel):
    """The JSON form: the year's figures, whether the narrative is published and its texts, the Budget Summary."""

    model_config = ConfigDict(frozen=True)
    report: str = "partnership_annual_report"
    figures: PartnershipAnnualFigures
    narrative_published: bool
    narrative: tuple[ApprovedText, ...]
    budget: BudgetSummary

    def shown_figures(self) -> dict[str, str]:
        """What two editions of the report are compared by (``application.publications``): each table's figure,
        the outcomes, the Budget Summary's amounts and the version of each narrative section published."""
        shown = table_figures(self.figures.tables)
        shown |= {"Outcomes / Attendance (%)": str(self.figures.attendance_percent),
                  "Outcomes / Reintegration rate (%)": str(self.figures.reintegration_rate_percent),
                  "Outcomes / Mean length of stay (days)": str(self.figures.mean_length_of_stay_days)}
        for line in (*self.budget.lines, self.budget.total()):
            shown |= {f"Budget Summary / {line.name} / {column}": format_pounds(pence) for column, pence in (
                ("Budget", line.budget_pence), ("Actual", line.actual_pence), ("Committed", line.committed_pence),
                ("Remaining", line.remaining_pence))}
        return shown | {f"Narrative / {s.section}": f"version {s.version}" for s in self.narrative}


def academic_year_in_path(academic_year: str) -> str:
    """The path's ``2024-25`` as the calendar writes it (``2024/25``); anything else is refused naming the field."""
    written = academic_year.replace("-", "/", 1) if academic_year[4:5] == "-" else academic_year
    return parse_period("academic_year", written, OFFERED["la_annual"]).code


T = TypeVar("T")
STEADY_TRIES = 3


async def steady(pool: asyncpg.Pool, read_model: str,
                 read: Callable[[], Awaitable[T]]) -> tuple[T, list[TopicPosition]]:
    """``read()`` of one read model and the positions it was read at: those before and after the read, when they
    are the same (its positions advance in the transaction that applies the events, so nothing was applied
    between); else read again, and after ``STEADY_TRIES`` refuse (``ReadModelMoved``) rather than guess."""
    for _ in range(STEADY_TRIES):
        before = await _positions(pool, read_model)
        value = await read()
        if await _positions(pool, read_model) == before:
            return value, before
    raise ReadModelMoved("report", f"the {read_model} read model applied events each time the report read it: "
                         "publish again once it has caught up")


async def _positions(pool: asyncpg.Pool, read_model: str) -> list[TopicPosition]:
    async with read_models(pool, [read_model]) as conn:
        return list(await read_positions(conn))


class PartnershipAnnualReader:
    """Builds the report as recorded by ``recorded_by`` (None: now) from the facts, commissioning's narrative and
    finance's ledger; ``positioned``, keeps the positions of the three read models as read (a publication)."""

    def __init__(self, pool: asyncpg.Pool, recorded_by: datetime | None = None, *, positioned: bool = False) -> None:
        self._pool, self._recorded_by, self._positioned = pool, recorded_by, positioned
        self.positions: tuple[TopicPosition, ...] = ()

    async def read(self, partnership_id: str, year: str) -> tuple[PartnershipAnnualReport, AnnualNarrative]:
        pool, moment = self._pool, self._recorded_by
        facts = PostgresFactsReader(pool, moment)
        figures_of_year = await reports.partnership_annual_figures(facts, partnership_id, year)
        narrative, narrated = await self._read(ReportingCommissioningFactsProjection.name,
                                               lambda: read_narrative(pool, partnership_id, year, moment))
        events, ledgered = await self._read(ReportingFinanceProjection.name, lambda: read_finance_events(pool, moment))
        if self._positioned:  # each read model records its own positions: none of them may have read nothing
            refuse_any_unread({ReportingFactsProjection.name: facts.positions,
                               ReportingCommissioningFactsProjection.name: narrated,
                               ReportingFinanceProjection.name: ledgered})
        self.positions = tuple(sorted([*facts.positions, *narrated, *ledgered], key=lambda p: (p.topic, p.partition)))
        return PartnershipAnnualReport(
            figures=figures_of_year, narrative_published=narrative.published_by is not None,
            narrative=narrative.sections, budget=budget_summary(partnership_id, year, events)), narrative

    async def _read(self, read_model: str, read: Callable[[], Awaitable[T]]) -> tuple[T, list[TopicPosition]]:
        return await steady(self._pool, read_model, read) if self._positioned else (await read(), [])


def partnership_annual_routes(app: FastAPI, only_its_parameters: Any) -> None:
    """The route; ``only_its_parameters`` is the API's dependency refusing other query parameters (422)."""

    @app.get("/v1/reports/partnership/{partnership_id}/annual-report/{academic_year}", response_model=None,
             dependencies=[only_its_parameters])
    async def partnership_annual(partnership_id: str, academic_year: Annotated[str, Path(max_length=20)],
                                 request: Request, caller: CallerDep, headers: HeadersDep, guard: GuardDep,
                                 moment: MomentDep, response: Response,
                                 format: DocumentFormat = "json") -> Response | BaseModel:
        year = academic_year_in_path(academic_year)
        await guard.check(caller, READ_PARTNERSHIP_REPORT, ResourceContext(partnership_id=partnership_id),
                          purpose=headers.purpose, correlation_id=headers.correlation_id)
        reader = PartnershipAnnualReader(request.app.state.reporting_pool, moment.recorded_by)
        report, narrative = await reader.read(partnership_id, year)
        figures = report.figures

        def document() -> Document:
            return partnership_annual_document(figures, narrative, report.budget)
        slug = f"partnership-{partnership_id}-annual-report-{year.replace('/', '-')}"
        return answer(await published(report, figures.tables, document, format, slug, moment), moment, response)
