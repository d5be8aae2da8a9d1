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

from fastapi import APIRouter
from fastapi.responses import Response

from ap_contracts.events.privacy import AccessPurposeCategory
from ap_runtime.access import Role
from ap_web.context import Journey
from ap_web.journeys.dsl import concerns_of
from ap_web.journeys.dsl_forms import choice_error, found, items, text_error, uuid_error, vocabulary
from ap_web.pages import Task
from ap_web.question_pages import Answers, Asking, QuestionPage, Refusals, add_question_page
from ap_web.refusals import FieldError, refused
from ap_web.service_client import ServiceAnswer

MAY_BREAK_GLASS = frozenset({Role.HOME_SCHOOL_HEAD, Role.PROVISION_MANAGER})
#: The categories the DSLs are told (the service's own list; "uncategorised" is not offered).
REASONS = vocabulary(c for c in AccessPurposeCategory if c is not AccessPurposeCategory.UNCATEGORISED)
#: The stated purpose (category, colon, reason) must fit the access audit's note (200 characters).
LONGEST_REASON = 150

router = APIRouter()


async def _shown(asking: Asking, _draft: Answers | None) -> Answers:
    return {"pupil_ref": asking.request.query_params.get("pupil", "")}


def _check(_asking: Asking, answers: Answers) -> list[FieldError]:
    return found(
        uuid_error(answers, "pupil_ref", "pupil reference"),
        choice_error(answers, "category", REASONS, "Select why you need emergency access"),
        text_error(answers, "reason", "Enter the reason you need emergency access", LONGEST_REASON),
    )


async def _send(asking: Asking, answers: Answers) -> ServiceAnswer:
    return await asking.web.client("incidents").call(
        "GET", f"/v1/pupils/{uuid.UUID(answers['pupil_ref'])}/behaviour-log", asking.person,
        params={"safeguarding": "true"},
        headers={"X-Access-Purpose": f"{answers['category']}: {answers['reason']}", "X-Break-Glass": "true"})


async def _refused(asking: Asking, _answers: Answers, answer: ServiceAnswer) -> int | Response:
    # Only the stated purpose itself refused (422) is said, against the reason; any other refusal names nothing.
    return 422 if answer.status == 422 else refused(asking.web.pages, asking.request)


def _record(_asking: Asking, answers: Answers, answer: ServiceAnswer) -> dict[str, Any]:
    return {"pupil_ref": str(uuid.UUID(answers["pupil_ref"])), "concerns": concerns_of(answer)}


add_question_page(router, QuestionPage(
    draft="break_glass", path="/break-glass", check_path=None,
    templates=("dsl/break_glass_question.html", "", "dsl/break_glass_record.html"),
    questions=("pupil_ref", "category", "reason"), ids=(), shown=_shown, check=_check, send=_send,
    refused=_refused, done=_record,
    refusals=Refusals(lambda _name: "reason", "reason", "Give a shorter reason", as_sentences=False),
    extra={"reasons": REASONS, "items": items, "longest": LONGEST_REASON}))

JOURNEY = Journey(
    router=router,
    tasks=(Task("/break-glass", "Emergency access to a safeguarding record", MAY_BREAK_GLASS,
                "Only when a child is at risk and the DSL cannot be reached: the DSLs are told"),),
)
