"""Commissioner / LA: the placement register the incidents service shows the person's organisation (the places
it commissioned; the LA: its area's pupils), each placement's next review as due, due soon or overdue, and the
attendance threshold agreed for it.

Rules served: the incidents service decides which rows the person sees (policy REG-*; another area's authority
sees none, not even that a pupil exists) and whether a pupil's name shows; the page adds nothing of its own. A
review is overdue after its date and due soon within ``DUE_SOON_DAYS`` of today in England.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from ap_runtime.access import Role
from ap_web.context import Journey, Web
from ap_web.pages import SCHOOL_CLOCK, Task
from ap_web.refusals import refusal_page, refused
from ap_web.session import Person

DUE_SOON_DAYS = 28
REGISTER_READERS = frozenset({Role.COMMISSIONER, Role.LA_OFFICER})

router = APIRouter()


def review_status(next_review: object, today: date) -> tuple[str, str]:
    """A review's words and tag colour: overdue (red), due soon (yellow), booked (grey), none (grey)."""
    try:
        day = date.fromisoformat(str(next_review))
    except ValueError:
        return "No review booked", "govuk-tag--grey"
    if day < today:
        return f"Overdue by {(today - day).days} days", "govuk-tag--red"
    if day <= today + timedelta(DUE_SOON_DAYS):
        return f"Due in {(day - today).days} days", "govuk-tag--yellow"
    return "Booked", "govuk-tag--grey"


def register_rows(items: list[dict[str, Any]], today: date) -> list[dict[str, Any]]:
    """The register's rows with each review's status, the most pressing review first."""
    rows = [{**item, "review": review_status(item.get("next_review_date"), today)} for item in items]
    return sorted(rows, key=lambda row: str(row.get("next_review_date") or "9999"))


@router.get("/commissioning/placements", response_class=HTMLResponse)
async def placements(request: Request, web: Web, person: Person) -> Response:
    answer = await web.client("incidents").get("/v1/placements", person, params={"status": "active"})
    if not answer.ok:
        return refusal_page(web.pages, request, answer) or refused(web.pages, request)
    today = datetime.now(SCHOOL_CLOCK).date()
    return web.pages.render(request, "commissioner/placements.html",
                            rows=register_rows(answer.body.get("placements") or [], today))


JOURNEY = Journey(
    router=router,
    tasks=(Task("/commissioning/placements", "Placement register", REGISTER_READERS,
                "Placements, their reviews due and overdue, and attendance thresholds"),),
)
