"""Commissioner / LA officer: one panel's cases as the commissioning service keeps them — referrals to the
continuum with their decision as a tag (awaiting a decision; decided within, or beyond, the service's expected
wait) and Fair Access cases with the school-day bands they reached and a tag when beyond the expectation.

Rules served: the commissioning service decides who reads a panel's cases (policy COMM-PANEL-1: the panel's own
local authority; COMM-PANEL-2: organisations sitting on it); any refusal, and a panel that is not there, is the
not-found page naming nothing. Cases name a child only by ``pupil_ref`` (shortened here). The start page lists, as
links, the panels of the person's area whose cases the service lets them read (``/v1/local-authorities/{la}/panels``,
counts only); a panel's reference may still be typed.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ap_runtime.access import Role
from ap_web.context import Journey, Web
from ap_web.pages import Task
from ap_web.refusals import FieldError, refusal_page, refused
from ap_web.session import Person

CASE_READERS = frozenset({Role.LA_OFFICER, Role.COMMISSIONER})
_PANEL = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$")

router = APIRouter()


def referral_status(referral: dict[str, Any]) -> tuple[str, str]:
    """A referral's decision in words with its tag colour."""
    if referral.get("decision") is None:
        return "Awaiting decision", "govuk-tag--yellow"
    if referral.get("within_expected_wait") is False:
        return f"Decided ({referral['decision']}), beyond the expected wait", "govuk-tag--red"
    return f"Decided ({referral['decision']})", "govuk-tag--green"


def case_status(case: dict[str, Any]) -> tuple[str, str]:
    """A Fair Access case's state in words with its tag colour: beyond the expectation is red."""
    if case.get("beyond_expectation"):
        return ("Open, beyond the expected wait" if case.get("open") else "Closed, beyond the expected wait",
                "govuk-tag--red")
    return ("Open", "govuk-tag--yellow") if case.get("open") else ("Closed", "govuk-tag--grey")


@router.get("/commissioning/panels", response_class=HTMLResponse)
async def find_panel(request: Request, web: Web, person: Person) -> Response:
    """The area's panels as links, and a GET form naming a panel; a panel id that cannot be one is a field error."""
    answer = await web.client("commissioning").get(f"/v1/local-authorities/{person.organisation_id}/panels", person)
    if not answer.ok:
        return refusal_page(web.pages, request, answer) or refused(web.pages, request)
    panels = [p for p in answer.body.get("panels") or [] if _PANEL.match(str(p.get("panel_id")))]
    panel = request.query_params.get("panel")
    if panel is None:
        return web.pages.render(request, "commissioner_cases/find.html", errors=[], panel="", panels=panels)
    if not _PANEL.match(panel):
        errors = [FieldError("panel", "Enter the panel's reference, for example panel-north")]
        return web.pages.render(request, "commissioner_cases/find.html", errors=errors, panel=panel, panels=panels)
    return RedirectResponse(f"/commissioning/panels/{panel}", status_code=303)


@router.get("/commissioning/panels/{panel_id}", response_class=HTMLResponse)
async def panel_cases(request: Request, web: Web, person: Person, panel_id: str) -> Response:
    if not _PANEL.match(panel_id):
        return refused(web.pages, request)
    answer = await web.client("commissioning").get(f"/v1/panels/{panel_id}", person)
    if not answer.ok:
        return refusal_page(web.pages, request, answer) or refused(web.pages, request)
    panel = answer.body
    referrals = [{**r, "status": referral_status(r)} for r in panel.get("referrals") or []]
    cases = [{**c, "status": case_status(c)} for c in panel.get("fair_access_cases") or []]
    return web.pages.render(request, "commissioner_cases/panel.html", panel=panel,
                            referrals=sorted(referrals, key=lambda r: str(r.get("referred_on"))),
                            cases=sorted(cases, key=lambda c: str(c.get("without_place_since"))))


JOURNEY = Journey(
    router=router,
    tasks=(Task("/commissioning/panels", "Panel and Fair Access cases", CASE_READERS,
                "Referrals awaiting a decision and Fair Access cases, with waits beyond expectation"),),
)
