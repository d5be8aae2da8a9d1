"""Reads: ledger balances, reconciliation on demand, and the finance reports (JSON, CSV, .xlsx)."""

# No ``from __future__ import annotations``: FastAPI reads the endpoint annotations at runtime.
from datetime import date
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
from ap_finance.reports.periods import Term
from ap_finance.reports.render_csv import render_csv
from ap_finance.reports.render_xlsx import quarterly_return_workbook
from ap_runtime.access.fastapi import CallerDep as Caller
from ap_runtime.access.fastapi import HeadersDep as Headers
from ap_runtime.http.downloads import attachment
from ap_runtime.http.problems import InvalidRequest

BUDGET_PATH = "/v1/budgets/{provision_id}/{financial_year}"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

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


def _as(report: ReportModel, fmt: str, name: str) -> Response:
    if fmt == "csv":
        return attachment(render_csv(report), "text/csv; charset=utf-8", f"{name}.csv")
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


@router.get("/reports/quarterly-return", summary="Quarterly financial return to the LA (json, csv or xlsx)")
async def quarterly_return(
    request: Request, principal: Caller, headers: Headers,
    quarter: Annotated[int, Query(ge=1, le=4)],
    format: Annotated[Literal["json", "csv", "xlsx"], Query()] = "json",
    as_at: Annotated[date | None, Query()] = None,
) -> Response:
    budget = _budget(request)
    report = await _services(request).queries.quarterly_return(
        principal, budget.provision_id, budget.financial_year, quarter, as_at=as_at, purpose=headers.purpose,
        correlation_id=headers.correlation_id)
    name = f"quarterly-return-{budget.provision_id}-{budget.financial_year}-q{quarter}"
    if format == "xlsx":
        return attachment(quarterly_return_workbook(report), XLSX, f"{name}.xlsx")
    return _as(report, format, name)


@router.get("/reports/termly-monitoring", summary="Termly budget monitoring for the Partnership (json or csv)")
async def termly_monitoring(
    request: Request, principal: Caller, headers: Headers,
    term: Annotated[Term, Query()],
    format: Annotated[Literal["json", "csv"], Query()] = "json",
    as_at: Annotated[date | None, Query()] = None,
) -> Response:
    budget = _budget(request)
    report = await _services(request).queries.termly_monitoring(
        principal, budget.provision_id, budget.financial_year, term, as_at=as_at, purpose=headers.purpose,
        correlation_id=headers.correlation_id)
    return _as(report, format, f"termly-monitoring-{budget.provision_id}-{budget.financial_year}-{term.value}")


@router.get("/reports/governing-body-summary", summary="Financial summary for the governing body (json or csv)")
async def governing_body_summary(
    request: Request, principal: Caller, headers: Headers,
    format: Annotated[Literal["json", "csv"], Query()] = "json",
    as_at: Annotated[date | None, Query()] = None,
) -> Response:
    budget = _budget(request)
    report = await _services(request).queries.governing_body_summary(
        principal, budget.provision_id, budget.financial_year, as_at=as_at, purpose=headers.purpose,
        correlation_id=headers.correlation_id)
    return _as(report, format, f"governing-body-summary-{budget.provision_id}-{budget.financial_year}")
