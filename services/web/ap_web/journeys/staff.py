"""Provision staff: the provision's pupils, and for one pupil a sanction, a reward, spending reward slips, an
engagement score or target (``staff_forms``), each a question page, check your answers and a confirmation.

Rules served: WEB-FORM-1 and WEB-DRAFT-1 (as the incident journey); the pupil is picked from the list the
incidents service gives the person (``provision_pupils``), and a pupil not placed at the person's provision is
a not-found page naming nothing; what the service refuses is shown against the question, nothing stored.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ap_runtime.access import Role
from ap_web.context import Journey, Web
from ap_web.journeys.provision_pupils import PlacedPupil, placed_pupil, placed_pupils
from ap_web.journeys.staff_forms import FORMS, PupilForm, check, command_body, radio_items, read_answers, shown
from ap_web.pages import Task
from ap_web.refusals import FieldError, NotFound, problem_errors, refusal_page, refused
from ap_web.session import CheckedForm, Person

STAFF = frozenset({Role.PROVISION_STAFF, Role.PROVISION_MANAGER})

router = APIRouter()


@router.get("/pupils", response_class=HTMLResponse)
async def pupils(request: Request, web: Web, person: Person) -> Response:
    answer, found = await placed_pupils(web, person)
    if not answer.ok:
        return refusal_page(web.pages, request, answer) or refused(web.pages, request)
    return web.pages.render(request, "staff/pupils.html", pupils=found, forms=list(FORMS.values()))


async def form_and_pupil(web: Web, person: Person, pupil_ref: UUID, slug: str) -> tuple[PupilForm, PlacedPupil]:
    """The form named in the address and the pupil, placed at the person's provision; else not found."""
    form, pupil = FORMS.get(slug), await placed_pupil(web, person, pupil_ref)
    if form is None or pupil is None:
        raise NotFound
    return form, pupil


Chosen = Annotated[tuple[PupilForm, PlacedPupil], Depends(form_and_pupil)]


def _question_page(request: Request, web: Web, form: PupilForm, pupil: PlacedPupil, answers: dict[str, str],
                   errors: list[FieldError], status: int = 200) -> Response:
    return web.pages.render(request, "staff/pupil_form.html", status=status, form=form, pupil=pupil,
                            answers=answers, errors=errors)


@router.get("/pupils/{pupil_ref}/record/{slug}", response_class=HTMLResponse)
async def question(request: Request, web: Web, chosen: Chosen) -> Response:
    form, pupil = chosen
    draft = await web.load_draft(request, f"staff:{form.slug}") or {}
    answers = draft.get("answers", {}) if draft.get("pupil_ref") == pupil.pupil_ref else {}
    return _question_page(request, web, form, pupil, answers, [])


@router.post("/pupils/{pupil_ref}/record/{slug}")
async def answered(request: Request, posted: CheckedForm, web: Web, person: Person, chosen: Chosen) -> Response:
    form, pupil = chosen
    answers = read_answers(form, posted)
    errors = check(form, answers)
    if errors:
        return _question_page(request, web, form, pupil, answers, errors, status=422)
    fixed = {"command_id": str(uuid.uuid4()), "placement_id": pupil.placement_id, **form.fixed_fields(person)}
    draft = {"pupil_ref": pupil.pupil_ref, "answers": answers, "fixed": fixed}
    await web.save_draft(request, f"staff:{form.slug}", draft)
    return RedirectResponse(f"/pupils/{pupil.pupil_ref}/record/{form.slug}/check", status_code=303)


async def _draft(request: Request, web: Web, pupil: PlacedPupil, form: PupilForm) -> dict[str, Any] | None:
    draft = await web.load_draft(request, f"staff:{form.slug}")
    return draft if draft and draft.get("pupil_ref") == pupil.pupil_ref else None


@router.get("/pupils/{pupil_ref}/record/{slug}/check", response_class=HTMLResponse)
async def check_answers(request: Request, web: Web, chosen: Chosen) -> Response:
    form, pupil = chosen
    draft = await _draft(request, web, pupil, form)
    if draft is None:
        return RedirectResponse(f"/pupils/{pupil.pupil_ref}/record/{form.slug}", status_code=303)
    rows = [(item.label, shown(item, draft["answers"].get(item.name, ""))) for item in form.questions]
    return web.pages.render(request, "staff/pupil_check.html", form=form, pupil=pupil, rows=rows)


@router.post("/pupils/{pupil_ref}/record/{slug}/check")
async def send(request: Request, _posted: CheckedForm, web: Web, person: Person, chosen: Chosen) -> Response:
    form, pupil = chosen
    draft = await _draft(request, web, pupil, form)
    if draft is None:
        return RedirectResponse(f"/pupils/{pupil.pupil_ref}/record/{form.slug}", status_code=303)
    answer = await web.client("incidents").post(f"/v1/pupils/{pupil.pupil_ref}/{form.command_path}", person,
                                                command_body(form, draft["answers"], draft["fixed"]))
    if answer.ok:
        await web.discard_draft(request, f"staff:{form.slug}")
        return web.pages.render(request, "staff/pupil_done.html", form=form, pupil=pupil)
    page = refusal_page(web.pages, request, answer)
    if page is not None:
        return page
    # Refused by the service's validation or rules: against the question, in its words; nothing stored.
    errors = problem_errors(answer.body, lambda name: _question_of(form, name), form.rule_fields,
                            form.questions[0].name, "It could not be recorded. Check your answers and try again.")
    return _question_page(request, web, form, pupil, draft["answers"], errors, status=422)


def _question_of(form: PupilForm, service_field: str) -> str:
    head = service_field.split(".")[0].split("[")[0]
    return head if form.question(head) else form.questions[0].name


JOURNEY = Journey(router=router, tasks=(
    Task("/pupils", "Your pupils", STAFF, "Sanctions, rewards, engagement and each pupil's behaviour log"),
), template_globals={"radio_items": radio_items})
