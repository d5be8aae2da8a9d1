"""Publishing a report (issue 15, provenance): ``POST .../reports/quarterly-return/publications`` records
``ReportPublished`` and answers with it (its sources, rule versions, digest and changed figures)."""

# No ``from __future__ import annotations``: FastAPI reads the endpoint annotations at runtime.
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import AwareDatetime, Field, ValidationError

from ap_contracts.envelope import StrictModel
from ap_contracts.schema_tools import describe_validation_error
from ap_finance.entrypoints.bootstrap import FinanceServices
from ap_finance.entrypoints.read_routes import BUDGET_PATH, _budget
from ap_runtime.access.fastapi import CallerDep as Caller
from ap_runtime.access.fastapi import HeadersDep as Headers
from ap_runtime.access.fastapi import claim_write_token
from ap_runtime.http.problems import InvalidRequest

router = APIRouter(prefix=BUDGET_PATH, tags=["publications"])


class PublishQuarterlyReturn(StrictModel):
    """Publish the quarter's return as recorded by ``recorded_by`` (a moment with its timezone; now if absent)."""

    command_id: UUID
    quarter: Annotated[int, Field(ge=1, le=4)]
    recorded_by: AwareDatetime | None = None


async def _body(request: Request) -> PublishQuarterlyReturn:
    try:
        raw: Any = await request.json()
        return PublishQuarterlyReturn.model_validate(raw)
    except ValueError as error:
        if isinstance(error, ValidationError):
            raise InvalidRequest(describe_validation_error(error)) from None
        raise InvalidRequest([{"field": "(body)", "problem": "not JSON"}]) from None


@router.post("/reports/quarterly-return/publications",
             summary="Publish the quarterly return: records ReportPublished (sources, rule versions, changes)")
async def publish_quarterly_return(request: Request, principal: Caller, headers: Headers) -> JSONResponse:
    budget = _budget(request)
    body = await _body(request)
    services: FinanceServices = request.app.state.finance
    await claim_write_token(request, services.write_tokens, principal, body.command_id)
    published = await services.publications.publish_quarterly_return(
        principal, budget.provision_id, budget.financial_year, body.quarter, body.command_id,
        recorded_by=body.recorded_by, purpose=headers.purpose, correlation_id=headers.correlation_id)
    return JSONResponse(published.model_dump(mode="json"), status_code=201)
