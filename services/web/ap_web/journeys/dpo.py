"""The data protection officer: a pupil's subject access export (a page, and downloads in JSON and as a readable
copy), erasure with the legal-hold check (question, check, confirmation), and the access audit.

Rules served (UK GDPR Art. 15 and 17, DPA 2018 s.62; policy DP-1, DP-2, DP-SAR-*, DP-AUD-1): the incidents service
decides every read and write with the purpose the DPO states (a category from its list), and audits it; an
erasure refused because a legal hold is in force (privacy.erasure_under_legal_hold) is shown against the
question in the service's own words, with nothing erased. A pupil the DPO does not answer for, or one that
is not there, is the one not-found page naming nothing, on each page and each download.
"""

from __future__ import annotations

import uuid
from collections import Counter
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from ap_contracts.events.privacy import ErasureReason, ErasureRequester
from ap_runtime.access import Role
from ap_web.context import Journey, Web
from ap_web.identity import SignedInPerson
from ap_web.journeys.dpo_audit import router as audit_router
from ap_web.journeys.dsl_forms import (
    choice_error,
    found,
    items,
    text_error,
    uuid_error,
    vocabulary,
)
from ap_web.pages import Task
from ap_web.question_pages import Asking, QuestionPage, Refusals, add_question_page, field_named, pupil_scope
from ap_web.refusals import FieldError, refusal_page, refused
from ap_web.service_client import ServiceAnswer
from ap_web.session import Person

DPO = frozenset({Role.DPO})
DRAFT = "erasure"
QUESTIONS = ("reason", "legal_basis", "requested_by")
CHOICES = {"reason": vocabulary(r for r in ErasureReason if r is not ErasureReason.RETENTION_EXPIRED),
           "requested_by": vocabulary(r for r in ErasureRequester if r is not ErasureRequester.RETENTION_SCHEDULE)}
#: Where the incidents service's refusals of an erasure belong on the question page.
RULE_FIELDS = {"privacy.erasure_under_legal_hold": "reason"}
DOWNLOADS = {"json": ("application/json", "application/json"), "html": ("text/html", "text/html; charset=utf-8")}

router = APIRouter()
router.include_router(audit_router)


async def subject_access(web: Web, person: SignedInPerson, pupil_ref: uuid.UUID, accept: str) -> ServiceAnswer:
    return await web.client("incidents").call("GET", f"/v1/pupils/{pupil_ref}/subject-access", person,
                                              headers={"X-Access-Purpose": "subject_access", "Accept": accept})


@router.get("/dpo/subject-access", response_class=HTMLResponse)
async def subject_access_page(request: Request, web: Web, person: Person) -> Response:
    asked = {"pupil_ref": request.query_params.get("pupil_ref", "").strip()}
    if not asked["pupil_ref"]:
        return web.pages.render(request, "dpo/subject_access.html", asked=asked, errors=[], document=None)
    errors = found(uuid_error(asked, "pupil_ref", "pupil reference"))
    if errors:
        return web.pages.render(request, "dpo/subject_access.html", status=422, asked=asked, errors=errors,
                                document=None)
    answer = await subject_access(web, person, uuid.UUID(asked["pupil_ref"]), "application/json")
    if not answer.ok:
        return refusal_page(web.pages, request, answer) or refused(web.pages, request)
    kinds = Counter(str(record.get("event_type")) for record in answer.body.get("records") or [])
    return web.pages.render(request, "dpo/subject_access.html", asked=asked, errors=[], document=answer.body,
                            kinds=sorted(kinds.items()))


@router.get("/dpo/pupils/{pupil_ref}/subject-access.{kind}")
async def subject_access_download(request: Request, web: Web, person: Person, pupil_ref: uuid.UUID, kind: str
                                  ) -> Response:
    if kind not in DOWNLOADS:
        return refused(web.pages, request)
    accept, media_type = DOWNLOADS[kind]
    answer = await subject_access(web, person, pupil_ref, accept)
    if not answer.ok:
        return refusal_page(web.pages, request, answer) or refused(web.pages, request)
    return Response(answer.content, media_type=media_type, headers={
        "Content-Disposition": f'attachment; filename="subject-access-{pupil_ref}.{kind}"',
        "Cache-Control": "no-store"})


async def _answers_for(asking: Asking) -> Response | None:
    """Whether the DPO answers for the pupil, asked of the service before a form about the pupil is shown:
    the pupil's access audit (one record, audited, with the DPO's purpose) is granted only then."""
    gate = await asking.web.client("incidents").call(
        "GET", "/v1/audit", asking.person, params={"pupil_ref": asking.scope.owner["pupil_ref"], "limit": "1"},
        headers={"X-Access-Purpose": "erasure"})
    return None if gate.ok else refusal_page(asking.web.pages, asking.request, gate) or refused(
        asking.web.pages, asking.request)


def _check(_asking: Asking, answers: dict[str, Any]) -> list[FieldError]:
    return found(choice_error(answers, "reason", CHOICES["reason"], "Select why the data is to be erased"),
                 text_error(answers, "legal_basis", "Enter the legal basis, like UK GDPR Art. 17(1)(a)", 200),
                 choice_error(answers, "requested_by", CHOICES["requested_by"], "Select who asked for the erasure"))


async def _send(asking: Asking, answers: dict[str, Any]) -> ServiceAnswer:
    body = {"command_id": answers["command_id"], **{name: answers[name] for name in QUESTIONS}}
    return await asking.web.client("incidents").call("POST", f"/v1/pupils/{answers['pupil_ref']}/erasure",
                                                     asking.person, body, headers={"X-Access-Purpose": "erasure"})


async def _refused(asking: Asking, answers: dict[str, Any], answer: ServiceAnswer) -> int:
    """Refused (a legal hold in force): nothing erased; a new command id, so a later try is a new request."""
    await asking.web.save_draft(asking.request, DRAFT, {**answers, "command_id": str(uuid.uuid4())})
    return 409 if answer.status == 409 else 422


add_question_page(router, QuestionPage(
    draft=DRAFT, path="/dpo/pupils/{pupil_ref}/erasure", check_path="/dpo/pupils/{pupil_ref}/erasure/check",
    templates=("dpo/erasure_question.html", "dpo/erasure_check.html", "dpo/erasure_done.html"),
    questions=QUESTIONS, scope=pupil_scope, gate=_answers_for, check=_check, send=_send, refused=_refused,
    refusals=Refusals(field_named(QUESTIONS, "reason"), "reason",
                      "The data could not be erased. Check your answers and try again.", RULE_FIELDS),
    extra={"choices": CHOICES, "items": items}))


JOURNEY = Journey(
    router=router,
    tasks=(Task("/dpo/subject-access", "Subject access request", DPO, "Everything held about a pupil, to download"),
           Task("/dpo/audit", "Access audit", DPO, "Who read or changed what, when and why")),
)
