"""Reads: ledger balances, reconciliation on demand, and the finance reports (JSON, CSV, .xlsx for the quarterly
return; each report also as an HTML page and a PDF, issue 15)."""

# No ``from __future__ import annotations``: FastAPI reads the endpoint annotations at runtime.
from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError

from ap_contracts.envelope import StrictModel
from ap_contracts.events.finance import FinancialYear, OrganisationId
from ap_contracts.schema_tools import describe_validation_error
from ap_finance.application.views import LedgerView, ReconciliationView
from ap_finance.entrypoints.bootstrap import FinanceServices
from ap_finance.reports.models import ReportModel
from ap_finance.reports.periods import Term, end_of_day_in_england
from ap_finance.reports.render_csv import render_csv
from ap_finance.reports.render_document import (
    governing_body_summary_document,
    quarterly_return_document,
    termly_monitoring_document,
)
from ap_finance.reports.render_xlsx import quarterly_return_workbook
from ap_runtime.access.fastapi import CallerDep as Caller
from ap_runtime.access.fastapi import HeadersDep as Headers
from ap_runtime.documents import HTML_MEDIA_TYPE, PDF_MEDIA_TYPE, Document, render_html, render_pdf_off_loop
from ap_runtime.http.downloads import attachment
from ap_runtime.http.problems import InvalidRequest

BUDGET_PATH = "/v1/budgets/{provision_id}/{financial_year}"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DocumentFormat = Literal["json", "csv", "html", "pdf"]

router = APIRouter(prefix=BUDGET_PATH, tags=["reads"])


class BudgetRef(StrictModel):
    provision_id: OrganisationId
    financial_year: FinancialYear


def _budget(request: Request) -> BudgetRef:
    try:
        return BudgetRef.model_validate(dict(request.path_params))
    except ValidationError as error:
        raise InvalidRequest(describe_validation_error(error)) from None


def _services(request: Request) -> FinanceServices:
    services: FinanceServices = request.app.state.finance
    return services


def _moment(recorded_by: datetime | None, known_on: date | None = None) -> datetime | None:
    """The moment a report is as recorded by: ``recorded_by`` (it needs its timezone: without one it names no
    instant) or the end of ``known_on`` in England, not both."""
    if recorded_by is not None and known_on is not None:
        raise InvalidRequest([{"field": "known_on", "problem": "give recorded_by or known_on, not both"}])
    if recorded_by is not None and recorded_by.utcoffset() is None:
        raise InvalidRequest([{"field": "recorded_by",
                               "problem": "give a timezone (e.g. 2025-06-30T23:59:59+01:00 or ...Z)"}])
    return end_of_day_in_england(known_on) if known_on is not None else recorded_by


async def _as(report: ReportModel, fmt: str, name: str, document: Callable[[], Document]) -> Response:
    if fmt == "csv":
        return attachment(render_csv(report), "text/csv; charset=utf-8", f"{name}.csv")
    if fmt == "html":
        return Response(render_html(document()), media_type=HTML_MEDIA_TYPE)
    if fmt == "pdf":
        return attachment(await render_pdf_off_loop(document()), PDF_MEDIA_TYPE, f"{name}.pdf")
    return JSONResponse(report.model_dump(mode="json"))


@router.get("/ledger", response_model=LedgerView, summary="Balances by line, category, funding source and total")
async def ledger(request: Request, principal: Caller, headers: Headers) -> Response:
    budget = _budget(request)
    view = await _services(request).queries.ledger(principal, budget.provision_id, budget.financial_year,
                                                   purpose=headers.purpose, correlation_id=headers.correlation_id)
    return JSONResponse(view.model_dump(mode="json"))


@router.get("/reconciliation", response_model=ReconciliationView, summary="Reconcile the ledger now")
async def reconciliation(request: Request, principal: Caller, headers: Headers) -> Response:
    budget = _budget(request)
    view = await _services(request).queries.reconciliation(
        principal, budget.provision_id, budget.financial_year, purpose=headers.purpose,
        correlation_id=headers.correlation_id)
    return JSONResponse(view.model_dump(mode="json"))


@router.get("/reports/quarterly-return",
            summary="Quarterly financial return to the LA (json, csv, xlsx, html or pdf)")
async def quarterly_return(
    request: Request, principal: Caller, headers: Headers,
    quarter: Annotated[int, Query(ge=1, le=4)],
    format: Annotated[Literal["json", "csv", "xlsx", "html", "pdf"], Query()] = "json",
    as_at: Annotated[date | None, Query()] = None,
    recorded_by: Annotated[datetime | None, Query(description="only the events recorded by this moment")] = None,
    known_on: Annotated[date | None, Query(description="only the events recorded by the end of this day")] = None,
) -> Response:
    budget = _budget(request)
    report = await _services(request).queries.quarterly_return(
        principal, budget.provision_id, budget.financial_year, quarter, as_at=as_at,
        recorded_by=_moment(recorded_by, known_on), purpose=headers.purpose, correlation_id=headers.correlation_id)
    name = f"quarterly-return-{budget.provision_id}-{budget.financial_year}-q{quarter}"
    if format == "xlsx":
        return attachment(quarterly_return_workbook(report), XLSX, f"{name}.xlsx")
    return await _as(report, format, name, lambda: quarterly_return_document(report))


@router.get("/reports/termly-monitoring",
            summary="Termly budget monitoring for the Partnership (json, csv, html or pdf)")
async def termly_monitoring(
    request: Request, principal: Caller, headers: Headers,
    term: Annotated[Term, Query()],
    format: Annotated[DocumentFormat, Query()] = "json",
    as_at: Annotated[date | None, Query()] = None,
) -> Response:
    budget = _budget(request)
    report = await _services(request).queries.termly_monitoring(
        principal, budget.provision_id, budget.financial_year, term, as_at=as_at, purpose=headers.purpose,
        correlation_id=headers.correlation_id)
    return await _as(report, format, f"termly-monitoring-{budget.provision_id}-{budget.financial_year}-{term.value}",
                     lambda: termly_monitoring_document(report))


@router.get("/reports/governing-body-summary",
            summary="Financial summary for the governing body (json, csv, html or pdf)")
async def governing_body_summary(
    request: Request, principal: Caller, headers: Headers,
    format: Annotated[DocumentFormat, Query()] = "json",
    as_at: Annotated[date | None, Query()] = None,
    recorded_by: Annotated[datetime | None, Query(description="only the events recorded by this moment")] = None,
    known_on: Annotated[date | None, Query(description="only the events recorded by the end of this day")] = None,
) -> Response:
    budget = _budget(request)
    report = await _services(request).queries.governing_body_summary(
        principal, budget.provision_id, budget.financial_year, as_at=as_at, recorded_by=_moment(recorded_by, known_on),
        purpose=headers.purpose, correlation_id=headers.correlation_id)
    return await _as(report, format, f"governing-body-summary-{budget.provision_id}-{budget.financial_year}",
                     lambda: governing_body_summary_document(report))


@router.get("/reports/value-for-money",
            summary="Cost per successful reintegration beside cost per placement and per pupil-day (json)")
async def value_for_money(
    request: Request, principal: Caller, headers: Headers,
    as_at: Annotated[date | None, Query()] = None,
) -> Response:
    budget = _budget(request)
    view = await _services(request).queries.value_for_money(
        principal, budget.provision_id, budget.financial_year, as_at=as_at, purpose=headers.purpose,
        correlation_id=headers.correlation_id)
    return JSONResponse(view)
