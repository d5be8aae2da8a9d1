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
from ap_web.journeys.dsl_forms import field_of, found, sentences, text_error, uuid_error
from ap_web.pages import SCHOOL_CLOCK
from ap_web.refusals import problem_errors, refusal_page, refused
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


@router.get("/safeguarding/transfers/new", response_class=HTMLResponse)
async def transfer_question(request: Request, web: Web, person: Person) -> Response:
    if Role.DSL not in person.roles:
        return refused(web.pages, request)
    answers = await web.load_draft(request, DRAFT) or {"pupil_ref": request.query_params.get("pupil", "")}
    return web.pages.render(request, "dsl/transfer_question.html", answers=answers, errors=[])


@router.post("/safeguarding/transfers/new")
async def transfer_answers(request: Request, web: Web, _person: Person, form: CheckedForm) -> Response:
    answers: dict[str, Any] = {name: str(form.get(name, "")).strip() for name in FIELDS}
    errors = found(uuid_error(answers, "pupil_ref", "pupil reference"),
                   text_error(answers, "to_organisation_id", "Enter the setting the pupil is moving to", 200))
    if errors:
        return web.pages.render(request, "dsl/transfer_question.html", status=422, answers=answers, errors=errors)
    answers["transfer_id"] = str(uuid.uuid4())
    await web.save_draft(request, DRAFT, answers)
    return RedirectResponse("/safeguarding/transfers/check", status_code=303)


@router.get("/safeguarding/transfers/check", response_class=HTMLResponse)
async def transfer_check(request: Request, web: Web, _person: Person) -> Response:
    answers = await web.load_draft(request, DRAFT)
    if not answers:
        return RedirectResponse("/safeguarding/transfers/new", status_code=303)
    return web.pages.render(request, "dsl/transfer_check.html", answers=answers)


@router.post("/safeguarding/transfers/check")
async def transfer_send(request: Request, web: Web, person: Person, _form: CheckedForm) -> Response:
    answers = await web.load_draft(request, DRAFT)
    if not answers:
        return RedirectResponse("/safeguarding/transfers/new", status_code=303)
    body = {"transfer_id": answers["transfer_id"], "pupil_ref": answers["pupil_ref"],
            "to_organisation_id": answers["to_organisation_id"]}
    answer = await web.client("notifications").post(TRANSFERS, person, body)
    if answer.ok:
        await web.discard_draft(request, DRAFT)
        return web.pages.render(request, "dsl/transfer_done.html", transfer=answer.body)
    page = refusal_page(web.pages, request, answer)
    if page is not None:
        return page
    errors = sentences(problem_errors(answer.body, field_of(FIELDS, "to_organisation_id"), {}, "to_organisation_id",
                                      "The file could not be sent. Check your answers and try again."))
    return web.pages.render(request, "dsl/transfer_question.html", status=422, answers=answers, errors=errors)


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
