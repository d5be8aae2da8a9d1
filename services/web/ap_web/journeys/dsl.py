"""Safeguarding concerns for the designated safeguarding lead: the pupils placed, each pupil's concerns, one
concern with the action taken recorded against it, and raising a concern (question, check, confirmation).

Rules served: safeguarding detail, and that it exists, is for DSLs only (KCSIE; policy SG-1, SG-2, AMD-1). The
incidents service decides each read with the DSL's stated purpose; any refusal, like a record that is not
there, is the one not-found page naming nothing, so a person who is not a DSL learns nothing from the pages
(and the navigation offers them none). WEB-DRAFT-1: answers in progress wait in the server's draft store.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from ap_runtime.access import Role
from ap_web.context import Journey, Web
from ap_web.identity import SignedInPerson
from ap_web.journeys.dsl_forms import (
    CHOICES,
    choice_error,
    found,
    items,
    text_error,
)
from ap_web.pages import Task
from ap_web.question_pages import (
    Asking,
    QuestionPage,
    Refusals,
    Scope,
    add_question_page,
    field_named,
    only_for,
    pupil_scope,
)
from ap_web.refusals import FieldError, refusal_page, refused
from ap_web.service_client import ServiceAnswer
from ap_web.session import Person

DRAFT = "safeguarding_concern"
DSL = frozenset({Role.DSL})
CONCERN, AMENDED = "SafeguardingConcernRaised", "RecordAmended"
CORRECTED_PARTS = ("corrected_values", "corrected_behaviour", "corrected_exclusion", "corrected_safeguarding")
#: What the DSL states to the access audit when reading or correcting safeguarding detail.
READING, CORRECTING = "safeguarding", "record_correction"
QUESTIONS = ("category", "immediate_risk", "concern", "action_taken")

router = APIRouter()


async def safeguarding_log(web: Web, person: SignedInPerson, pupil_ref: uuid.UUID) -> ServiceAnswer:
    """The pupil's log with safeguarding detail, as the incidents service shows it to this person."""
    return await web.client("incidents").call(
        "GET", f"/v1/pupils/{pupil_ref}/behaviour-log", person, params={"safeguarding": "true"},
        headers={"X-Access-Purpose": READING})


def concerns_of(answer: ServiceAnswer) -> list[dict[str, Any]]:
    """The pupil's concerns not withdrawn, each as amended since (an amendment is its own entry in the log,
    naming the concern it corrects and the values it replaces, applied here in the log's order)."""
    entries: list[dict[str, Any]] = answer.body.get("entries") or []
    concerns = {entry.get("record_id"): entry for entry in entries
                if entry.get("event_type") == CONCERN and not entry.get("withdrawn")}
    for entry in entries:
        target = concerns.get(entry.get("target_record_id"))
        if entry.get("event_type") != AMENDED or target is None:
            continue
        details = entry.get("details") or {}
        for part in CORRECTED_PARTS:  # the amendment keeps each class's values apart (sealed by class)
            if isinstance(details.get(part), dict):
                target["details"] = {**(target.get("details") or {}), **details[part]}
    return list(concerns.values())


@router.get("/safeguarding", response_class=HTMLResponse)
async def pupils(request: Request, web: Web, person: Person) -> Response:
    if Role.DSL not in person.roles:
        return refused(web.pages, request)
    answer = await web.client("incidents").get("/v1/placements", person, params={"status": "active"})
    if not answer.ok:
        return refusal_page(web.pages, request, answer) or refused(web.pages, request)
    return web.pages.render(request, "dsl/pupils.html", placements=answer.body.get("placements") or [])


@router.get("/safeguarding/pupils/{pupil_ref}", response_class=HTMLResponse)
async def concerns(request: Request, web: Web, person: Person, pupil_ref: uuid.UUID) -> Response:
    answer = await safeguarding_log(web, person, pupil_ref)
    if not answer.ok:
        return refusal_page(web.pages, request, answer) or refused(web.pages, request)
    return web.pages.render(request, "dsl/concerns.html", pupil_ref=str(pupil_ref), concerns=concerns_of(answer),
                            placement_id=request.query_params.get("placement", ""))


def _choice_text(name: str, value: object) -> str:
    return CHOICES[name].get(str(value), str(value))


async def concern_scope(request: Request, web: Web, person: Person, pupil_ref: uuid.UUID, record_id: uuid.UUID
                        ) -> Scope | Response:
    """One concern of the pupil's log, as the incidents service shows it to this person (amended since), or the
    not-found page: for a concern not there, withdrawn, or not the person's to read, the same page."""
    answer = await safeguarding_log(web, person, pupil_ref)
    if not answer.ok:
        return refusal_page(web.pages, request, answer) or refused(web.pages, request)
    entry = next((e for e in concerns_of(answer) if e.get("record_id") == str(record_id)), None)
    if entry is None:  # not there, or withdrawn: the same page as for a pupil who is not the DSL's
        return refused(web.pages, request)
    return Scope(key=(str(pupil_ref), str(record_id)),
                 context={"pupil_ref": str(pupil_ref), "record_id": str(record_id), "entry": entry})


async def _record_action(asking: Asking, answers: dict[str, Any]) -> ServiceAnswer:
    """The action taken on a concern, recorded as an amendment of the concern (the DSL, stating why)."""
    context = asking.scope.context
    body = {"command_id": answers["command_id"], "target_record_id": context["record_id"],
            "reason": "later_information", "explanation": "Action taken recorded by the designated safeguarding lead",
            "corrected_values": {"action_taken": answers["action_taken"]}}
    return await asking.web.client("incidents").call(
        "POST", f"/v1/pupils/{context['pupil_ref']}/amendments", asking.person, body,
        headers={"X-Access-Purpose": CORRECTING})


async def _no_action_yet(_asking: Asking, _draft: dict[str, Any] | None) -> dict[str, Any]:
    return {"action_taken": ""}


add_question_page(router, QuestionPage(
    draft="concern_action", path="/safeguarding/pupils/{pupil_ref}/concerns/{record_id}", check_path=None,
    templates=("dsl/concern.html", "", "dsl/action_done.html"),
    questions=("action_taken",), scope=concern_scope, shown=_no_action_yet, send=_record_action,
    check=lambda _asking, answers: found(text_error(answers, "action_taken", "Enter the action taken")),
    done=lambda _asking, _answers, _answer: {},
    refusals=Refusals(field_named(("action_taken",), "action_taken"), "action_taken",
                      "The action could not be recorded. Check it and try again."),
    extra={"choice_text": _choice_text}))


async def _shown(asking: Asking, draft: dict[str, Any] | None) -> dict[str, Any]:
    return draft or {"placement_id": asking.request.query_params.get("placement", "")}


def _check(_asking: Asking, answers: dict[str, Any]) -> list[FieldError]:
    return found(
        choice_error(answers, "category", CHOICES["category"], "Select the kind of concern"),
        choice_error(answers, "immediate_risk", CHOICES["immediate_risk"],
                     "Select yes if the child is at immediate risk"),
        text_error(answers, "concern", "Enter the concern"),
    )


async def _send(asking: Asking, answers: dict[str, Any]) -> ServiceAnswer:
    return await asking.web.client("incidents").post(f"/v1/pupils/{answers['pupil_ref']}/safeguarding-concerns",
                                                     asking.person, _concern_body(answers, asking.person.user_id))


def _concern_body(answers: dict[str, Any], user_id: str) -> dict[str, Any]:
    return {"command_id": answers["command_id"], "placement_id": answers["placement_id"],
            "concern_id": answers["concern_id"], "raised_at": datetime.now(UTC).isoformat(),
            "category": answers["category"], "immediate_risk": answers["immediate_risk"] == "yes",
            "referred_to_dsl": True, "raised_by": user_id, "concern": answers["concern"],
            "action_taken": answers.get("action_taken", "")}


add_question_page(router, QuestionPage(
    draft=DRAFT, path="/safeguarding/pupils/{pupil_ref}/new-concern",
    check_path="/safeguarding/pupils/{pupil_ref}/new-concern/check",
    templates=("dsl/concern_question.html", "dsl/concern_check.html", "dsl/concern_done.html"),
    questions=(*QUESTIONS, "placement_id"), ids=("command_id", "concern_id"), scope=pupil_scope, gate=only_for(DSL),
    shown=_shown, check=_check, send=_send,
    refusals=Refusals(field_named(QUESTIONS, "concern"), "concern",
                      "The concern could not be recorded. Check your answers and try again."),
    extra={"choices": CHOICES, "items": items, "choice_text": _choice_text}))

JOURNEY = Journey(
    router=router,
    tasks=(Task("/safeguarding", "Safeguarding concerns", DSL, "Concerns raised about the pupils placed with you"),
           Task("/safeguarding/transfers/new", "Send a child-protection file", DSL,
                "When a pupil moves on: the new setting's DSL confirms receipt within 5 school days")),
)
