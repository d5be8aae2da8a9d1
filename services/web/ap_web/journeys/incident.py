"""Record an incident (provision staff): question page, check your answers, confirmation; and the pupil's
behaviour log, as the incidents service shows it to the signed-in person.

Rules served: WEB-FORM-1 (each problem against its field, nothing sent until all answers are valid);
WEB-DRAFT-1 (the answers wait in the server's draft store, never in the cookie); a service's rule refusal is
shown against its field with nothing stored; a pupil not the person's is a not-found page naming nothing.
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ap_runtime.access import Role
from ap_web.context import Journey, ServiceUnavailable, Web
from ap_web.journeys.incident_form import CHOICES, RULE_FIELDS, check_answers, choice_items, command_body
from ap_web.journeys.provision_pupils import placed_pupil
from ap_web.pages import Task
from ap_web.refusals import NotFound, problem_errors, refusal_page, refused
from ap_web.session import CheckedForm, Person

DRAFT = "incident"
QUESTIONS = ("pupil_ref", "placement_id", "happened_on", "happened_time", "category", "severity", "location",
             "description")
FIELDS = ("pupil_ref", "placement_id", "happened_on", "category", "severity", "location", "triggers",
          "description")
STAFF = frozenset({Role.PROVISION_STAFF})

router = APIRouter()


async def _with_pupil(web: Web, person: Person, answers: dict[str, Any]) -> dict[str, Any]:
    """The answers with the pupil's name when the person's provision places that pupil (the register's word,
    never the form's); with a name the page asks no references (they come from the pupil list)."""
    try:
        pupil = await placed_pupil(web, person, uuid.UUID(str(answers.get("pupil_ref"))))
    except (ValueError, ServiceUnavailable):  # no name then: the references typed still serve
        pupil = None
    if pupil is None or pupil.placement_id != answers.get("placement_id"):
        return {**answers, "pupil_name": None}
    return {**answers, "pupil_name": pupil.name}


@router.get("/incidents/new", response_class=HTMLResponse)
async def incident_question(request: Request, web: Web, person: Person, pupil: uuid.UUID | None = None) -> Response:
    answers = await web.load_draft(request, DRAFT) or {}
    if pupil is not None:  # chosen from the pupil list: the references come from the register
        placed = await placed_pupil(web, person, pupil)
        if placed is None:
            raise NotFound
        answers = {"pupil_ref": placed.pupil_ref, "placement_id": placed.placement_id, "pupil_name": placed.name}
    return web.pages.render(request, "staff/incident_question.html", answers=answers, errors=[])


@router.post("/incidents/new")
async def incident_answers(request: Request, form: CheckedForm, web: Web, person: Person) -> Response:
    answers: dict[str, Any] = {name: str(form.get(name, "")).strip() for name in QUESTIONS}
    answers["triggers"] = [str(value) for value in form.getlist("triggers")]
    answers = await _with_pupil(web, person, answers)
    errors = check_answers(answers)
    if errors:
        return web.pages.render(request, "staff/incident_question.html", status=422, answers=answers,
                                errors=errors)
    answers["command_id"], answers["incident_id"] = str(uuid.uuid4()), str(uuid.uuid4())
    await web.save_draft(request, DRAFT, answers)
    return RedirectResponse("/incidents/check", status_code=303)


@router.get("/incidents/check", response_class=HTMLResponse)
async def incident_check(request: Request, web: Web, _person: Person) -> Response:
    answers = await web.load_draft(request, DRAFT)
    if not answers:
        return RedirectResponse("/incidents/new", status_code=303)
    return web.pages.render(request, "staff/incident_check.html", answers=answers)


@router.post("/incidents/check")
async def incident_send(request: Request, _form: CheckedForm, web: Web, person: Person) -> Response:
    answers = await web.load_draft(request, DRAFT)
    if not answers:
        return RedirectResponse("/incidents/new", status_code=303)
    answer = await web.client("incidents").post(f"/v1/pupils/{answers['pupil_ref']}/incidents", person,
                                                command_body(answers, person.user_id))
    if answer.ok:
        await web.discard_draft(request, DRAFT)
        return web.pages.render(request, "staff/incident_done.html", answers=answers)
    page = refusal_page(web.pages, request, answer)
    if page is not None:
        return page
    # A validation or rule refusal: shown against the fields, in the service's own words; nothing stored.
    errors = problem_errors(answer.body, _field_of, RULE_FIELDS, "description",
                            "The incident could not be recorded. Check your answers and try again.")
    return web.pages.render(request, "staff/incident_question.html", status=422, answers=answers, errors=errors)


@router.get("/pupils/{pupil_ref}/behaviour-log", response_class=HTMLResponse)
async def behaviour_log(request: Request, web: Web, person: Person, pupil_ref: uuid.UUID) -> Response:
    answer = await web.client("incidents").get(f"/v1/pupils/{pupil_ref}/behaviour-log", person)
    if not answer.ok:
        # Any other refusal of a reading (e.g. a 422) is also not found, naming nothing.
        return refusal_page(web.pages, request, answer) or refused(web.pages, request)
    # The name only where the person's own provision places the pupil (the register says so); else the reference.
    pupil = await placed_pupil(web, person, pupil_ref)
    return web.pages.render(request, "staff/behaviour_log.html", pupil_ref=str(pupil_ref),
                            pupil_name=pupil.name if pupil else None,
                            entries=answer.body.get("entries") or answer.body.get("items") or [])


def _field_of(service_field: str) -> str:
    """The page's field for a service's field name (``happened_at`` is asked as a date and a time)."""
    head = service_field.split(".")[0].split("[")[0]
    if head == "happened_at":
        return "happened_on"
    return head if head in FIELDS else "description"


JOURNEY = Journey(
    router=router,
    tasks=(Task("/incidents/new", "Record an incident", STAFF, "Something that happened with a pupil today"),),
    template_globals={
        "choice_items": choice_items,
        "choice_text": lambda name, value: CHOICES[name].get(str(value), str(value)),
        "choice_words": lambda name, values: ", ".join(CHOICES[name].get(str(value), str(value)) for value in values),
    },
)
