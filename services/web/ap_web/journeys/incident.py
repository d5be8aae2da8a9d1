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
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from ap_runtime.access import Role
from ap_web.context import Journey, ServiceUnavailable, Web
from ap_web.journeys.incident_form import CHOICES, RULE_FIELDS, check_answers, choice_items, command_body
from ap_web.journeys.provision_pupils import placed_pupil
from ap_web.pages import Task
from ap_web.question_pages import Asking, QuestionPage, Refusals, add_question_page, field_named, posted_answers
from ap_web.refusals import NotFound, refusal_page, refused
from ap_web.service_client import ServiceAnswer
from ap_web.session import Person

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


async def _shown(asking: Asking, draft: dict[str, Any] | None) -> dict[str, Any]:
    """The draft, unless a pupil was chosen from the pupil list: then the references come from the register."""
    chosen = asking.request.query_params.get("pupil")
    if chosen is None:
        return draft or {}
    try:
        placed = await placed_pupil(asking.web, asking.person, uuid.UUID(chosen))
    except ValueError:
        placed = None
    if placed is None:
        raise NotFound
    return {"pupil_ref": placed.pupil_ref, "placement_id": placed.placement_id, "pupil_name": placed.name}


async def _read(asking: Asking, form: FormData) -> dict[str, Any]:
    answers = posted_answers(form, QUESTIONS)
    answers["triggers"] = [str(value) for value in form.getlist("triggers")]
    return await _with_pupil(asking.web, asking.person, answers)


async def _send(asking: Asking, answers: dict[str, Any]) -> ServiceAnswer:
    return await asking.web.client("incidents").post(f"/v1/pupils/{answers['pupil_ref']}/incidents", asking.person,
                                                     command_body(answers, asking.person.user_id))


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


add_question_page(router, QuestionPage(
    draft=DRAFT, path="/incidents/new", check_path="/incidents/check",
    templates=("staff/incident_question.html", "staff/incident_check.html", "staff/incident_done.html"),
    ids=("command_id", "incident_id"), shown=_shown, read=_read, send=_send,
    check=lambda _asking, answers: check_answers(answers),
    refusals=Refusals(field_named(FIELDS, "description", {"happened_at": "happened_on"}), "description",
                      "The incident could not be recorded. Check your answers and try again.", RULE_FIELDS,
                      as_sentences=False)))


JOURNEY = Journey(
    router=router,
    tasks=(Task("/incidents/new", "Record an incident", STAFF, "Something that happened with a pupil today"),),
    template_globals={
        "choice_items": choice_items,
        "choice_text": lambda name, value: CHOICES[name].get(str(value), str(value)),
        "choice_words": lambda name, values: ", ".join(CHOICES[name].get(str(value), str(value)) for value in values),
    },
)
