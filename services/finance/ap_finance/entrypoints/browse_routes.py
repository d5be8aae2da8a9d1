"""Browsing routes (issue 12): ``GET /v1/budgets`` (the caller's budgets), ``GET /v1/budgets/awaiting-my-signature``,
and below ``/v1/budgets/{provision_id}/{financial_year}``: the budget itself, ``/lines``, ``/items`` (awaiting
signatures), ``/commitments``, ``/spends``, ``/virements`` and ``/overspends``. Lists take ``offset`` and
``limit`` (at most 200) and answer ``{items, total, offset, limit, next_offset}``."""

# No ``from __future__ import annotations``: FastAPI reads the endpoint annotations at runtime.
from collections.abc import Callable, Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from ap_finance.application.browse import MAX_PAGE, FinanceBrowse, allocation_rows
from ap_finance.application.browse_view import (
    BudgetBook,
    awaiting_items,
    commitment_rows,
    lines,
    overspend_rows,
    spend_rows,
    virement_rows,
)
from ap_finance.entrypoints.bootstrap import FinanceServices
from ap_finance.entrypoints.read_routes import BUDGET_PATH, BudgetRef, _budget
from ap_runtime.access.fastapi import CallerDep as Caller
from ap_runtime.access.fastapi import HeadersDep as Headers

router = APIRouter(tags=["browse"])
Offset = Annotated[int, Query(ge=0)]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE)]


def _browse(request: Request) -> FinanceBrowse:
    services: FinanceServices = request.app.state.finance
    return services.browse


def _json(model: BaseModel) -> JSONResponse:
    return JSONResponse(model.model_dump(mode="json"))


@router.get("/v1/budgets", summary="The budgets the caller may read (paged)")
async def my_budgets(request: Request, principal: Caller, offset: Offset = 0, limit: Limit = 50) -> JSONResponse:
    return _json(await _browse(request).budgets(principal, offset, limit))


@router.get("/v1/budgets/awaiting-my-signature",
            summary="Items over the threshold awaiting a signature the caller's organisation gives (paged)")
async def awaiting_my_signature(request: Request, principal: Caller, offset: Offset = 0,
                                limit: Limit = 50) -> JSONResponse:
    return _json(await _browse(request).awaiting_my_signature(principal, offset, limit))


@router.get(BUDGET_PATH, summary="One budget: its organisations, funding, threshold in force and state")
async def one_budget(request: Request, principal: Caller, headers: Headers) -> JSONResponse:
    budget = _budget(request)
    return _json(await _browse(request).budget(principal, budget.provision_id, budget.financial_year,
                                               purpose=headers.purpose, correlation_id=headers.correlation_id))


def _list_route(suffix: str, summary: str, rows: Callable[[BudgetBook], Sequence[Any]]) -> None:
    async def endpoint(request: Request, principal: Caller, headers: Headers, offset: Offset = 0,
                       limit: Limit = 50) -> JSONResponse:
        budget: BudgetRef = _budget(request)
        found = await _browse(request).listing(rows, principal, budget.provision_id, budget.financial_year, offset,
                                               limit, purpose=headers.purpose, correlation_id=headers.correlation_id)
        return _json(found)

    router.add_api_route(BUDGET_PATH + suffix, endpoint, methods=["GET"], summary=summary)


_list_route("/lines", "Lines: budget, virements in and out, revised, committed, spent, remaining (paged)", lines)
_list_route("/items", "Items awaiting signatures: supplier, reference, amount, signatures given and awaited",
            awaiting_items)
_list_route("/commitments", "Commitments (awaiting signatures, open, settled) with supplier, reference, signatures",
            commitment_rows)
_list_route("/spends", "Spends (recorded or awaiting signatures) with supplier, reference, amount", spend_rows)
_list_route("/virements", "Virements: requested (awaiting approval) or made, with requester and approver",
            virement_rows)
_list_route("/allocations", "Surplus allocations in full: method, proportions, each part, the needs criteria and "
            "scores, each school's share of each part, the rounding rule", allocation_rows)
_list_route("/overspends", "Overspends: requested or approved by the budget holder, with reason", overspend_rows)
