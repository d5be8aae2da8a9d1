"""Home school: record the governing board's decision on one of the school's exclusions, upheld or the pupil
reinstated (issue 16), so the exclusion leaves the LA's list of those awaiting the board.

Who records it, and why the school: the governing board of the excluding school is the one that considers
reinstatement (STATUTORY.md; DfE suspension and permanent exclusion guidance) and tells the parents, the head and
the local authority of its decision; the LA decides nothing here, it reads the list. So the page is the school's
(its head or staff record the board's decision, policy EXC-4), never the LA officer's. The service holds every
rule (one decision per exclusion, a standing exclusion of this school, the meeting day between the exclusion and
today, the parents told of their right to an independent review before "upheld"); this page only checks that
each answer is there and well formed, and shows a refusal against its field with nothing stored.
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from ap_runtime.access import Role
from ap_web.context import Journey, Web
from ap_web.journeys.dsl_forms import choice_error, date_error, found, items, text_error, uuid_error
from ap_web.pages import Task
from ap_web.refusals import FieldError, problem_errors, refusal_page, refused
from ap_web.session import CheckedForm, Person

BOARD_RECORDERS = frozenset({Role.HOME_SCHOOL_HEAD, Role.HOME_SCHOOL_STAFF})
DECISIONS = {"upheld": "The board upheld the exclusion", "reinstated": "The board reinstated the pupil"}
ANSWERS = ("pupil_ref", "exclusion_record_id", "decision", "board_met_on", "parents_told", "reasons")
#: The service's refusals, each against the question it concerns (others go against the meeting day).
RULE_FIELDS = {"board_decision.exclusion_exists": "exclusion_record_id",
               "reinstatement.exclusion_exists": "exclusion_record_id",
               "board_decision.exclusion_standing": "exclusion_record_id", "board_decision.once": "decision",
               "board_decision.parents_told_of_review": "parents_told"}
PATH = "/home-school/board-decision"
#: The alerts telling the school of an exclusion its board must consider (their cause is the exclusion).
BOARD_ALERTS = frozenset({"permanent_exclusion", "suspension_governors_must_meet"})

router = APIRouter()


def _question(request: Request, web: Web, answers: dict[str, Any], errors: list[FieldError], status: int = 200
              ) -> Response:
    return web.pages.render(request, "home_school/board_decision_question.html", status=status, answers=answers,
                            errors=errors, decisions=DECISIONS, items=items)


def board_links(person: Person, alerts: list[dict[str, Any]]) -> dict[str, str]:
    """notification id -> the decision page for the exclusion the alert is about (for the school's recorders)."""
    if not BOARD_RECORDERS & set(person.roles):
        return {}
    return {str(a["notification_id"]): f"{PATH}?pupil={a['pupil_ref']}&exclusion={a['cause_event_id']}"
            for a in alerts if a.get("rule_name") in BOARD_ALERTS and a.get("pupil_ref") and a.get("cause_event_id")}


def decision_problems(answers: dict[str, str]) -> list[FieldError]:
    """Each missing or malformed answer, in page order (WEB-FORM-1)."""
    upheld, reinstated = answers["decision"] == "upheld", answers["decision"] == "reinstated"
    return found(
        uuid_error(answers, "pupil_ref", "pupil reference"),
        uuid_error(answers, "exclusion_record_id", "exclusion reference"),
        choice_error(answers, "decision", DECISIONS, "Select what the governing board decided"),
        date_error(answers, "board_met_on", "Enter the day the board met as a date, like 2026-12-07")
        or (None if answers["board_met_on"] else FieldError("board_met_on", "Enter the day the board met")),
        None if not upheld or answers["parents_told"] == "yes" else FieldError(
            "parents_told", "Confirm the parents were told of their right to an independent review"),
        text_error(answers, "reasons", "Enter the board's reasons for reinstating the pupil") if reinstated else None,
    )


def decision_command(answers: dict[str, str]) -> tuple[str, dict[str, Any]]:
    """The incidents command for the decision: its path below the pupil and its body."""
    body: dict[str, Any] = {"command_id": str(uuid.uuid4()), "exclusion_record_id": answers["exclusion_record_id"],
                            "board_met_on": answers["board_met_on"]}
    if answers["decision"] == "upheld":
        return "upheld-exclusions", {**body, "parents_told_of_independent_review": True}
    return "reinstatements", {**body, "reasons": answers["reasons"]}


@router.get(PATH, response_class=HTMLResponse)
async def board_decision_question(request: Request, web: Web, person: Person) -> Response:
    if not BOARD_RECORDERS & set(person.roles):
        return refused(web.pages, request)
    asked = {name: "" for name in ANSWERS}
    return _question(request, web, {**asked, "pupil_ref": request.query_params.get("pupil", ""),
                                    "exclusion_record_id": request.query_params.get("exclusion", "")}, [])


@router.post(PATH)
async def board_decision_record(request: Request, web: Web, person: Person, form: CheckedForm) -> Response:
    if not BOARD_RECORDERS & set(person.roles):
        return refused(web.pages, request)
    answers = {name: str(form.get(name, "")).strip() for name in ANSWERS}
    errors = decision_problems(answers)
    if errors:
        return _question(request, web, answers, errors, status=422)
    path, body = decision_command(answers)
    answer = await web.client("incidents").post(f"/v1/pupils/{uuid.UUID(answers['pupil_ref'])}/{path}", person,
                                                body)
    if answer.ok:
        return web.pages.render(request, "home_school/board_decision_done.html", answers=answers,
                                decision=DECISIONS[answers["decision"]])
    page = refusal_page(web.pages, request, answer)
    if page is not None or answer.status not in (409, 422):
        return page or refused(web.pages, request)
    return _question(request, web, answers, problem_errors(
        answer.body, lambda name: name if name in ANSWERS else "board_met_on", RULE_FIELDS, "board_met_on",
        "The service could not record this decision"), status=422)


JOURNEY = Journey(
    router=router,
    tasks=(Task(PATH, "Record the governing board's decision on an exclusion", BOARD_RECORDERS,
                "Upheld, or the pupil reinstated: the exclusion then leaves the local authority's list"),),
)
