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
"""

# No ``from __future__ import annotations``: FastAPI reads the handlers' annotations at runtime.
from typing import Annotated, Any

import asyncpg
from fastapi import FastAPI, Path, Request, Response
from pydantic import BaseModel, ConfigDict

from ap_reporting.adapters.partnership_annual_document import partnership_annual_document
from ap_reporting.application import reports
from ap_reporting.domain.actions import READ_PARTNERSHIP_REPORT
from ap_reporting.domain.annual_narrative import AnnualNarrative, ApprovedText
from ap_reporting.domain.budget_summary import BudgetSummary, budget_summary
from ap_reporting.domain.partnership_annual import PartnershipAnnualFigures
from ap_reporting.domain.periods import OFFERED, parse_period
from ap_reporting.entrypoints.document_formats import DocumentFormat, answer, published
from ap_reporting.entrypoints.report_moment import MomentDep, ReportMoment
from ap_reporting.projections.commissioning_facts import read_narrative
from ap_reporting.projections.facts_reader import PostgresFactsReader
from ap_reporting.projections.finance_ledger import read_finance_events
from ap_runtime.access import ResourceContext
from ap_runtime.access.fastapi import CallerDep, GuardDep, HeadersDep
from ap_runtime.documents import Document

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


def _year(academic_year: str) -> str:
    """The path's ``2024-25`` as the calendar writes it (``2024/25``); anything else is refused naming the field."""
    written = academic_year.replace("-", "/", 1) if academic_year[4:5] == "-" else academic_year
    return parse_period("academic_year", written, OFFERED["la_annual"]).code


async def _assemble(pool: asyncpg.Pool, partnership_id: str, year: str,
                    moment: ReportMoment) -> tuple[PartnershipAnnualReport, AnnualNarrative]:
    figures = await reports.partnership_annual_figures(PostgresFactsReader(pool, moment.recorded_by),
                                                       partnership_id, year)
    narrative = await read_narrative(pool, partnership_id, year, moment.recorded_by)
    budget = budget_summary(partnership_id, year, await read_finance_events(pool, moment.recorded_by))
    return PartnershipAnnualReport(figures=figures, narrative_published=narrative.published_by is not None,
                                   narrative=narrative.sections, budget=budget), narrative


def partnership_annual_routes(app: FastAPI, only_its_parameters: Any) -> None:
    """The route; ``only_its_parameters`` is the API's dependency refusing other query parameters (422)."""

    @app.get("/v1/reports/partnership/{partnership_id}/annual-report/{academic_year}", response_model=None,
             dependencies=[only_its_parameters])
    async def partnership_annual(partnership_id: str, academic_year: Annotated[str, Path(max_length=20)],
                                 request: Request, caller: CallerDep, headers: HeadersDep, guard: GuardDep,
                                 moment: MomentDep, response: Response,
                                 format: DocumentFormat = "json") -> Response | BaseModel:
        year = _year(academic_year)
        await guard.check(caller, READ_PARTNERSHIP_REPORT, ResourceContext(partnership_id=partnership_id),
                          purpose=headers.purpose, correlation_id=headers.correlation_id)
        report, narrative = await _assemble(request.app.state.reporting_pool, partnership_id, year, moment)
        figures = report.figures

        def document() -> Document:
            return partnership_annual_document(figures, narrative, report.budget)
        slug = f"partnership-{partnership_id}-annual-report-{year.replace('/', '-')}"
        return answer(await published(report, figures.tables, document, format, slug, moment), moment, response)
