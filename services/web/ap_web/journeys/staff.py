"""Provision staff: the provision's pupils, and for one pupil a sanction, a reward, spending reward slips, an
engagement score or target, or the amendment of a score given wrongly, with a reason (``staff_forms``; the scores
to amend from ``staff_scores``), each a question page, check your answers and a confirmation.

Rules served: WEB-FORM-1 and WEB-DRAFT-1 (as the incident journey); the pupil is picked from the list the
incidents service gives the person (``provision_pupils``), and a pupil not placed at the person's provision is
a not-found page naming nothing; what the service refuses is shown against the question, nothing stored.
"""

from __future__ import annotations

import uuid
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from ap_runtime.access import Role
from ap_web.context import Journey, Web
from ap_web.journeys.provision_pupils import PlacedPupil, placed_pupil, placed_pupils
from ap_web.journeys.staff_forms import (
    FORMS,
    SCORE_AMENDMENT,
    PupilForm,
    check,
    command_body,
    radio_items,
    read_answers,
    shown,
)
from ap_web.journeys.staff_scores import with_recorded_scores
from ap_web.pages import Task
from ap_web.question_pages import Asking, QuestionPage, Refusals, Scope, add_question_page, field_named
from ap_web.refusals import NotFound, refusal_page, refused
from ap_web.service_client import ServiceAnswer
from ap_web.session import Person

STAFF = frozenset({Role.PROVISION_STAFF, Role.PROVISION_MANAGER})

router = APIRouter()


@router.get("/pupils", response_class=HTMLResponse)
async def pupils(request: Request, web: Web, person: Person) -> Response:
    answer, found = await placed_pupils(web, person)
    if not answer.ok:
        return refusal_page(web.pages, request, answer) or refused(web.pages, request)
    return web.pages.render(request, "staff/pupils.html", pupils=found, forms=list(FORMS.values()))


async def form_and_pupil(web: Web, person: Person, pupil_ref: UUID, slug: str) -> Scope:
    """The form named in the address and the pupil, placed at the person's provision; else not found."""
    form, pupil = FORMS.get(slug), await placed_pupil(web, person, pupil_ref)
    if form is None or pupil is None:
        raise NotFound
    if form.slug == SCORE_AMENDMENT:
        form = await with_recorded_scores(web, person, pupil, form)
    return Scope(key=(form.slug,), owner={"pupil_ref": pupil.pupil_ref}, context={"form": form, "pupil": pupil})


def _form(asking: Asking) -> PupilForm:
    form: PupilForm = asking.scope.context["form"]
    return form


async def _read(asking: Asking, posted: FormData) -> dict[str, Any]:
    return dict(read_answers(_form(asking), posted))


def _with_fixed(asking: Asking, answers: dict[str, Any]) -> dict[str, Any]:
    """The command's fields the form does not ask, chosen once with the answers (a resend is one command)."""
    pupil: PlacedPupil = asking.scope.context["pupil"]
    return {**answers, "fixed": {"command_id": str(uuid.uuid4()), "placement_id": pupil.placement_id,
                                 **_form(asking).fixed_fields(asking.person)}}


def _rows(asking: Asking, answers: dict[str, Any]) -> dict[str, Any]:
    return {"rows": [(item.label, shown(item, answers.get(item.name, ""))) for item in _form(asking).questions]}


async def _send(asking: Asking, answers: dict[str, Any]) -> ServiceAnswer:
    form = _form(asking)
    return await asking.web.client("incidents").post(f"/v1/pupils/{answers['pupil_ref']}/{form.command_path}",
                                                     asking.person, command_body(form, answers, answers["fixed"]))


def _refusals(asking: Asking) -> Refusals:
    """Refused by the service's validation or rules: against the question, in its words."""
    form = _form(asking)
    first = form.questions[0].name
    return Refusals(field_named(tuple(item.name for item in form.questions), first), first,
                    "It could not be recorded. Check your answers and try again.", form.rule_fields,
                    as_sentences=False)


add_question_page(router, QuestionPage(
    draft="staff", path="/pupils/{pupil_ref}/record/{slug}", check_path="/pupils/{pupil_ref}/record/{slug}/check",
    templates=("staff/pupil_form.html", "staff/pupil_check.html", "staff/pupil_done.html"),
    ids=(), scope=form_and_pupil, read=_read, check=lambda asking, answers: check(_form(asking), answers),
    complete=_with_fixed, check_context=_rows, send=_send, refusals=_refusals))


JOURNEY = Journey(router=router, tasks=(
    Task("/pupils", "Your pupils", STAFF, "Sanctions, rewards, engagement and each pupil's behaviour log"),
), template_globals={"radio_items": radio_items})
