"""Year end: the LA's finance officer closes the year (its surplus determined), and the Partnership's lead shares
the surplus between its schools, seeing each school's share before confirming it.

Rules served: closing and sharing are the finance service's acts on the verified person's token (policy FIN-LA-1,
FIN-NP-1); the shares shown are the ones recorded, or nothing is (``finance_allocation``); the year-end page
reads the ledger projection, so it says when the figures are still being brought up to date.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from ap_runtime.access import Role
from ap_web.context import Web
from ap_web.journeys import finance_allocation as allocation
from ap_web.journeys.finance_forms import RULE_FIELDS, shown_with_command_id, with_command_id
from ap_web.journeys.finance_reads import budget_address, budget_scope, read_budget, readable
from ap_web.question_pages import Asking, QuestionPage, Refusals, add_question_page, field_named
from ap_web.refusals import FieldError
from ap_web.service_client import ServiceAnswer
from ap_web.session import Person

CLOSERS = frozenset({Role.FINANCE_OFFICER})
SHARERS = frozenset({Role.PARTNERSHIP_LEAD})
ALLOCATION_FIELDS = ("method", "amount")

router = APIRouter()


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


def _close_problems(_asking: Asking, answers: dict[str, Any]) -> list[FieldError]:
    """The one problem with closing, if any: the date first, then the confirmation (WEB-FORM-1)."""
    try:
        date.fromisoformat(answers["closed_on"])
    except ValueError:
        return [FieldError("closed_on", "Enter the date the year closes, for example 2026-04-10")]
    if answers["confirmed"] != "yes":
        return [FieldError("confirmed", "Select yes to confirm the year can close: nothing can be entered after")]
    return []


async def _close(asking: Asking, answers: dict[str, Any]) -> ServiceAnswer:
    address = budget_address(asking.scope.context["provision_id"], asking.scope.context["year"], "/close")
    return await asking.web.client("finance").post(address, asking.person, {
        "command_id": answers["command_id"], "closed_on": answers["closed_on"]})


add_question_page(router, QuestionPage(
    draft="close_year", path="/finance/{provision_id}/{year}/year-end/close", check_path=None,
    templates=("finance/close.html", "", ""), redirect_after_send="/finance/{provision_id}/{year}/year-end",
    questions=("closed_on", "command_id", "confirmed"), ids=(), scope=budget_scope,
    shown=shown_with_command_id, complete=with_command_id, check=_close_problems, send=_close,
    refusals=Refusals(lambda _name: "closed_on", "closed_on", "The year could not be closed.")))


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
