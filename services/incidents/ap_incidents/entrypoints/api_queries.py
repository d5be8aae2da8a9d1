"""Query endpoints: behaviour log, placement register, subject access; each audited and redacted per caller."""

from datetime import date
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from ap_incidents.entrypoints.api_commands import ERROR_RESPONSES, incidents_app
from ap_runtime.access.fastapi import CallerDep as Caller
from ap_runtime.access.fastapi import HeadersDep as Headers
from ap_runtime.privacy.subject_access import render_subject_access_html

READ_ERRORS: dict[int | str, dict[str, Any]] = {
    k: v for k, v in ERROR_RESPONSES.items() if k in (401, 403, 422, 503)}


def query_router() -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["queries"])

    @router.get("/pupils/{pupil_ref}/behaviour-log", responses=READ_ERRORS)
    async def behaviour_log(
        request: Request, pupil_ref: UUID, principal: Caller, headers: Headers,
        safeguarding: Annotated[bool, Query(description="Include safeguarding detail: DSL with "
                                            "X-Access-Purpose, or X-Break-Glass (the DSLs are told; "
                                            "begin the purpose with a category such as "
                                            "'immediate_risk:' to tell them why)")] = False,
        after_version: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
        limit: Annotated[int, Query(ge=1, le=5000)] = 500,
    ) -> dict[str, Any]:
        """The pupil's chronology in stream order; fields the caller may not see are withheld."""
        return await incidents_app(request).behaviour_log(
            principal, pupil_ref, safeguarding=safeguarding, purpose=headers.purpose,
            break_glass=headers.break_glass, correlation_id=headers.correlation_id,
            after_version=after_version, limit=limit)

    @router.get("/placements", responses=READ_ERRORS)
    async def placements(
        request: Request, principal: Caller, headers: Headers,
        status: Annotated[str | None, Query(pattern="^(active|ended)$")] = None,
        provision_id: Annotated[str | None, Query(max_length=200)] = None,
        pupil_ref: UUID | None = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    ) -> dict[str, Any]:
        """Placements the caller's organisation answers for (the LA: all of them)."""
        return await incidents_app(request).placement_register(
            principal, status=status, provision_id=provision_id, pupil_ref=pupil_ref, limit=limit,
            correlation_id=headers.correlation_id)

    @router.get("/provisions/{provision_id}/staff-training", responses=READ_ERRORS)
    async def staff_training(
        request: Request, principal: Caller, headers: Headers,
        provision_id: Annotated[str, Path(min_length=1, max_length=200)],
        on: Annotated[date | None, Query(description="The day the training is judged on (default today)")] = None,
    ) -> dict[str, Any]:
        """Who at the provision is trained in what, in date on the day (the provision; its LA's officers)."""
        return await incidents_app(request).staff_training(principal, provision_id, on=on,
                                                           correlation_id=headers.correlation_id)

    @router.get("/local-authorities/{local_authority_id}/exclusions-awaiting-decision", responses=READ_ERRORS)
    async def exclusions_awaiting(
        request: Request, principal: Caller, headers: Headers,
        local_authority_id: Annotated[str, Path(min_length=1, max_length=200)],
        on: Annotated[date | None, Query(description="The day judged on (default today)")] = None,
    ) -> dict[str, Any]:
        """Exclusions in the authority's schools the governing board has yet to consider, with its due day."""
        return await incidents_app(request).exclusions_awaiting(principal, local_authority_id, on=on,
                                                                correlation_id=headers.correlation_id)

    @router.get("/provisions/{provision_id}/attendance/{session_date}", responses=READ_ERRORS)
    async def attendance_marks(request: Request, principal: Caller, headers: Headers,
                               provision_id: Annotated[str, Path(min_length=1, max_length=200)],
                               session_date: Annotated[date, Path(description="The day, as YYYY-MM-DD")]
                               ) -> dict[str, Any]:
        """Each pupil placed at the provision that day with the morning and afternoon marks as they stand now."""
        return await incidents_app(request).attendance_marks(principal, provision_id, session_date,
                                                             correlation_id=headers.correlation_id)

    @router.get("/organisations/{organisation_id}/term-dates", responses=READ_ERRORS)
    async def term_dates(request: Request, principal: Caller, headers: Headers,
                         organisation_id: Annotated[str, Path(min_length=1, max_length=200)]) -> dict[str, Any]:
        """The term dates the organisation has recorded (an LA's for its area, a school's own), year by year."""
        return await incidents_app(request).term_dates(principal, organisation_id,
                                                       correlation_id=headers.correlation_id)

    @router.get("/pupils/{pupil_ref}/subject-access", responses=READ_ERRORS,
                response_class=JSONResponse,
                openapi_extra={"responses": {"200": {"content": {"text/html": {}}}}})
    async def subject_access(request: Request, pupil_ref: UUID, principal: Caller, headers: Headers) -> Response:
        """Everything held about the pupil (DPO, stating why); ``Accept: text/html`` for a readable copy."""
        document = await incidents_app(request).subject_access(
            principal, pupil_ref, purpose=headers.purpose, correlation_id=headers.correlation_id)
        if "text/html" in request.headers.get("accept", ""):
            return HTMLResponse(render_subject_access_html(document))
        return JSONResponse(document)

    return router
