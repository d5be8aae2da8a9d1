"""RFC 9457 problem details for every error the finance API returns.

A rejected command names its rule (``rule``) and answers with the status the domain gave it; an
invalid body lists each field with its problem (never echoing the input, which may be personal);
401 and 403 keep the reason the access layer gave, and 403 names the policy rule.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from starlette.exceptions import HTTPException

from ap_contracts.schema_tools import describe_validation_error
from ap_finance.application.queries import LedgerNotYetProjected
from ap_finance.domain.errors import FinanceRuleViolation
from ap_runtime.commands import ConcurrencyRetriesExhausted

PROBLEM_BASE = "https://ap-platform.example/problems/finance/"
PROBLEM_JSON = "application/problem+json"


def problem(request: Request, status: int, slug: str, title: str, detail: str,
            headers: dict[str, str] | None = None, **extra: Any) -> JSONResponse:
    body = {"type": PROBLEM_BASE + slug, "title": title, "status": status, "detail": detail,
            "instance": request.url.path, **extra}
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _title(violation: FinanceRuleViolation) -> str:
    name = type(violation).__name__
    return "".join(f" {c.lower()}" if c.isupper() else c for c in name).strip().capitalize()


def rule_problem(request: Request, violation: FinanceRuleViolation) -> JSONResponse:
    return problem(request, violation.http_status, violation.rule_id, _title(violation), violation.message,
                   rule=violation.rule_id)


def invalid_body(request: Request, error: ValidationError) -> JSONResponse:
    fields = [dict(item) for item in describe_validation_error(error)]
    return problem(request, 422, "invalid-request", "Invalid request",
                   "; ".join(f"{f['field']}: {f['problem']}" for f in fields), errors=fields)


def field_problems(request: Request, fields: list[dict[str, str]]) -> JSONResponse:
    return problem(request, 422, "invalid-request", "Invalid request",
                   "; ".join(f"{f['field']}: {f['problem']}" for f in fields), errors=fields)


def _request_validation(request: Request, exc: Exception) -> JSONResponse:
    if not isinstance(exc, RequestValidationError):
        raise exc
    fields = []
    for error in exc.errors():
        location = [str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path", "header")]
        fields.append({"field": ".".join(location) or "(request)", "problem": str(error.get("msg", "invalid"))})
    return field_problems(request, fields)


def _http(request: Request, exc: Exception) -> JSONResponse:
    if not isinstance(exc, HTTPException):
        raise exc
    detail = exc.detail if isinstance(exc.detail, dict) else {"reason": str(exc.detail)}
    reason = str(detail.get("reason", "request refused"))
    extra = {"rule": detail["rule"]} if "rule" in detail else {}
    titles = {401: "Not authenticated", 403: "Forbidden", 404: "Not found", 405: "Method not allowed"}
    return problem(request, exc.status_code, f"http-{exc.status_code}", titles.get(exc.status_code, "Error"),
                   reason, headers=dict(exc.headers or {}), **extra)


def _rule(request: Request, exc: Exception) -> JSONResponse:
    if not isinstance(exc, FinanceRuleViolation):
        raise exc
    return rule_problem(request, exc)


def _busy(request: Request, exc: Exception) -> JSONResponse:
    return problem(request, 503, "busy", "Budget busy", str(exc), headers={"Retry-After": "1"})


def _not_projected(request: Request, exc: Exception) -> JSONResponse:
    return problem(request, 503, "ledger-not-ready", "Ledger not ready", str(exc), headers={"Retry-After": "1"})


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(FinanceRuleViolation, _rule)
    app.add_exception_handler(RequestValidationError, _request_validation)
    app.add_exception_handler(HTTPException, _http)
    app.add_exception_handler(ConcurrencyRetriesExhausted, _busy)
    app.add_exception_handler(LedgerNotYetProjected, _not_projected)
