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

from ap_runtime.access import Role
from ap_web.context import Web
from ap_web.journeys import finance_allocation as allocation
from ap_web.journeys.finance_forms import RULE_FIELDS, command_id_of, field_of, sentence
from ap_web.journeys.finance_reads import budget_address, read_budget, readable
from ap_web.refusals import FieldError, problem_errors, refusal_page
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
    errors = problem_errors(answer.body, lambda name: "closed_on", {}, "closed_on", "The year could not be closed.")
    return web.pages.render(request, "finance/close.html", status=422, provision_id=provision_id, year=year,
                            answers=answers, errors=[sentence(error) for error in errors])


def _draft(provision_id: str, year: str) -> str:
    return f"allocation:{provision_id}:{year}"


@router.get("/finance/{provision_id}/{year}/year-end/surplus", response_class=HTMLResponse)
async def share_question(request: Request, web: Web, person: Person, provision_id: str, year: str) -> Response:
    checked = await readable(web, request, person, provision_id, year)
    if isinstance(checked, Response):
        return checked
    answers = await web.load_draft(request, _draft(provision_id, year)) or allocation.blank_answers()
    return web.pages.render(request, "finance/share_question.html", provision_id=provision_id, year=year,
                            answers=answers, errors=[])


@router.post("/finance/{provision_id}/{year}/year-end/surplus")
async def share_answers(request: Request, web: Web, person: Person, form: CheckedForm, provision_id: str,
                        year: str) -> Response:
    summary = await readable(web, request, person, provision_id, year)
    if isinstance(summary, Response):
        return summary
    answers = allocation.answers_from(form)
    errors = allocation.check_allocation(answers)
    if not errors:
        errors = [e for e in [allocation.shares_shown(answers, str(summary.body["host_school_id"]))[1]] if e]
    if errors:
        return web.pages.render(request, "finance/share_question.html", status=422, provision_id=provision_id,
                                year=year, answers=answers, errors=errors)
    answers["command_id"], answers["allocation_id"] = str(uuid.uuid4()), str(uuid.uuid4())
    await web.save_draft(request, _draft(provision_id, year), answers)
    return RedirectResponse(f"{_base(provision_id, year)}/surplus/check", status_code=303)


@router.get("/finance/{provision_id}/{year}/year-end/surplus/check", response_class=HTMLResponse)
async def share_check(request: Request, web: Web, person: Person, provision_id: str, year: str) -> Response:
    summary = await readable(web, request, person, provision_id, year)
    if isinstance(summary, Response):
        return summary
    answers = await web.load_draft(request, _draft(provision_id, year))
    if not answers:
        return RedirectResponse(f"{_base(provision_id, year)}/surplus", status_code=303)
    shares, _ = allocation.shares_shown(answers, str(summary.body["host_school_id"]))
    return web.pages.render(request, "finance/share_check.html", provision_id=provision_id, year=year,
                            answers=answers, shares=shares)


@router.post("/finance/{provision_id}/{year}/year-end/surplus/check")
async def share_send(request: Request, web: Web, person: Person, _form: CheckedForm, provision_id: str,
                     year: str) -> Response:
    summary = await readable(web, request, person, provision_id, year)
    if isinstance(summary, Response):
        return summary
    answers = await web.load_draft(request, _draft(provision_id, year))
    if not answers:
        return RedirectResponse(f"{_base(provision_id, year)}/surplus", status_code=303)
    body = allocation.command_body(answers, str(summary.body["host_school_id"]))
    answer = await web.client("finance").post(budget_address(provision_id, year, "/surplus/allocations"), person, body)
    if answer.ok:
        await web.discard_draft(request, _draft(provision_id, year))
        return web.pages.render(request, "finance/share_done.html", provision_id=provision_id, year=year,
                                allocation=answer.body.get("allocation") or {})
    page = refusal_page(web.pages, request, answer)
    if page is not None:
        return page
    errors = problem_errors(answer.body, lambda name: field_of(name, ALLOCATION_FIELDS, "method"), RULE_FIELDS,
                            "method", "The surplus could not be shared. Check your answers and try again.")
    return web.pages.render(request, "finance/share_question.html", status=422, provision_id=provision_id,
                            year=year, answers=answers, errors=[sentence(error) for error in errors])
