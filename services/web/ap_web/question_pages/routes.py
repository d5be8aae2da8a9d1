"""The FastAPI routes of a declared question page, each running one step (``steps``) once the page's scope is
found from the address.

This module deliberately has no ``from __future__ import annotations``: the route functions are made inside
``_route`` and FastAPI reads their annotations (the page's own scope dependency) at that moment.
"""

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from ap_web.context import Web
from ap_web.question_pages.declaration import Asking, QuestionPage, Scope
from ap_web.question_pages.steps import send_answers, send_at_once, show_check, show_question, take_answers
from ap_web.session import CheckedForm, Person

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
    ``check_path`` the two of the question: GET ``path`` and its send, POST ``send_path`` or ``path``. Call it
    before any route whose address could also match them (``/transfers/{id}`` would take ``/transfers/check``)."""
    router.add_api_route(page.path, _route(page, show_question, False), methods=["GET"], response_class=HTMLResponse)
    if page.check_path is None:
        router.add_api_route(page.send_path or page.path, _route(page, send_at_once, True), methods=["POST"],
                             response_class=HTMLResponse)
        return
    router.add_api_route(page.path, _route(page, take_answers, True), methods=["POST"])
    router.add_api_route(page.check_path, _route(page, show_check, False), methods=["GET"],
                         response_class=HTMLResponse)
    router.add_api_route(page.check_path, _route(page, send_answers, True), methods=["POST"])
