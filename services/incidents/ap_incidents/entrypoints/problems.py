"""RFC 9457 problem responses: every refusal names its rule, in words the caller can act on.

Domain refusals keep their rule id and status (409 conflicts with the record, 422 breaks a rule,
403 reserved to another party); access denials are 403 with the policy rule and reason; a body
that is not a valid command is 422 with each field and its problem; a missing or bad token 401.
"""

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException

from ap_contracts.schema_tools import WHOLE_OBJECT
from ap_incidents.application.parsing import InvalidCommandBody
from ap_incidents.domain.errors import DomainError
from ap_runtime.access import AccessDenied, AuditUnavailable, InvalidPurpose, PolicyError

PROBLEM_MEDIA_TYPE = "application/problem+json"


class FieldProblemModel(BaseModel):
    field: str
    problem: str


class Problem(BaseModel):
    """An RFC 9457 problem; ``rule`` names the domain or access rule that refused the request."""

    type: str
    title: str
    status: int
    detail: str
    rule: str | None = None
    errors: list[FieldProblemModel] | None = None


def problem(status: int, type_: str, title: str, detail: str, *, rule: str | None = None,
            errors: list[Any] | None = None, headers: dict[str, str] | None = None) -> JSONResponse:
    body: dict[str, Any] = {"type": type_, "title": title, "status": status, "detail": detail}
    if rule is not None:
        body["rule"] = rule
    if errors is not None:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def domain_problem(error: DomainError) -> JSONResponse:
    return problem(error.http_status, f"urn:ap:rule:{error.rule}", type(error).__name__, error.message,
                   rule=error.rule)


def denied_problem(error: AccessDenied) -> JSONResponse:
    decision = error.decision
    return problem(403, "urn:ap:access:denied", "Access denied", decision.reason, rule=decision.rule_id)


def invalid_problem(errors: list[Any]) -> JSONResponse:
    fields = ", ".join(e["field"] for e in errors)
    return problem(422, "urn:ap:problem:invalid-command", "Invalid command", f"invalid: {fields}",
                   errors=errors)


def _request_errors(exc: RequestValidationError) -> list[dict[str, str]]:
    found: dict[str, list[str]] = {}
    for error in exc.errors():
        location = [str(part) for part in error.get("loc", ()) if part not in ("body",)]
        field = ".".join(location[1:] if location[:1] in (["path"], ["query"], ["header"]) else location)
        messages = found.setdefault(field or WHOLE_OBJECT, [])
        if error.get("msg") not in messages:
            messages.append(str(error.get("msg")))
    return [{"field": f, "problem": "; or ".join(m)} for f, m in found.items()]


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(_: Request, exc: DomainError) -> JSONResponse:
        return domain_problem(exc)

    @app.exception_handler(AccessDenied)
    async def _denied(_: Request, exc: AccessDenied) -> JSONResponse:
        return denied_problem(exc)

    @app.exception_handler(InvalidCommandBody)
    async def _invalid(_: Request, exc: InvalidCommandBody) -> JSONResponse:
        return invalid_problem(list(exc.problems))

    @app.exception_handler(RequestValidationError)
    async def _request_invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        return invalid_problem(_request_errors(exc))

    @app.exception_handler(InvalidPurpose)
    async def _purpose(_: Request, exc: InvalidPurpose) -> JSONResponse:
        return problem(422, "urn:ap:access:invalid-purpose", "Invalid purpose", str(exc))

    @app.exception_handler(AuditUnavailable)
    async def _audit(_: Request, exc: AuditUnavailable) -> JSONResponse:
        return problem(503, "urn:ap:access:audit-unavailable", "Audit unavailable", str(exc))

    @app.exception_handler(PolicyError)
    async def _policy(_: Request, exc: PolicyError) -> JSONResponse:
        return problem(503, "urn:ap:access:policy-unavailable", "Access policy unavailable", str(exc))

    @app.exception_handler(HTTPException)
    async def _http(_: Request, exc: HTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, dict) else {"reason": str(exc.detail)}
        titles = {401: "Not authenticated", 403: "Access denied", 404: "Not found", 405: "Method not allowed"}
        kind = {401: "urn:ap:access:unauthenticated", 403: "urn:ap:access:denied"}.get(
            exc.status_code, f"urn:ap:problem:http-{exc.status_code}")
        return problem(exc.status_code, kind, titles.get(exc.status_code, "Request refused"),
                       str(detail.get("reason", "")), rule=detail.get("rule"),
                       headers=None if exc.headers is None else dict(exc.headers))
