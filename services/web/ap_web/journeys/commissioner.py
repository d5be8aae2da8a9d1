"""Commissioner / LA: the provider self-audits it commissioned, statement by statement with Red, Amber and Green
tags, and moderating one rating: agree with it or change it, always with a reason (question page, check your
answers, confirmation); the moderated rating then stands on the audit. While an audit is open (not every
statement rated, none moderated), its commissioner moves its due date with a reason (a GOV.UK date input).

Rules served: the commissioning service decides who reads and moderates (policy COMM-AUDIT-1: the audit's own
commissioner); any refusal of a reading is the not-found page naming nothing; WEB-FORM-1 (each problem against
its field); WEB-DRAFT-1 (the answers wait in the server's draft store); a refusal by the service's rule (e.g.
self_audit.moderation_has_reason) is shown against its field, nothing recorded.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from ap_runtime.access import Role
from ap_web.context import Journey, Web
from ap_web.identity import SignedInPerson
from ap_web.journeys.commissioner_register import review_status
from ap_web.pages import SCHOOL_CLOCK, Task
from ap_web.question_pages import Asking, QuestionPage, Refusals, Scope, add_question_page, field_named, only_for
from ap_web.refusals import FieldError, refusal_page, refused
from ap_web.service_client import ServiceAnswer
from ap_web.session import Person

MODERATORS = frozenset({Role.COMMISSIONER, Role.PARTNERSHIP_LEAD})
RATINGS = {"red": "Red", "amber": "Amber", "green": "Green"}
TAG_CLASSES = {"red": "govuk-tag--red", "amber": "govuk-tag--orange", "green": "govuk-tag--green"}
MODERATED = ("moderated_rating", "reason")
RULE_FIELDS = {"self_audit.moderation_has_reason": "reason", "self_audit.moderates_a_rating": "moderated_rating"}
#: What may stand in an address here (ids and years as the service names them); anything else is not found.
_SEGMENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$")

router = APIRouter()


def _audit_address(provider_id: str, commissioner_id: str, year: str) -> str | None:
    if not all(_SEGMENT.match(part) for part in (provider_id, commissioner_id, year)):
        return None
    return f"/v1/self-audits/{provider_id}/{commissioner_id}/{year}"


def _page(provider_id: str, commissioner_id: str, year: str) -> str:
    return f"/commissioning/self-audits/{provider_id}/{commissioner_id}/{year}"


async def _read_audit(web: Web, person: SignedInPerson, provider_id: str, commissioner_id: str,
                      year: str) -> ServiceAnswer:
    address = _audit_address(provider_id, commissioner_id, year)
    if address is None:
        return ServiceAnswer(404)
    return await web.client("commissioning").get(address, person)


def _not_readable(web: Web, request: Request, answer: ServiceAnswer) -> Response | None:
    if answer.ok:
        return None
    return refusal_page(web.pages, request, answer) or refused(web.pages, request)


def due_status(audit: dict[str, Any], today: date) -> tuple[str, str]:
    """An audit's due date in words and a tag colour (issue 16 follow-up): rated in full (green); else overdue
    (red) or due soon (yellow) as a review is (``review_status``), or due on its date (grey)."""
    if audit.get("complete"):
        return "Rated", "govuk-tag--green"
    words, tag = review_status(audit.get("due_on"), today)
    if tag != "govuk-tag--grey":
        return words, tag
    due_on = audit.get("due_on")
    return ("No due date", tag) if due_on is None else (f"Due on {date.fromisoformat(str(due_on)):%-d %B %Y}", tag)


@router.get("/commissioning/self-audits", response_class=HTMLResponse)
async def self_audits(request: Request, web: Web, person: Person) -> Response:
    answer = await web.client("commissioning").get("/v1/self-audits", person)
    page = _not_readable(web, request, answer)
    if page is not None:
        return page
    today = datetime.now(SCHOOL_CLOCK).date()
    audits = [{**audit, "due": due_status(audit, today)} for audit in answer.body.get("items") or []]
    return web.pages.render(request, "commissioner/self_audits.html", audits=audits)


@router.get("/commissioning/self-audits/{provider_id}/{commissioner_id}/{year}", response_class=HTMLResponse)
async def self_audit(request: Request, web: Web, person: Person, provider_id: str, commissioner_id: str,
                     year: str) -> Response:
    answer = await _read_audit(web, person, provider_id, commissioner_id, year)
    page = _not_readable(web, request, answer)
    if page is not None:
        return page
    due = due_status(answer.body, datetime.now(SCHOOL_CLOCK).date())
    may_moderate = bool(MODERATORS & set(person.roles))
    return web.pages.render(request, "commissioner/self_audit.html", audit=answer.body, due=due,
                            may_moderate=may_moderate, may_move_due=may_moderate and due_may_move(answer.body))


async def _statement(request: Request, web: Web, person: Person, provider_id: str, commissioner_id: str, year: str,
                     statement_id: str) -> Scope | Response:
    """The rated statement moderated, or the page to show instead (not found for one not rated or not there)."""
    answer = await _read_audit(web, person, provider_id, commissioner_id, year)
    page = _not_readable(web, request, answer)
    if page is not None:
        return page
    found = next((s for s in answer.body.get("statements") or []
                  if s.get("statement_id") == statement_id and s.get("rating")), None)
    if found is None:
        return refused(web.pages, request)
    return Scope(key=(provider_id, commissioner_id, year, statement_id),
                 context={"statement": found, "audit_page": _page(provider_id, commissioner_id, year)})


async def _shown(asking: Asking, draft: dict[str, Any] | None) -> dict[str, Any]:
    statement = asking.scope.context["statement"]
    return draft or {"moderated_rating": statement.get("moderated_rating") or statement.get("rating"), "reason": ""}


def check_moderation(answers: dict[str, str]) -> list[FieldError]:
    errors: list[FieldError] = []
    if answers.get("moderated_rating") not in RATINGS:
        errors.append(FieldError("moderated_rating", "Select the rating that stands: Red, Amber or Green"))
    if not answers.get("reason", "").strip():
        errors.append(FieldError("reason", "Enter the reason for your moderation, even when you agree"))
    return errors


async def _send(asking: Asking, answers: dict[str, Any]) -> ServiceAnswer:
    provider_id, commissioner_id, year, statement_id = asking.scope.key
    return await asking.web.client("commissioning").post(
        f"{_audit_address(provider_id, commissioner_id, year)}/moderations", asking.person,
        {"command_id": answers["command_id"], "statement_id": statement_id,
         "moderated_rating": answers["moderated_rating"], "reason": answers["reason"]})


MODERATION = "/commissioning/self-audits/{provider_id}/{commissioner_id}/{year}/{statement_id}/moderate"
add_question_page(router, QuestionPage(
    draft="moderation", path=MODERATION, check_path=f"{MODERATION}/check",
    templates=("commissioner/moderate.html", "commissioner/moderate_check.html", "commissioner/moderated.html"),
    questions=MODERATED, scope=_statement, shown=_shown, check=lambda _asking, answers: check_moderation(answers),
    send=_send, refusals=Refusals(field_named(MODERATED, "reason"), "reason",
                                  "The moderation could not be recorded. Check your answers.", RULE_FIELDS)))


DUE_PARTS = ("due_on-day", "due_on-month", "due_on-year")
DUE_QUESTIONS = (*DUE_PARTS, "reason")
DUE_RULE_FIELDS = {"self_audit.due_not_in_past": "due_on-day", "self_audit.due_by_next_year_end": "due_on-day",
                   "self_audit.due_change_has_reason": "reason", "self_audit.due_changes_while_open": "due_on-day"}


def due_may_move(audit: dict[str, Any]) -> bool:
    """The service's rule (self_audit.due_changes_while_open) as the page offers it: not rated in full, none
    moderated. The service decides; this only hides a link that would be refused."""
    return not audit.get("complete") and not audit.get("moderated")


def due_on_typed(answers: dict[str, str]) -> date | None:
    """The day the three boxes name, or None when they name no real day."""
    try:
        return date(*(int(answers.get(part, "")) for part in ("due_on-year", "due_on-month", "due_on-day")))
    except ValueError:
        return None


def check_due_date(answers: dict[str, str], today: date) -> list[FieldError]:
    """GOV.UK's words for a date input: what is missing, not a real date, or in the past."""
    missing = [part.removeprefix("due_on-") for part in DUE_PARTS if not answers.get(part)]
    typed = due_on_typed(answers)
    errors: list[FieldError] = []
    if len(missing) == len(DUE_PARTS):
        errors.append(FieldError("due_on-day", "Enter the date the self-audit is due"))
    elif missing:
        errors.append(FieldError(f"due_on-{missing[0]}", f"Date the self-audit is due must include a {missing[0]}"))
    elif typed is None or typed.year < 1000:
        errors.append(FieldError("due_on-day", "Date the self-audit is due must be a real date"))
    elif typed < today:
        errors.append(FieldError("due_on-day", "Date the self-audit is due must be today or in the future"))
    if not answers.get("reason", "").strip():
        errors.append(FieldError("reason", "Enter the reason for changing the due date"))
    return errors


async def _open_audit(request: Request, web: Web, person: Person, provider_id: str, commissioner_id: str,
                      year: str) -> Scope | Response:
    """The audit whose due date moves, read as the person (not found otherwise, or once it is no longer open)."""
    answer = await _read_audit(web, person, provider_id, commissioner_id, year)
    page = _not_readable(web, request, answer)
    if page is not None:
        return page
    if not due_may_move(answer.body):
        return refused(web.pages, request)
    return Scope(key=(provider_id, commissioner_id, year),
                 context={"audit": answer.body, "audit_page": _page(provider_id, commissioner_id, year)})


async def _send_due_date(asking: Asking, answers: dict[str, Any]) -> ServiceAnswer:
    provider_id, commissioner_id, year = asking.scope.key
    typed = due_on_typed(answers)
    return await asking.web.client("commissioning").post(
        f"{_audit_address(provider_id, commissioner_id, year)}/due-date", asking.person,
        {"command_id": answers["command_id"], "due_on": None if typed is None else typed.isoformat(),
         "reason": answers["reason"]})


DUE_DATE = "/commissioning/self-audits/{provider_id}/{commissioner_id}/{year}/due-date"
add_question_page(router, QuestionPage(
    draft="self-audit-due", path=DUE_DATE, check_path=f"{DUE_DATE}/check",
    templates=("commissioner/due_date.html", "commissioner/due_date_check.html", "commissioner/due_date_changed.html"),
    questions=DUE_QUESTIONS, scope=_open_audit, gate=only_for(MODERATORS), send=_send_due_date,
    check=lambda _asking, answers: check_due_date(answers, datetime.now(SCHOOL_CLOCK).date()),
    check_context=lambda _asking, answers: {"due_on": due_on_typed(answers)},
    done=lambda _asking, answers, _answer: {"answers": answers, "due_on": due_on_typed(answers)},
    refusals=Refusals(field_named(DUE_QUESTIONS, "due_on-day", {"due_on": "due_on-day"}), "due_on-day",
                      "The due date could not be changed. Check your answers.", DUE_RULE_FIELDS)))


JOURNEY = Journey(
    router=router,
    tasks=(Task("/commissioning/self-audits", "Provider self-audits", MODERATORS,
                "Each provider's ratings, statement by statement, to moderate"),),
    template_globals={
        "rating_words": lambda value: RATINGS.get(str(value), "Not rated"),
        "rating_tag": lambda value: TAG_CLASSES.get(str(value), "govuk-tag--grey"),
        "rating_items": lambda selected: [{"value": value, "text": text, "checked": value == selected}
                                          for value, text in RATINGS.items()],
    },
)
