"""One GOV.UK question page, declared once: question -> check your answers -> send -> confirmation.

A one-page form (no check page: the act is one decision, or its answer is shown and kept nowhere) is the same
declaration sent at once: ``add_question_page(router, page)`` with ``check_path=None`` makes two routes, the
question and its send (question -> send -> confirmation, or the refusal against its field); nothing is drafted.

A journey declares a ``QuestionPage`` (its addresses, its three templates, how answers are read and checked,
the service call, the confirmation) and ``add_question_page(router, page)`` makes its four routes. The routes
keep the platform's rules in one place, so a new question page is a declaration and not a copy:

- WEB-CSRF-1: every form is a ``CheckedForm``, checked before anything else;
- WEB-FORM-1: each problem is shown against its field and nothing is sent until every answer is valid;
- WEB-DRAFT-1: the answers wait in the server's draft store (``ap_web.drafts``), under the page's draft name and
  only for the asking they belong to (``Scope.owner``, e.g. the pupil in the address); a check page without one
  goes back to the question;
- refusals (``ap_web.refusals``): 401/403/404 of the service is the not-found page naming nothing, a 5xx the
  service-problem page, a rule's refusal is shown against its field in the service's words, nothing stored.

This module deliberately has no ``from __future__ import annotations``: the route functions are made inside
``add_question_page`` and FastAPI reads their annotations (the page's own scope dependency) at that moment.
"""

import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from ap_runtime.access import Role
from ap_web.context import Web, WebContext
from ap_web.identity import SignedInPerson
from ap_web.refusals import FieldError, problem_errors, refusal_page, refused
from ap_web.service_client import ServiceAnswer
from ap_web.session import CheckedForm, Person

Answers = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Scope:
    """What one asking is about, found from the address by the page's ``scope`` dependency.

    ``key`` names the draft beside the page's draft name (``staff:sanction``, ``virement:{provision}:{year}``);
    ``owner`` is what a draft must hold to be this asking's (the pupil of the address), and is saved with it;
    ``context`` goes to every template of the page (the pupil's name, the statement moderated...)."""

    key: tuple[str, ...] = ()
    owner: Mapping[str, str] = field(default_factory=dict)
    context: Mapping[str, Any] = field(default_factory=dict)


async def no_scope() -> Scope:
    """The scope of a page whose address names nothing (one draft per session)."""
    return Scope()


async def pupil_scope(pupil_ref: uuid.UUID) -> Scope:
    """The scope of a page about the pupil in its address: the draft is that pupil's, the pages name it."""
    return Scope(owner={"pupil_ref": str(pupil_ref)}, context={"pupil_ref": str(pupil_ref)})


@dataclass(frozen=True, slots=True)
class Asking:
    """One request to a question page: what every declared function is given."""

    request: Request
    web: WebContext
    person: SignedInPerson
    scope: Scope


def only_for(roles: frozenset[Role]) -> Callable[[Asking], Awaitable[Response | None]]:
    """A gate: the question only for people holding one of ``roles``; anyone else the not-found page."""
    async def gate(asking: Asking) -> Response | None:
        return None if roles & set(asking.person.roles) else refused(asking.web.pages, asking.request)
    return gate


def posted_answers(form: FormData, names: tuple[str, ...]) -> Answers:
    """The answers to the named questions as typed, without the spaces around them."""
    return {name: str(form.get(name, "")).strip() for name in names}


async def _draft_or_blank(_asking: Asking, draft: Answers | None) -> Answers:
    return draft or {}


def _as_drafted(_asking: Asking, answers: Answers) -> Answers:
    return answers


def _done_with_answers(_asking: Asking, answers: Answers, _answer: ServiceAnswer) -> dict[str, Any]:
    return {"answers": answers}


async def _unprocessable(_asking: Asking, _answers: Answers, _answer: ServiceAnswer) -> int | Response:
    return 422


def sentences(errors: list[FieldError]) -> list[FieldError]:
    """A service's words as the page's sentences: each message begins with a capital letter (services write
    them in lower case, as a log line)."""
    return [FieldError(e.field, e.message[:1].upper() + e.message[1:]) for e in errors]


def field_named(fields: tuple[str, ...], default: str, renamed: Mapping[str, str] | None = None
                ) -> Callable[[str], str]:
    """Maps a service's field name (``corrected_values.action_taken``, ``triggers[0]``) to the page's question:
    the first of its parts the page asks (after ``renamed``: ``amount_pence`` asked in pounds as ``amount``),
    else ``default``."""
    def mapped(service_field: str) -> str:
        for part in service_field.replace("[", ".").replace("]", "").split("."):
            part = (renamed or {}).get(part, part)
            if part in fields:
                return part
        return default
    return mapped


@dataclass(frozen=True, slots=True)
class Refusals:
    """Where a service's refusal of the send goes on the question page: ``field_of`` maps the service's field
    names, ``rule_fields`` its rule ids, anything else lands on ``default_field`` (``fallback`` when the service
    gave no words); ``as_sentences`` capitalises the service's words."""

    field_of: Callable[[str], str]
    default_field: str
    fallback: str
    rule_fields: Mapping[str, str] = field(default_factory=dict)
    as_sentences: bool = True

    def errors(self, answer: ServiceAnswer) -> list[FieldError]:
        found = problem_errors(answer.body, self.field_of, self.rule_fields, self.default_field, self.fallback)
        return sentences(found) if self.as_sentences else found


@dataclass(frozen=True, slots=True)
class QuestionPage:
    """A declared question page. ``path`` and ``check_path`` are route templates sharing their parameters;
    the ``scope`` dependency reads those parameters (and may answer a page instead: not found, for one not the
    person's); ``gate`` runs before the question is first shown (a role, a read that proves the person's right
    to ask); ``shown`` gives the answers it first shows (default: the draft, else none); ``ids`` are made fresh
    each time the answers are accepted, so a resend is one command; ``complete`` adds what the draft needs
    besides the answers; ``refused`` (after a rule's refusal) gives the question page's status, or the page to
    show instead. With ``check_path=None`` the answers are sent at once (``templates[1]`` is unused)."""

    draft: str
    path: str
    check_path: str | None
    templates: tuple[str, str, str]  # question, check your answers, confirmation
    send: Callable[[Asking, Answers], Awaitable[ServiceAnswer]]
    check: Callable[[Asking, Answers], list[FieldError]]
    refusals: Refusals | Callable[[Asking], Refusals]
    questions: tuple[str, ...] = ()
    ids: tuple[str, ...] = ("command_id",)
    scope: Callable[..., Awaitable[Scope | Response]] = no_scope
    gate: Callable[[Asking], Awaitable[Response | None]] | None = None
    read: Callable[[Asking, FormData], Awaitable[Answers]] | None = None
    shown: Callable[[Asking, Answers | None], Awaitable[Answers]] = _draft_or_blank
    complete: Callable[[Asking, Answers], Answers] = _as_drafted
    check_context: Callable[[Asking, Answers], dict[str, Any]] = lambda _asking, _answers: {}
    done: Callable[[Asking, Answers, ServiceAnswer], dict[str, Any]] = _done_with_answers
    refused: Callable[[Asking, Answers, ServiceAnswer], Awaitable[int | Response]] = _unprocessable
    extra: Mapping[str, Any] = field(default_factory=dict)

    def draft_name(self, scope: Scope) -> str:
        return ":".join((self.draft, *scope.key))


def _render(page: QuestionPage, asking: Asking, template: str, status: int = 200, **context: Any) -> Response:
    return asking.web.pages.render(asking.request, template, status=status,
                                   **{**page.extra, **asking.scope.context, **context})


def question_page(page: QuestionPage, asking: Asking, answers: Answers, errors: list[FieldError],
                  status: int = 200) -> Response:
    """The question page with the answers given and the problems with them (none the first time)."""
    return _render(page, asking, page.templates[0], status, answers=answers, errors=errors)


def _address(template: str, request: Request) -> str:
    return template.format(**request.path_params)


async def load_answers(page: QuestionPage, asking: Asking) -> Answers | None:
    """The answers in progress for this asking, or None (none, expired, or another pupil's)."""
    answers = await asking.web.load_draft(asking.request, page.draft_name(asking.scope))
    if not answers or any(answers.get(name) != value for name, value in asking.scope.owner.items()):
        return None
    return answers


async def show_question(page: QuestionPage, asking: Asking, _form: FormData) -> Response:
    if page.gate is not None:
        instead = await page.gate(asking)
        if instead is not None:
            return instead
    return question_page(page, asking, await page.shown(asking, await load_answers(page, asking)), [])


async def _accepted(page: QuestionPage, asking: Asking, form: FormData) -> Answers | Response:
    """The posted answers made whole (owner, fresh ids, ``complete``), or the question with their problems."""
    answers = await page.read(asking, form) if page.read else posted_answers(form, page.questions)
    errors = page.check(asking, answers)
    if errors:
        return question_page(page, asking, answers, errors, status=422)
    answers.update(asking.scope.owner)
    answers.update({name: str(uuid.uuid4()) for name in page.ids})
    return page.complete(asking, answers)


async def take_answers(page: QuestionPage, asking: Asking, form: FormData) -> Response:
    answers = await _accepted(page, asking, form)
    if isinstance(answers, Response):
        return answers
    await asking.web.save_draft(asking.request, page.draft_name(asking.scope), answers)
    return RedirectResponse(_address(page.check_path or page.path, asking.request), status_code=303)


async def send_at_once(page: QuestionPage, asking: Asking, form: FormData) -> Response:
    """A one-page form's send: the gate again (the post is not the question's reading), the answers, the
    service call, and its confirmation or refusal; no draft."""
    if page.gate is not None:
        instead = await page.gate(asking)
        if instead is not None:
            return instead
    answers = await _accepted(page, asking, form)
    return answers if isinstance(answers, Response) else await _sent(page, asking, answers)


async def show_check(page: QuestionPage, asking: Asking, _form: FormData) -> Response:
    answers = await load_answers(page, asking)
    if answers is None:
        return RedirectResponse(_address(page.path, asking.request), status_code=303)
    return _render(page, asking, page.templates[1], answers=answers, **page.check_context(asking, answers))


async def send_answers(page: QuestionPage, asking: Asking, _form: FormData) -> Response:
    answers = await load_answers(page, asking)
    if answers is None:
        return RedirectResponse(_address(page.path, asking.request), status_code=303)
    return await _sent(page, asking, answers)


async def _sent(page: QuestionPage, asking: Asking, answers: Answers) -> Response:
    answer = await page.send(asking, answers)
    if answer.ok:
        await asking.web.discard_draft(asking.request, page.draft_name(asking.scope))
        return _render(page, asking, page.templates[2], **page.done(asking, answers, answer))
    instead = refusal_page(asking.web.pages, asking.request, answer)
    if instead is not None:
        return instead
    # Refused by the service's validation or rules: against the questions, in its words; nothing stored.
    status = await page.refused(asking, answers, answer)
    if isinstance(status, Response):
        return status
    refusals = page.refusals if isinstance(page.refusals, Refusals) else page.refusals(asking)
    return question_page(page, asking, answers, refusals.errors(answer), status=status)


Step = Callable[[QuestionPage, Asking, FormData], Awaitable[Response]]


def _route(page: QuestionPage, step: Step, posted: bool) -> Callable[..., Awaitable[Response]]:
    """A route running ``step`` once the page's scope is found; a posted one checks the CSRF token first."""

    async def answered(request: Request, form: CheckedForm, web: Web, person: Person,
                       scope: Annotated[Scope | Response, Depends(page.scope)]) -> Response:
        if isinstance(scope, Response):
            return scope
        return await step(page, Asking(request, web, person, scope), form)

    async def shown(request: Request, web: Web, person: Person,
                    scope: Annotated[Scope | Response, Depends(page.scope)]) -> Response:
        if isinstance(scope, Response):
            return scope
        return await step(page, Asking(request, web, person, scope), FormData())

    return answered if posted else shown


def add_question_page(router: APIRouter, page: QuestionPage) -> None:
    """The page's four routes on ``router``: GET/POST ``path`` (question), GET/POST ``check_path``; without a
    ``check_path`` the two of ``path``, its POST sending at once. Call it before any route whose address could
    also match them (``/transfers/{id}`` would take ``/transfers/check``)."""
    router.add_api_route(page.path, _route(page, show_question, False), methods=["GET"], response_class=HTMLResponse)
    if page.check_path is None:
        router.add_api_route(page.path, _route(page, send_at_once, True), methods=["POST"])
        return
    router.add_api_route(page.path, _route(page, take_answers, True), methods=["POST"])
    router.add_api_route(page.check_path, _route(page, show_check, False), methods=["GET"],
                         response_class=HTMLResponse)
    router.add_api_route(page.check_path, _route(page, send_answers, True), methods=["POST"])
