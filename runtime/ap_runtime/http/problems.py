"""The one problem format (RFC 9457) every service answers with, from its handlers and its edge.

Rule served (issue 10, "One error format"). Every body has ``type``, ``title``, ``status``,
``detail`` and ``instance`` (the request path), plus, where they apply, the extension members
``rule`` (the domain or access-policy rule that refused), ``errors`` (``[{field, problem}]``, each
field by location, never its value) and service-specific members such as ``allowed_periods``.

``type`` is ``urn:ap:problem:<slug>``, from this closed vocabulary:

| slug | status | when |
|---|---|---|
| ``rule-broken`` | 422 | a command breaks a domain rule whatever is recorded (``rule``) |
| ``conflict`` | 409 | a command conflicts with the record (``rule``) |
| ``reserved-to-another-party`` | 403 | a domain rule reserves the act to another party (``rule``) |
| ``not-found`` | 404 | an unknown route, or a record that was never made (``rule`` when a rule says so) |
| ``access-denied`` | 403 | the access policy refuses (``rule`` names the policy rule) |
| ``unauthenticated`` | 401 | no token, or a token refused (``WWW-Authenticate`` says why) |
| ``invalid-request`` | 422 | a body, path, query or header that is not valid (``errors``) |
| ``invalid-purpose`` | 422 | an ``X-Access-Purpose`` that is not one of the categories |
| ``body-too-large`` | 413 | a body over ``AP_HTTP_MAX_BODY_BYTES`` |
| ``rate-limited`` | 429 | a caller over its rate (``Retry-After``) |
| ``busy`` | 503 | a stream kept changing under the command (``Retry-After``) |
| ``not-ready`` | 503 | a read model not built yet (``Retry-After``) |
| ``audit-unavailable``, ``policy-unavailable``, ``unavailable`` | 503 | access cannot be decided or recorded |
| ``method-not-allowed`` | 405 | a route called with a method it does not take |
| ``http-<status>`` | other | any other ``HTTPException`` |

Domain errors carry a ``RefusalKind``, never a status: ``STATUS_OF_KIND`` is the one table that
maps them. Every refusal made on the shared template (``ap_runtime.refusal.Refusal``) is answered by
``refusal_problem``; a service registers its other error classes with ``install_problem_handlers(app, {...})``,
each translated to a ``Problem`` by a small function in its ``entrypoints/problems.py``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException
from starlette.types import Scope, Send

from ap_contracts.schema_tools import WHOLE_OBJECT, FieldProblem
from ap_contracts.text import text_problem
from ap_runtime.access.guard import AccessDenied, AuditUnavailable, InvalidPurpose
from ap_runtime.access.policy import PolicyError
from ap_runtime.commands import ConcurrencyRetriesExhausted
from ap_runtime.projection.store import ReadModelNotReady
from ap_runtime.refusal import Refusal, RefusalKind

__all__ = [
    "PROBLEM_MEDIA_TYPE", "STATUS_OF_KIND", "FieldProblem", "InvalidRequest", "Problem", "ProblemDocument",
    "Translator", "install_problem_handlers", "invalid_request", "problem_response", "problem_type", "refusal",
    "refusal_problem", "send_problem", "title_of",
]

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_TYPE_PREFIX = "urn:ap:problem:"

STATUS_OF_KIND: Mapping[RefusalKind, int] = {
    RefusalKind.BREAKS_RULE: 422,
    RefusalKind.CONFLICTS_WITH_RECORD: 409,
    RefusalKind.RESERVED_TO_ANOTHER_PARTY: 403,
    RefusalKind.NOT_FOUND: 404,
}

def problem_type(slug: str) -> str:
    """The ``type`` URI of a problem slug: one scheme for every service."""
    return PROBLEM_TYPE_PREFIX + slug


@dataclass(frozen=True, slots=True)
class Problem:
    """One refusal, before it is sent: the body's members and the response headers."""

    status: int
    slug: str
    title: str
    detail: str
    rule: str | None = None
    errors: Sequence[FieldProblem] | None = None
    extensions: Mapping[str, Any] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)

    def body(self, instance: str | None) -> dict[str, Any]:
        body: dict[str, Any] = {"type": problem_type(self.slug), "title": self.title, "status": self.status,
                                "detail": self.detail}
        if instance is not None:
            body["instance"] = instance
        if self.rule is not None:
            body["rule"] = self.rule
        if self.errors is not None:
            body["errors"] = [dict(error) for error in self.errors]
        return {**body, **self.extensions}


class FieldProblemDocument(BaseModel):
    field: str
    problem: str


class ProblemDocument(BaseModel):
    """The problem body as the OpenAPI documents describe it (the members every body may carry)."""

    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    rule: str | None = None
    errors: list[FieldProblemDocument] | None = None


def title_of(error_class: type[BaseException]) -> str:
    """A rule class name in words: ``ParentNotConsulted`` -> ``Parent not consulted``."""
    words = re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z0-9]+", error_class.__name__)
    return " ".join(words).capitalize() if words else error_class.__name__


def refusal(kind: RefusalKind, rule: str, title: str, detail: str, *, errors: Sequence[FieldProblem] | None = None,
            **extensions: Any) -> Problem:
    """A domain rule's refusal: its status comes from its kind, through ``STATUS_OF_KIND``."""
    return Problem(STATUS_OF_KIND[kind], kind.value, title, detail, rule=rule, errors=errors, extensions=extensions)


def refusal_problem(error: Exception) -> Problem:
    """A refusal of any service (``ap_runtime.refusal.Refusal``): its rule, its kind's status and its sentence."""
    if not isinstance(error, Refusal):
        raise error
    return refusal(error.kind, error.rule_id, title_of(type(error)), error.message)


def invalid_request(errors: Sequence[FieldProblem]) -> Problem:
    """422 listing each field at fault by location with its problem (never the value sent)."""
    detail = "; ".join(f"{error['field']}: {error['problem']}" for error in errors)
    return Problem(422, "invalid-request", "Invalid request", detail, errors=list(errors))


class InvalidRequest(Exception):
    """Raised by a route that checks its input itself: answered as ``invalid_request(errors)``."""

    def __init__(self, errors: Sequence[FieldProblem]) -> None:
        super().__init__("; ".join(f"{error['field']}: {error['problem']}" for error in errors))
        self.errors = list(errors)


def problem_response(problem: Problem, instance: str | None) -> JSONResponse:
    return JSONResponse(problem.body(instance), status_code=problem.status, media_type=PROBLEM_MEDIA_TYPE,
                        headers=dict(problem.headers) or None)


async def send_problem(send: Send, scope: Scope, problem: Problem) -> None:
    """Answer from ASGI middleware (the edge), before any handler runs; same body as the handlers'.

    ``instance`` is left out when the path itself is unstorable text: a refusal never echoes it."""
    path = scope.get("path")
    instance = path if isinstance(path, str) and text_problem(path) is None else None
    payload = json.dumps(problem.body(instance)).encode()
    raw_headers = [(b"content-type", PROBLEM_MEDIA_TYPE.encode()), (b"content-length", str(len(payload)).encode())]
    raw_headers += [(name.lower().encode("latin-1"), value.encode("latin-1"))
                    for name, value in problem.headers.items()]
    await send({"type": "http.response.start", "status": problem.status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": payload})


# ----------------------------------------------------------------------------- refusals every service makes

_HTTP_SLUGS = {401: "unauthenticated", 403: "access-denied", 404: "not-found", 405: "method-not-allowed",
               422: "invalid-request", 503: "unavailable"}
_HTTP_TITLES = {401: "Not authenticated", 403: "Access denied", 404: "Not found", 405: "Method not allowed",
                422: "Invalid request", 503: "Service unavailable"}


def _http(error: Exception) -> Problem:
    """An ``HTTPException`` (the access layer's 401/403/422/503, FastAPI's 404/405): its detail is a
    ``{"reason", "rule"}`` mapping or a text."""
    if not isinstance(error, HTTPException):
        raise error
    status = error.status_code
    detail = error.detail if isinstance(error.detail, dict) else {"reason": str(error.detail)}
    rule = detail.get("rule")
    return Problem(status, _HTTP_SLUGS.get(status, f"http-{status}"), _HTTP_TITLES.get(status, "Request refused"),
                   str(detail.get("reason", "")), rule=None if rule is None else str(rule),
                   headers=dict(error.headers or {}))


def request_errors(error: RequestValidationError) -> list[FieldProblem]:
    """Each field FastAPI refused, by location (``body`` and the path/query/header prefix dropped),
    its messages joined; the input is never echoed."""
    found: dict[str, list[str]] = {}
    for item in error.errors():
        location = [str(part) for part in item.get("loc", ()) if part != "body"]
        name = ".".join(location[1:] if location[:1] in (["path"], ["query"], ["header"]) else location)
        messages = found.setdefault(name or WHOLE_OBJECT, [])
        if str(item.get("msg")) not in messages:
            messages.append(str(item.get("msg")))
    return [FieldProblem(field=name, problem="; or ".join(messages)) for name, messages in found.items()]


def _request_validation(error: Exception) -> Problem:
    if not isinstance(error, RequestValidationError):
        raise error
    return invalid_request(request_errors(error))


def _invalid(error: Exception) -> Problem:
    if not isinstance(error, InvalidRequest):
        raise error
    return invalid_request(error.errors)


def _denied(error: Exception) -> Problem:
    if not isinstance(error, AccessDenied):
        raise error
    return Problem(403, "access-denied", "Access denied", error.decision.reason, rule=error.decision.rule_id)


def _fixed(status: int, slug: str, title: str, headers: Mapping[str, str] | None = None) -> Translator:
    def translate(error: Exception) -> Problem:
        return Problem(status, slug, title, str(error), headers=headers or {})
    return translate


Translator = Callable[[Exception], Problem]

COMMON_TRANSLATORS: Mapping[type[Exception], Translator] = {
    HTTPException: _http,
    RequestValidationError: _request_validation,
    InvalidRequest: _invalid,
    AccessDenied: _denied,
    Refusal: refusal_problem,
    InvalidPurpose: _fixed(422, "invalid-purpose", "Invalid purpose"),
    AuditUnavailable: _fixed(503, "audit-unavailable", "Audit unavailable"),
    PolicyError: _fixed(503, "policy-unavailable", "Access policy unavailable"),
    ConcurrencyRetriesExhausted: _fixed(503, "busy", "Busy", {"Retry-After": "1"}),
    ReadModelNotReady: _fixed(503, "not-ready", "Read model not ready", {"Retry-After": "5"}),
}


def install_problem_handlers(app: FastAPI, translators: Mapping[type[Exception], Translator] | None = None) -> None:
    """Answer every refusal of ``app`` in the one format: the common ones above and the service's own."""
    for error_class, translate in {**COMMON_TRANSLATORS, **(translators or {})}.items():
        app.add_exception_handler(error_class, _handler(translate))


def _handler(translate: Translator) -> Callable[[Request, Exception], Awaitable[JSONResponse]]:
    async def handle(request: Request, error: Exception) -> JSONResponse:
        return problem_response(translate(error), request.url.path)
    return handle
