"""The access audit for the data protection officer: a table of who read or changed what, when and why, with
the decision and its rule, filtered by pupil and by date.

Rules served (DPA 2018 s.62; policy DP-SAR-* about one pupil, DP-AUD-1 for the DPO's own organisation's users):
the incidents service decides and audits the read with the purpose ``audit``; the filters are checked here
first and a wrong one is named against its field, with nothing asked of the service.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from ap_web.context import Web
from ap_web.journeys.dsl_forms import date_error, found, uuid_error
from ap_web.refusals import refusal_page, refused
from ap_web.session import Person

FILTERS = ("pupil_ref", "since", "until")
PAGE = 200

router = APIRouter()


def _params(asked: dict[str, str]) -> dict[str, str]:
    """The service's query: ``since`` inclusive from the start of its day, ``until`` through the end of its day."""
    params = {"limit": str(PAGE)}
    if asked["pupil_ref"]:
        params["pupil_ref"] = asked["pupil_ref"]
    if asked["since"]:
        params["since"] = f"{asked['since']}T00:00:00+00:00"
    if asked["until"]:
        params["until"] = f"{date.fromisoformat(asked['until']) + timedelta(1)}T00:00:00+00:00"
    return params


@router.get("/dpo/audit", response_class=HTMLResponse)
async def audit(request: Request, web: Web, person: Person) -> Response:
    asked = {name: request.query_params.get(name, "").strip() for name in FILTERS}
    errors = found(
        uuid_error(asked, "pupil_ref", "pupil reference") if asked["pupil_ref"] else None,
        date_error(asked, "since", "Enter the first day as a date, like 2026-12-01"),
        date_error(asked, "until", "Enter the last day as a date, like 2026-12-05"),
    )
    if errors:
        return web.pages.render(request, "dpo/audit.html", status=422, asked=asked, errors=errors, records=[])
    answer = await web.client("incidents").call("GET", "/v1/audit", person, params=_params(asked),
                                                headers={"X-Access-Purpose": "audit"})
    if not answer.ok:
        return refusal_page(web.pages, request, answer) or refused(web.pages, request)
    records: list[dict[str, Any]] = answer.body.get("records") or []
    return web.pages.render(request, "dpo/audit.html", asked=asked, errors=[], records=records,
                            scope=answer.body.get("scope"), more=answer.body.get("next_after_seq") is not None)
