"""Virements: moving budget between two lines of one funding source (question page, check your answers,
confirmation), the virements of the year, and approving one that waits for approval.

Rules served: WEB-FORM-1 (each problem against its field; nothing sent until all answers are valid);
WEB-DRAFT-1 (the answers wait in the server's draft store); the finance service decides the money (a virement
that would leave its line short is only requested, for another person's approval; one past the line's budget
is refused, shown against the amount, nothing recorded).
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from ap_runtime.access import Role
from ap_web.context import Web
from ap_web.identity import SignedInPerson
from ap_web.journeys.finance_forms import AMOUNT, RULE_FIELDS, check_virement, command_id_of, sentence, virement_body
from ap_web.journeys.finance_reads import budget_address, budget_scope, readable
from ap_web.question_pages import Asking, QuestionPage, Refusals, add_question_page, field_named
from ap_web.refusals import FieldError, refusal_page
from ap_web.service_client import ServiceAnswer
from ap_web.session import CheckedForm, Person

QUESTIONS = ("from_category", "to_category", "funding_source", "amount", "reason")
#: Who moves budget (policy FIN-HOST-1) and who approves a requested virement (FIN-APPROVE-1 and -2).
MOVERS = frozenset({Role.HOST_SCHOOL_FINANCE})
APPROVERS = frozenset({Role.HOST_SCHOOL_FINANCE, Role.PARTNERSHIP_LEAD})

router = APIRouter()


async def _list_page(request: Request, web: Web, person: SignedInPerson, provision_id: str, year: str,
                     errors: list[FieldError], status: int = 200) -> Response:
    answer = await readable(web, request, person, provision_id, year, "/virements")
    if isinstance(answer, Response):
        return answer
    roles = set(person.roles)
    return web.pages.render(request, "finance/virements.html", status=status, provision_id=provision_id, year=year,
                            virements=answer.body.get("items") or [], may_move=bool(MOVERS & roles),
                            may_approve=bool(APPROVERS & roles), command_id=str(uuid.uuid4()), errors=errors)


@router.get("/finance/{provision_id}/{year}/virements", response_class=HTMLResponse)
async def virements(request: Request, web: Web, person: Person, provision_id: str, year: str) -> Response:
    return await _list_page(request, web, person, provision_id, year, [])


async def _send(asking: Asking, answers: dict[str, Any]) -> ServiceAnswer:
    address = budget_address(asking.scope.context["provision_id"], asking.scope.context["year"], "/virements")
    return await asking.web.client("finance").post(address, asking.person, virement_body(answers))


add_question_page(router, QuestionPage(
    draft="virement", path="/finance/{provision_id}/{year}/virements/new",
    check_path="/finance/{provision_id}/{year}/virements/check",
    templates=("finance/virement_question.html", "finance/virement_check.html", "finance/virement_done.html"),
    questions=QUESTIONS, ids=("command_id", "virement_id"), scope=budget_scope,
    check=lambda _asking, answers: check_virement(answers), send=_send,
    done=lambda _asking, answers, answer: {"answers": answers,
                                           "state": (answer.body.get("created") or {}).get("state")},
    refusals=Refusals(field_named(QUESTIONS, "amount", AMOUNT), "amount",
                      "The budget could not be moved. Check your answers and try again.", RULE_FIELDS)))


@router.post("/finance/{provision_id}/{year}/virements/{virement_id}/approve")
async def approve(request: Request, web: Web, person: Person, form: CheckedForm, provision_id: str, year: str,
                  virement_id: uuid.UUID) -> Response:
    command_id = command_id_of(form.get("command_id"))
    answer = await web.client("finance").post(budget_address(provision_id, year, f"/virements/{virement_id}/approval"),
                                              person, {"command_id": command_id})
    if answer.ok:
        return web.pages.render(request, "finance/virement_approved.html", provision_id=provision_id, year=year)
    page = refusal_page(web.pages, request, answer)
    if page is not None:
        return page
    detail = str(answer.body.get("detail") or "The virement could not be approved.")
    errors = [sentence(FieldError(f"approve-{virement_id}", detail))]
    return await _list_page(request, web, person, provision_id, year, errors, status=409)
