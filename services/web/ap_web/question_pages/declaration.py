"""What a journey declares for a question page: the ``QuestionPage`` itself, the ``Scope`` its address names,
and the ``Asking`` every declared function is given.

No ``from __future__ import annotations`` here: the scope functions (``no_scope``, ``pupil_scope``) are FastAPI
dependencies, whose annotations FastAPI reads when a page's routes are made.
"""

import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from ap_runtime.access import Role
from ap_web.context import WebContext
from ap_web.identity import SignedInPerson
from ap_web.question_pages.refusal_fields import Refusals
from ap_web.refusals import FieldError, refused
from ap_web.service_client import ServiceAnswer

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


async def _draft_or_blank(_asking: Asking, draft: Answers | None) -> Answers:
    return draft or {}


def _as_drafted(_asking: Asking, answers: Answers) -> Answers:
    return answers


def _done_with_answers(_asking: Asking, answers: Answers, _answer: ServiceAnswer) -> dict[str, Any]:
    return {"answers": answers}


async def _unprocessable(_asking: Asking, _answers: Answers, _answer: ServiceAnswer) -> int | Response:
    return 422


@dataclass(frozen=True, slots=True)
class QuestionPage:
    """A declared question page. ``path`` and ``check_path`` are route templates sharing their parameters;
    the ``scope`` dependency reads those parameters (and may answer a page instead: not found, for one not the
    person's); ``gate`` runs before the question is first shown (a role, a read that proves the person's right
    to ask); ``shown`` gives the answers it first shows (default: the draft, else none); ``read`` reads the
    posted answers (default: ``questions`` as typed); ``ids`` are made fresh each time the answers are accepted,
    so a resend is one command; ``complete`` adds what the draft needs besides the answers; ``refused`` (after a
    rule's refusal) gives the question page's status, or the page to show instead.

    With ``check_path=None`` the answers are sent at once (``templates[1]`` is unused), posted to ``path`` or, for
    a question asked on each row of a list, to ``send_path`` (a route template below ``path``, whose own
    parameters ``read`` takes from the address); ``redirect_after_send`` (a route template) is shown after a send
    instead of the confirmation template."""

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
    send_path: str | None = None
    redirect_after_send: str | None = None

    def draft_name(self, scope: Scope) -> str:
        return ":".join((self.draft, *scope.key))

    def refusals_for(self, asking: Asking) -> Refusals:
        return self.refusals if isinstance(self.refusals, Refusals) else self.refusals(asking)
