"""The safeguarding file transfer (KCSIE): the DSL sends a pupil's child-protection file to the new setting
(question, check, confirmation), both DSLs follow it against its deadline of 5 school days, and the
receiving DSL confirms receipt.

Rules served: the notifications service decides who may send (SG-FILE-1, SG-FILE-2), read (sender or
receiver) and confirm (SG-FILE-3), and computes the deadline on the school calendars; this page only shows
it, tagged due, overdue or received. Anyone else gets the not-found page naming nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ap_runtime.access import Role
from ap_web.context import Journey, Web
from ap_web.journeys.dsl_forms import found, text_error, uuid_error
from ap_web.pages import SCHOOL_CLOCK
from ap_web.question_pages import Asking, QuestionPage, Refusals, add_question_page, field_named, only_for
from ap_web.refusals import FieldError, refusal_page, refused
from ap_web.service_client import ServiceAnswer
from ap_web.session import CheckedForm, Person

DRAFT = "safeguarding_transfer"
FIELDS = ("pupil_ref", "to_organisation_id")
TRANSFERS = "/v1/safeguarding-transfers"

router = APIRouter()


def deadline_tag(transfer: Mapping[str, Any], today: date) -> dict[str, str]:
    """The transfer's state as a GOV.UK tag: received (green), overdue (red) once the service recorded it
    overdue or its due day has passed unconfirmed, otherwise due (blue)."""
    if transfer.get("confirmed_at"):
        return {"text": "Received", "classes": "govuk-tag--green"}
    due = date.fromisoformat(str(transfer["due_by"]))
    if transfer.get("overdue_detected_on") or today > due:
        return {"text": "Overdue", "classes": "govuk-tag--red"}
    return {"text": "Due", "classes": "govuk-tag--blue"}


def today() -> date:
    return datetime.now(SCHOOL_CLOCK).date()


async def _shown(asking: Asking, draft: dict[str, Any] | None) -> dict[str, Any]:
    return draft or {"pupil_ref": asking.request.query_params.get("pupil", "")}


def _check(_asking: Asking, answers: dict[str, Any]) -> list[FieldError]:
    return found(uuid_error(answers, "pupil_ref", "pupil reference"),
                 text_error(answers, "to_organisation_id", "Enter the setting the pupil is moving to", 200))


async def _send(asking: Asking, answers: dict[str, Any]) -> ServiceAnswer:
    body = {name: answers[name] for name in ("transfer_id", *FIELDS)}
    return await asking.web.client("notifications").post(TRANSFERS, asking.person, body)


# Before the transfer's own page: /safeguarding/transfers/{transfer_id} would take /safeguarding/transfers/check.
add_question_page(router, QuestionPage(
    draft=DRAFT, path="/safeguarding/transfers/new", check_path="/safeguarding/transfers/check",
    templates=("dsl/transfer_question.html", "dsl/transfer_check.html", "dsl/transfer_done.html"),
    questions=FIELDS, ids=("transfer_id",), gate=only_for(frozenset({Role.DSL})), shown=_shown, check=_check,
    send=_send, done=lambda _asking, _answers, answer: {"transfer": answer.body},
    refusals=Refusals(field_named(FIELDS, "to_organisation_id"), "to_organisation_id",
                      "The file could not be sent. Check your answers and try again.")))


@router.get("/safeguarding/transfers/{transfer_id}", response_class=HTMLResponse)
async def transfer(request: Request, web: Web, person: Person, transfer_id: uuid.UUID) -> Response:
    answer = await web.client("notifications").get(f"{TRANSFERS}/{transfer_id}", person)
    if not answer.ok:
        return refusal_page(web.pages, request, answer) or refused(web.pages, request)
    receiving = answer.body.get("receiving_dsl_organisation_id") == person.organisation_id
    return web.pages.render(request, "dsl/transfer.html", transfer=answer.body,
                            tag=deadline_tag(answer.body, today()), receiving=receiving)


@router.post("/safeguarding/transfers/{transfer_id}/receipt")
async def confirm_receipt(request: Request, web: Web, person: Person, _form: CheckedForm, transfer_id: uuid.UUID
                          ) -> Response:
    answer = await web.client("notifications").post(f"{TRANSFERS}/{transfer_id}/receipt", person, {})
    if not answer.ok:
        return refusal_page(web.pages, request, answer) or refused(web.pages, request)
    return RedirectResponse(f"/safeguarding/transfers/{transfer_id}", status_code=303)


JOURNEY = Journey(router=router)
