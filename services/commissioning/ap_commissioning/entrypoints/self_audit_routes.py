"""The self-audit reads (seed 000, issue 13), each authorised on the audit's stored parties and audited.

  GET /v1/self-audits                                                  the caller's audits (provider or commissioner)
  GET /v1/self-audits/across-providers                                 the caller as commissioner: per statement and
                                                                       year, its providers counted by standing rating
  GET /v1/self-audits/{provider_id}/{commissioner_id}/trend            each statement's ratings year by year
  GET /v1/self-audits/{provider_id}/{commissioner_id}/{academic_year}  one audit, statement by statement
"""

# No ``from __future__ import annotations``: FastAPI reads the endpoint annotations at runtime.
from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from ap_commissioning.application.self_audit_queries import SelfAuditQueries
from ap_commissioning.application.self_audit_views import SelfAuditView
from ap_commissioning.entrypoints.bootstrap import CommissioningServices
from ap_runtime.access.fastapi import CallerDep, HeadersDep

router = APIRouter(tags=["provider self-audit"])


def _queries(request: Request) -> SelfAuditQueries:
    services: CommissioningServices = request.app.state.commissioning
    return services.self_audits


QueriesDep = Annotated[SelfAuditQueries, Depends(_queries)]


def _audit(view: SelfAuditView) -> dict[str, Any]:
    body = asdict(view)
    body["statements"] = [{**asdict(s), "standing": s.standing} for s in view.statements]
    body["complete"] = view.complete
    return body


@router.get("/v1/self-audits")
async def own_self_audits(caller: CallerDep, headers: HeadersDep, queries: QueriesDep) -> list[dict[str, Any]]:
    return [_audit(view) for view in await queries.own(caller, purpose=headers.purpose)]


@router.get("/v1/self-audits/across-providers")
async def across_providers(caller: CallerDep, headers: HeadersDep, queries: QueriesDep) -> list[dict[str, Any]]:
    """Per statement and year, how many of the caller's providers stand at Red, Amber, Green or unrated."""
    return [asdict(row) for row in await queries.across_my_providers(caller, purpose=headers.purpose)]


@router.get("/v1/self-audits/{provider_id}/{commissioner_id}/trend")
async def self_audit_trend(provider_id: str, commissioner_id: str, caller: CallerDep, headers: HeadersDep,
                           queries: QueriesDep) -> list[dict[str, Any]]:
    """Each statement's provider, moderated and standing rating, year by year (oldest first)."""
    trends = await queries.trend(caller, provider_id, commissioner_id, purpose=headers.purpose)
    return [asdict(trend) for trend in trends]


@router.get("/v1/self-audits/{provider_id}/{commissioner_id}/{academic_year}")
async def one_self_audit(provider_id: str, commissioner_id: str, academic_year: str, caller: CallerDep,
                         headers: HeadersDep, queries: QueriesDep) -> dict[str, Any]:
    return _audit(await queries.one(caller, provider_id, commissioner_id, academic_year, purpose=headers.purpose))
