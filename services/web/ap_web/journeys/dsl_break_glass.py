"""Break-glass: a home school's head or a provision's manager reads a pupil's safeguarding record in an
emergency, giving the reason first (a question page; the reason is required), and the DSLs are told.

Rules served: KCSIE and policy SG-BG-1 / SG-BG-2: only by break-glass, always with a stated purpose, audited
with its flag; the incidents service records the read so the notifications service tells the pupil's DSLs
(its category, never the free text, leaves the access audit). The record is shown in the answer to the
question and kept nowhere by the web service: going back to it asks again. Any refusal is the not-found page.
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from ap_contracts.events.privacy import AccessPurposeCategory
from ap_runtime.access import Role
from ap_web.context import Journey, Web
from ap_web.journeys.dsl import concerns_of
from ap_web.journeys.dsl_forms import choice_error, found, items, text_error, uuid_error, vocabulary
from ap_web.pages import Task
from ap_web.refusals import FieldError, refusal_page, refused
from ap_web.session import CheckedForm, Person

MAY_BREAK_GLASS = frozenset({Role.HOME_SCHOOL_HEAD, Role.PROVISION_MANAGER})
#: The categories the DSLs are told (the service's own list; "uncategorised" is not offered).
REASONS = vocabulary(c for c in AccessPurposeCategory if c is not AccessPurposeCategory.UNCATEGORISED)
#: The stated purpose (category, colon, reason) must fit the access audit's note (200 characters).
LONGEST_REASON = 150

router = APIRouter()


def _question(request: Request, web: Web, answers: dict[str, Any], errors: list[FieldError], status: int = 200
              ) -> Response:
    return web.pages.render(request, "dsl/break_glass_question.html", status=status, answers=answers,
                            errors=errors, reasons=REASONS, items=items, longest=LONGEST_REASON)


@router.get("/break-glass", response_class=HTMLResponse)
async def break_glass_question(request: Request, web: Web, _person: Person) -> Response:
    return _question(request, web, {"pupil_ref": request.query_params.get("pupil", "")}, [])


@router.post("/break-glass")
async def break_glass_read(request: Request, web: Web, person: Person, form: CheckedForm) -> Response:
    answers = {name: str(form.get(name, "")).strip() for name in ("pupil_ref", "category", "reason")}
    errors = found(
        uuid_error(answers, "pupil_ref", "pupil reference"),
        choice_error(answers, "category", REASONS, "Select why you need emergency access"),
        text_error(answers, "reason", "Enter the reason you need emergency access", LONGEST_REASON),
    )
    if errors:
        return _question(request, web, answers, errors, status=422)
    pupil_ref = uuid.UUID(answers["pupil_ref"])
    answer = await web.client("incidents").call(
        "GET", f"/v1/pupils/{pupil_ref}/behaviour-log", person, params={"safeguarding": "true"},
        headers={"X-Access-Purpose": f"{answers['category']}: {answers['reason']}", "X-Break-Glass": "true"})
    if answer.status == 422:  # the stated purpose itself was refused: say so against the reason
        return _question(request, web, answers, [FieldError("reason", str(answer.body.get("detail") or
                                                                          "Give a shorter reason"))], status=422)
    if not answer.ok:
        return refusal_page(web.pages, request, answer) or refused(web.pages, request)
    return web.pages.render(request, "dsl/break_glass_record.html", pupil_ref=str(pupil_ref),
                            concerns=concerns_of(answer))


JOURNEY = Journey(
    router=router,
    tasks=(Task("/break-glass", "Emergency access to a safeguarding record", MAY_BREAK_GLASS,
                "Only when a child is at risk and the DSL cannot be reached: the DSLs are told"),),
)
