"""Home school: record the governing board's decision on one of the school's exclusions, upheld or the pupil
reinstated (issue 16), so the exclusion leaves the LA's list of those awaiting the board.

Who records it, and why the school: the governing board of the excluding school is the one that considers
reinstatement (STATUTORY.md; DfE suspension and permanent exclusion guidance) and tells the parents, the head and
the local authority of its decision; the LA decides nothing here, it reads the list. So the page is the school's
(its head or staff record the board's decision, policy EXC-4), never the LA officer's. The service holds every
rule (one decision per exclusion, a standing exclusion of this school, the meeting day between the exclusion and
today, the parents told of their right to an independent review before "upheld"); this page only checks that
each answer is there and well formed, and shows a refusal against its field with nothing stored (a one-page
form sent at once, ``ap_web.question_pages``).
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from ap_runtime.access import Role
from ap_web.context import Journey
from ap_web.journeys.dsl_forms import choice_error, date_error, found, items, text_error, uuid_error
from ap_web.pages import Task
from ap_web.question_pages import Answers, Asking, QuestionPage, Refusals, add_question_page, only_for
from ap_web.refusals import FieldError, refused
from ap_web.service_client import ServiceAnswer
from ap_web.session import Person

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


async def _shown(asking: Asking, _draft: Answers | None) -> Answers:
    asked = {name: "" for name in ANSWERS}
    return {**asked, "pupil_ref": asking.request.query_params.get("pupil", ""),
            "exclusion_record_id": asking.request.query_params.get("exclusion", "")}


async def _send(asking: Asking, answers: Answers) -> ServiceAnswer:
    path, body = decision_command(answers)
    return await asking.web.client("incidents").post(f"/v1/pupils/{uuid.UUID(answers['pupil_ref'])}/{path}",
                                                     asking.person, body)


async def _refused(asking: Asking, _answers: Answers, answer: ServiceAnswer) -> int | Response:
    # A rule's refusal (409, 422) goes against its question; any other names nothing.
    return 422 if answer.status in (409, 422) else refused(asking.web.pages, asking.request)


add_question_page(router, QuestionPage(
    draft="board_decision", path=PATH, check_path=None,
    templates=("home_school/board_decision_question.html", "", "home_school/board_decision_done.html"),
    questions=ANSWERS, ids=(), gate=only_for(BOARD_RECORDERS), shown=_shown,
    check=lambda _asking, answers: decision_problems(answers), send=_send, refused=_refused,
    done=lambda _asking, answers, _answer: {"answers": answers, "decision": DECISIONS[answers["decision"]]},
    refusals=Refusals(lambda name: name if name in ANSWERS else "board_met_on", "board_met_on",
                      "The service could not record this decision", RULE_FIELDS, as_sentences=False),
    extra={"decisions": DECISIONS, "items": items}))

JOURNEY = Journey(
    router=router,
    tasks=(Task(PATH, "Record the governing board's decision on an exclusion", BOARD_RECORDERS,
                "Upheld, or the pupil reinstated: the exclusion then leaves the local authority's list"),),
)
