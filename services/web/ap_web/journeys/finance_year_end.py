"""Year end: the LA's finance officer closes the year (its surplus determined), and the Partnership's lead shares
the surplus between its schools, seeing each school's share before confirming it.

Rules served: closing and sharing are the finance service's acts on the verified person's token (policy FIN-LA-1,
FIN-NP-1); the shares shown are the ones recorded, or nothing is (``finance_allocation``); the year-end page
reads the ledger projection, so it says when the figures are still being brought up to date.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from ap_runtime.access import Role
from ap_web.context import Web
from ap_web.journeys import finance_allocation as allocation
from ap_web.journeys.finance_forms import RULE_FIELDS, command_id_of
from ap_web.journeys.finance_reads import budget_address, budget_scope, read_budget, readable
from ap_web.question_pages import Asking, QuestionPage, Refusals, add_question_page, field_named
from ap_web.refusals import FieldError, refusal_page
from ap_web.service_client import ServiceAnswer
from ap_web.session import CheckedForm, Person

CLOSERS = frozenset({Role.FINANCE_OFFICER})
SHARERS = frozenset({Role.PARTNERSHIP_LEAD})
ALLOCATION_FIELDS = ("method", "amount")

router = APIRouter()


def _base(provision_id: str, year: str) -> str:
    return f"/finance/{provision_id}/{year}/year-end"


@router.get("/finance/{provision_id}/{year}/year-end", response_class=HTMLResponse)
async def year_end(request: Request, web: Web, person: Person, provision_id: str, year: str) -> Response:
    summary = await readable(web, request, person, provision_id, year)
    if isinstance(summary, Response):
        return summary
    ledger = await read_budget(web, person, provision_id, year, "/ledger")
    ledger_body: dict[str, Any] = ledger.body if ledger.ok and ledger.body.get("up_to_date") else {}
    allocations = await read_budget(web, person, provision_id, year, "/allocations")
    roles = set(person.roles)
    return web.pages.render(request, "finance/year_end.html", provision_id=provision_id, year=year,
                            budget=summary.body, ledger=ledger_body, allocations=allocations.body.get("items") or [],
                            may_close=bool(CLOSERS & roles), may_share=bool(SHARERS & roles))


@router.get("/finance/{provision_id}/{year}/year-end/close", response_class=HTMLResponse)
async def close_question(request: Request, web: Web, person: Person, provision_id: str, year: str) -> Response:
    checked = await readable(web, request, person, provision_id, year)
    if isinstance(checked, Response):
        return checked
    return web.pages.render(request, "finance/close.html", provision_id=provision_id, year=year,
                            answers={"command_id": str(uuid.uuid4())}, errors=[])


def _closed_on_error(answers: dict[str, str]) -> FieldError | None:
    try:
        date.fromisoformat(answers["closed_on"])
    except ValueError:
        return FieldError("closed_on", "Enter the date the year closes, for example 2026-04-10")
    return None


@router.post("/finance/{provision_id}/{year}/year-end/close", response_class=HTMLResponse)
async def close(request: Request, web: Web, person: Person, form: CheckedForm, provision_id: str,
                year: str) -> Response:
    answers = {name: str(form.get(name, "")).strip() for name in ("closed_on", "command_id", "confirmed")}
    problem = _closed_on_error(answers)
    if problem is None and answers["confirmed"] != "yes":
        problem = FieldError("confirmed", "Select yes to confirm the year can close: nothing can be entered after")
    if problem is not None:
        return web.pages.render(request, "finance/close.html", status=422, provision_id=provision_id, year=year,
                                answers=answers, errors=[problem])
    answer = await web.client("finance").post(budget_address(provision_id, year, "/close"), person, {
        "command_id": command_id_of(answers["command_id"]), "closed_on": answers["closed_on"]})
    if answer.ok:
        return RedirectResponse(_base(provision_id, year), status_code=303)
    page = refusal_page(web.pages, request, answer)
    if page is not None:
        return page
    errors = Refusals(lambda _name: "closed_on", "closed_on", "The year could not be closed.").errors(answer)
    return web.pages.render(request, "finance/close.html", status=422, provision_id=provision_id, year=year,
                            answers=answers, errors=errors)


def _host_school(asking: Asking) -> str:
    return str(asking.scope.context["budget"]["host_school_id"])


async def _shown(_asking: Asking, draft: dict[str, Any] | None) -> dict[str, Any]:
    return draft or allocation.blank_answers()


async def _read(_asking: Asking, form: FormData) -> dict[str, Any]:
    return allocation.answers_from(form)


def _check(asking: Asking, answers: dict[str, Any]) -> list[FieldError]:
    errors = allocation.check_allocation(answers)
    if not errors:
        errors = [e for e in [allocation.shares_shown(answers, _host_school(asking))[1]] if e]
    return errors


async def _send(asking: Asking, answers: dict[str, Any]) -> ServiceAnswer:
    address = budget_address(asking.scope.context["provision_id"], asking.scope.context["year"],
                             "/surplus/allocations")
    return await asking.web.client("finance").post(address, asking.person,
                                                   allocation.command_body(answers, _host_school(asking)))


add_question_page(router, QuestionPage(
    draft="allocation", path="/finance/{provision_id}/{year}/year-end/surplus",
    check_path="/finance/{provision_id}/{year}/year-end/surplus/check",
    templates=("finance/share_question.html", "finance/share_check.html", "finance/share_done.html"),
    ids=("command_id", "allocation_id"), scope=budget_scope, shown=_shown, read=_read, check=_check, send=_send,
    check_context=lambda asking, answers: {"shares": allocation.shares_shown(answers, _host_school(asking))[0]},
    done=lambda _asking, _answers, answer: {"allocation": answer.body.get("allocation") or {}},
    refusals=Refusals(field_named(ALLOCATION_FIELDS, "method"), "method",
                      "The surplus could not be shared. Check your answers and try again.", RULE_FIELDS)))
