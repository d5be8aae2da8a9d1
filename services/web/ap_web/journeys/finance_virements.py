"""Virements: moving budget between two lines of one funding source (question page, check your answers,
confirmation), the virements of the year, and approving one that waits for approval.

Rules served: WEB-FORM-1 (each problem against its field; nothing sent until all answers are valid);
WEB-DRAFT-1 (the answers wait in the server's draft store); the finance service decides the money (a virement
that would leave its line short is only requested, for another person's approval; one past the line's budget
is refused, shown against the amount, nothing recorded). Approving is a question asked on each waiting row of
the virements page (a one-page form, ``ap_web.question_pages``): its refusal, a rule's (the requester approving
their own) shown by the row's button in the service's words, nothing recorded.
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from ap_runtime.access import Role
from ap_web.context import Web
from ap_web.journeys.finance_forms import (
    AMOUNT,
    RULE_FIELDS,
    check_virement,
    command_id_of,
    shown_with_command_id,
    virement_body,
)
from ap_web.journeys.finance_reads import budget_address, budget_scope, readable
from ap_web.question_pages import Asking, QuestionPage, Refusals, Scope, add_question_page, field_named
from ap_web.refusals import NotFound
from ap_web.service_client import ServiceAnswer
from ap_web.session import Person

QUESTIONS = ("from_category", "to_category", "funding_source", "amount", "reason")
#: Who moves budget (policy FIN-HOST-1) and who approves a requested virement (FIN-APPROVE-1 and -2).
MOVERS = frozenset({Role.HOST_SCHOOL_FINANCE})
APPROVERS = frozenset({Role.HOST_SCHOOL_FINANCE, Role.PARTNERSHIP_LEAD})
VIREMENTS = "/finance/{provision_id}/{year}/virements"

router = APIRouter()


async def _send(asking: Asking, answers: dict[str, Any]) -> ServiceAnswer:
    address = budget_address(asking.scope.context["provision_id"], asking.scope.context["year"], "/virements")
    return await asking.web.client("finance").post(address, asking.person, virement_body(answers))


add_question_page(router, QuestionPage(
    draft="virement", path=f"{VIREMENTS}/new", check_path=f"{VIREMENTS}/check",
    templates=("finance/virement_question.html", "finance/virement_check.html", "finance/virement_done.html"),
    questions=QUESTIONS, ids=("command_id", "virement_id"), scope=budget_scope,
    check=lambda _asking, answers: check_virement(answers), send=_send,
    done=lambda _asking, answers, answer: {"answers": answers,
                                           "state": (answer.body.get("created") or {}).get("state")},
    refusals=Refusals(field_named(QUESTIONS, "amount", AMOUNT), "amount",
                      "The budget could not be moved. Check your answers and try again.", RULE_FIELDS)))


async def virements_scope(request: Request, web: Web, person: Person, provision_id: str, year: str
                          ) -> Scope | Response:
    """The budget's virements as the person reads them, with what the person may do there (move, approve); a
    budget the person does not read is the not-found page."""
    answer = await readable(web, request, person, provision_id, year, "/virements")
    if isinstance(answer, Response):
        return answer
    roles = set(person.roles)
    return Scope(key=(provision_id, year), context={
        "provision_id": provision_id, "year": year, "virements": answer.body.get("items") or [],
        "may_move": bool(MOVERS & roles), "may_approve": bool(APPROVERS & roles)})


def _virement_of(request: Request) -> str:
    """The virement of the approval's address (a malformed one is not found, like another budget's)."""
    try:
        return str(uuid.UUID(str(request.path_params.get("virement_id"))))
    except ValueError as malformed:
        raise NotFound from malformed


async def _approval(asking: Asking, form: FormData) -> dict[str, Any]:
    return {"command_id": command_id_of(form.get("command_id")), "virement_id": _virement_of(asking.request)}


async def _approve(asking: Asking, answers: dict[str, Any]) -> ServiceAnswer:
    address = budget_address(asking.scope.context["provision_id"], asking.scope.context["year"],
                             f"/virements/{answers['virement_id']}/approval")
    return await asking.web.client("finance").post(address, asking.person, {"command_id": answers["command_id"]})


def _by_its_button(asking: Asking) -> Refusals:
    button = f"approve-{_virement_of(asking.request)}"
    return Refusals(lambda _name: button, button, "The virement could not be approved.")


async def _conflict(_asking: Asking, _answers: dict[str, Any], _answer: ServiceAnswer) -> int:
    return 409


add_question_page(router, QuestionPage(
    draft="virement_approval", path=VIREMENTS, check_path=None, send_path=f"{VIREMENTS}/{{virement_id}}/approve",
    templates=("finance/virements.html", "", "finance/virement_approved.html"),
    ids=(), scope=virements_scope, shown=shown_with_command_id, read=_approval, check=lambda _asking, _answers: [],
    send=_approve, done=lambda _asking, _answers, _answer: {}, refused=_conflict, refusals=_by_its_button))
