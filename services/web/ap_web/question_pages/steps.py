"""The steps of a declared question page, each one route's work: show the question, take its answers (into the
draft, or sent at once), show the check page, send; and the rendering they share (the page's ``extra``, its
scope's context, then the step's own).
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from ap_web.question_pages.declaration import Answers, Asking, QuestionPage
from ap_web.refusals import FieldError, refusal_page


def posted_answers(form: FormData, names: tuple[str, ...]) -> Answers:
    """The answers to the named questions as typed, without the spaces around them."""
    return {name: str(form.get(name, "")).strip() for name in names}


def _render(page: QuestionPage, asking: Asking, template: str, status: int = 200, **context: Any) -> Response:
    return asking.web.pages.render(asking.request, template, status=status,
                                   **{**page.extra, **asking.scope.context, **context})


def question_page(page: QuestionPage, asking: Asking, answers: Answers, errors: list[FieldError],
                  status: int = 200) -> Response:
    """The question page with the answers given and the problems with them (none the first time)."""
    return _render(page, asking, page.templates[0], status, answers=answers, errors=errors)


def _to(template: str, request: Request) -> RedirectResponse:
    """See-other to a page's route template, its parameters those of this request's address."""
    return RedirectResponse(template.format(**request.path_params), status_code=303)


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
    return _to(page.check_path or page.path, asking.request)


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
        return _to(page.path, asking.request)
    return _render(page, asking, page.templates[1], answers=answers, **page.check_context(asking, answers))


async def send_answers(page: QuestionPage, asking: Asking, _form: FormData) -> Response:
    answers = await load_answers(page, asking)
    if answers is None:
        return _to(page.path, asking.request)
    return await _sent(page, asking, answers)


async def _sent(page: QuestionPage, asking: Asking, answers: Answers) -> Response:
    answer = await page.send(asking, answers)
    if answer.ok:
        await asking.web.discard_draft(asking.request, page.draft_name(asking.scope))
        if page.redirect_after_send is not None:
            return _to(page.redirect_after_send, asking.request)
        return _render(page, asking, page.templates[2], **page.done(asking, answers, answer))
    instead = refusal_page(asking.web.pages, asking.request, answer)
    if instead is not None:
        return instead
    # Refused by the service's validation or rules: against the questions, in its words; nothing stored.
    status = await page.refused(asking, answers, answer)
    if isinstance(status, Response):
        return status
    return question_page(page, asking, answers, page.refusals_for(asking).errors(answer), status=status)
