"""``GET /v1/audit``: the access audit for a data protection officer (audited, purpose required)."""

from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request

from ap_incidents.application.audit_query import AuditFilter
from ap_incidents.entrypoints.api_commands import incidents_app
from ap_incidents.entrypoints.api_queries import READ_ERRORS
from ap_runtime.access.fastapi import CallerDep as Caller
from ap_runtime.access.fastapi import HeadersDep as Headers

MAX_PAGE = 1000


def _utc(moment: datetime | None) -> datetime | None:
    """A time without a zone is read as UTC (the audit stores UTC)."""
    return moment if moment is None or moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def audit_router() -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["privacy"])

    @router.get("/audit", responses=READ_ERRORS)
    async def audit(
        request: Request, principal: Caller, headers: Headers,
        pupil_ref: Annotated[UUID | None, Query(description="Records about this pupil (any organisation's "
                                                            "users); without it, your own organisation's")] = None,
        user_id: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
        since: Annotated[datetime | None, Query(description="Inclusive; UTC when no zone is given")] = None,
        until: Annotated[datetime | None, Query(description="Exclusive; UTC when no zone is given")] = None,
        after_seq: Annotated[int, Query(ge=0, le=2**62, description="Last seq of the previous page")] = 0,
        limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 200,
    ) -> dict[str, Any]:
        """Who read or changed what, when, why, and the decision with its rule; never the data itself.

        Access action `privacy.read_audit`: the DPO of an organisation responsible for the pupil, or
        of the users' own organisation, with `X-Access-Purpose`. The read is audited too.
        """
        wanted = AuditFilter(pupil_ref=pupil_ref, user_id=user_id, since=_utc(since), until=_utc(until),
                             after_seq=after_seq, limit=limit)
        return await incidents_app(request).audit(principal, wanted, purpose=headers.purpose,
                                                  correlation_id=headers.correlation_id)

    return router
