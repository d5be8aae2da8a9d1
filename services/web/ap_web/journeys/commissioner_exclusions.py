"""Commissioner / LA officer: the exclusions in the authority's schools awaiting the governing board's decision,
each with the board's due day as a tag (issue 16).

Rules served: the incidents service decides who reads the list (policy EXC-LA-1: the officers and commissioners of
the schools' local authority) and what awaits the board (a permanent exclusion, or suspensions taking a term over
15 school days, until the school records the board's decision, reinstated or upheld); one past its due day, 15
school days on, stays listed and is tagged overdue. The page asks for the person's own authority only and shows a
child by a shortened ``pupil_ref``. A refusal is the not-found page.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from ap_runtime.access import Role
from ap_web.context import Journey, Web
from ap_web.pages import SCHOOL_CLOCK, Task, date_in_words
from ap_web.refusals import refusal_page, refused
from ap_web.session import Person

EXCLUSION_READERS = frozenset({Role.LA_OFFICER, Role.COMMISSIONER})
DUE_SOON_DAYS = 7

router = APIRouter()


def due_tag(due_by: object, today: date) -> tuple[str, str]:
    """The board's due day in words with its tag colour: past it red and overdue, today red, within a week yellow,
    later blue."""
    try:
        due = date.fromisoformat(str(due_by))
    except ValueError:
        return "Due day unknown: no term dates recorded", "govuk-tag--grey"
    if due < today:
        return f"Overdue: was due by {date_in_words(due.isoformat())}", "govuk-tag--red"
    if due == today:
        return "Due today", "govuk-tag--red"
    colour = "govuk-tag--yellow" if (due - today).days <= DUE_SOON_DAYS else "govuk-tag--blue"
    return f"Due by {date_in_words(due.isoformat())}", colour


def exclusion_kind(row: dict[str, Any]) -> str:
    if row.get("kind") == "permanent_exclusion":
        return "Permanent exclusion"
    return "Suspension taking the term over 15 school days"


@router.get("/commissioning/exclusions", response_class=HTMLResponse)
async def exclusions(request: Request, web: Web, person: Person) -> Response:
    path = f"/v1/local-authorities/{person.organisation_id}/exclusions-awaiting-decision"
    answer = await web.client("incidents").get(path, person)
    if not answer.ok:
        return refusal_page(web.pages, request, answer) or refused(web.pages, request)
    today = datetime.now(SCHOOL_CLOCK).date()
    rows = [{**row, "what": exclusion_kind(row), "due": due_tag(row.get("board_due_by"), today),
             "told_on": row.get("decided_on") or row.get("first_day")}
            for row in answer.body.get("exclusions") or []]
    return web.pages.render(request, "commissioner_exclusions/list.html", rows=rows)


JOURNEY = Journey(
    router=router,
    tasks=(Task("/commissioning/exclusions", "Exclusions awaiting decision", EXCLUSION_READERS,
                "Permanent exclusions and long suspensions the governing board must consider, with due dates"),),
)
