"""The reads of service level agreements (each authorised on the agreement's stored parties and audited).

  GET /v1/slas                                             the caller's agreements (``?on=``: in force then)
  GET /v1/slas/{provision_id}/{commissioner_id}            one agreement: versions, signatures, reviews
  GET /v1/slas/{provision_id}/{commissioner_id}/in-force   the version in force on ``?on=`` (default today)
  GET /v1/slas/{provision_id}/{commissioner_id}/review-status   next review due, overdue or not
  GET /v1/provisions/{provision_id}/slas/in-force          the provision's versions in force on ``?on=``
  GET /v1/sla-reviews/overdue                              the caller's agreements whose review is overdue
  GET /v1/sla-review-templates/{template_id}/{version}     the review questionnaire
"""

# No ``from __future__ import annotations``: FastAPI reads the endpoint annotations at runtime.
from dataclasses import asdict
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from ap_commissioning.application.sla_views import ReviewStatusView, SlaView, VersionView
from ap_commissioning.domain.declarations import READ_REVIEW_TEMPLATES
from ap_commissioning.domain.sla_review import template_of
from ap_commissioning.entrypoints.bootstrap import CommissioningServices
from ap_runtime.access import ResourceContext
from ap_runtime.access.fastapi import CallerDep, GuardDep, HeadersDep

router = APIRouter(tags=["service level agreements"])


def _services(request: Request) -> CommissioningServices:
    services: CommissioningServices = request.app.state.commissioning
    return services


ServicesDep = Annotated[CommissioningServices, Depends(_services)]


@router.get("/v1/slas")
async def own_slas(caller: CallerDep, headers: HeadersDep, services: ServicesDep,
                   on: date | None = None) -> list[SlaView]:
    """The agreements the caller's organisation is a party to; with ``on``, only those in force that day."""
    return await services.slas.own(caller, on, purpose=headers.purpose)


@router.get("/v1/slas/{provision_id}/{commissioner_id}")
async def one_sla(provision_id: str, commissioner_id: str, caller: CallerDep, headers: HeadersDep,
                  services: ServicesDep) -> SlaView:
    return await services.slas.sla(caller, provision_id, commissioner_id, purpose=headers.purpose)


@router.get("/v1/slas/{provision_id}/{commissioner_id}/in-force")
async def sla_in_force(provision_id: str, commissioner_id: str, caller: CallerDep, headers: HeadersDep,
                       services: ServicesDep, on: date | None = None) -> VersionView:
    """The version in force on ``on`` (default today); 404 ``sla.in_force_on_date`` when none is."""
    return await services.slas.in_force(caller, provision_id, commissioner_id, on or services.slas.today(),
                                        purpose=headers.purpose)


@router.get("/v1/slas/{provision_id}/{commissioner_id}/review-status")
async def sla_review_status(provision_id: str, commissioner_id: str, caller: CallerDep, headers: HeadersDep,
                            services: ServicesDep) -> ReviewStatusView:
    return await services.slas.review_status(caller, provision_id, commissioner_id, purpose=headers.purpose)


@router.get("/v1/provisions/{provision_id}/slas/in-force")
async def provision_slas_in_force(provision_id: str, caller: CallerDep, headers: HeadersDep,
                                  services: ServicesDep, on: date | None = None) -> list[VersionView]:
    """The provision's versions in force on ``on`` (default today) among the agreements the caller is party to."""
    return await services.slas.in_force_for_provision(caller, provision_id, on or services.slas.today(),
                                                      purpose=headers.purpose)


@router.get("/v1/sla-reviews/overdue")
async def overdue_reviews(caller: CallerDep, headers: HeadersDep, services: ServicesDep) -> list[ReviewStatusView]:
    """The caller's agreements whose review is past its date (alerting them is issue 14's)."""
    return await services.slas.overdue_reviews(caller, purpose=headers.purpose)


@router.get("/v1/sla-review-templates/{template_id}/{version}")
async def review_template(template_id: str, version: int, caller: CallerDep, headers: HeadersDep,
                          guard: GuardDep) -> dict[str, Any]:
    """The review questionnaire (seed 001, appendix 1) as data: its questions, kinds and which are required."""
    await guard.check(caller, READ_REVIEW_TEMPLATES, ResourceContext(organisation_id=caller.organisation_id),
                      purpose=headers.purpose, correlation_id=headers.correlation_id)
    template = template_of(template_id, version)
    return {**asdict(template), "max_score": template.max_score}
