"""One POST per finance command: ``/v1/budgets/{provision_id}/{financial_year}/...``.

The body is the command without the fields the URL already names (and without identity fields the
token supplies: who signs, who claws back). Answers 200 with the recorded event ids, types and
stream versions; a repeated ``command_id`` answers 200 with the same body (``Idempotent-Replayed:
true``) and records nothing again. Rejections are problem documents naming the rule.
"""

# No ``from __future__ import annotations``: FastAPI reads the endpoint annotations at runtime.
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from ap_finance.application.browse import MAX_PAGE, allocation_rows
from ap_finance.application.commands import CommandResult
from ap_finance.domain.commands import AllocateSurplus, FinanceRequest
from ap_finance.domain.declarations import DECLARATIONS
from ap_finance.entrypoints.bootstrap import FinanceServices
from ap_finance.entrypoints.replies import created, warnings
from ap_finance.entrypoints.rule_ids import command_rules
from ap_runtime.access.fastapi import CallerDep, HeadersDep, claim_write_token
from ap_runtime.http.command_bodies import body_schema as command_body_schema
from ap_runtime.http.command_bodies import parse_command, path_fields
from ap_runtime.http.problems import PROBLEM_MEDIA_TYPE as PROBLEM_JSON

BUDGET_PATH = "/v1/budgets/{provision_id}/{financial_year}"
REPLAYED_HEADER = "Idempotent-Replayed"


@dataclass(frozen=True, slots=True)
class CommandRoute:
    path: str
    model: type[FinanceRequest]
    summary: str
    rules: dict[str, int]
    """Every rule id the route can answer with and its status, derived from the code (``rule_ids``)."""


# Derived from the one declaration per command (domain/declarations.py): add a command there, not here.
COMMAND_ROUTES: tuple[CommandRoute, ...] = tuple(CommandRoute(d.path, d.request, d.summary, command_rules(d))
                                                 for d in DECLARATIONS)


def rules_description(route: CommandRoute) -> str:
    """The route's description: the rule ids it can refuse with, by status (besides 401, 403 access-denied
    and 422 invalid body)."""
    listed = "\n".join(f"- `{rule}` ({status})" for rule, status in route.rules.items())
    return f"{route.summary}.\n\nRule ids this route can answer with (problem `rule`):\n{listed}"


def _path_fields(route: CommandRoute) -> tuple[str, ...]:
    return ("provision_id", "financial_year", *path_fields(route.path))


def body_schema(route: CommandRoute) -> dict[str, Any]:
    """The command's JSON Schema without the fields the path gives (for the OpenAPI document)."""
    return command_body_schema(route.model, _path_fields(route))


def result_body(result: CommandResult, request: FinanceRequest) -> dict[str, Any]:
    return {
        "created": created(request, result.event_types),
        "warnings": warnings(result.event_types),
        "command_id": str(result.command_id),
        "stream_id": result.stream_id,
        "event_ids": [str(event_id) for event_id in result.event_ids],
        "event_types": list(result.event_types),
        "first_version": result.first_version,
        "last_version": result.last_version,
    }


async def _parse(request: Request, route: CommandRoute) -> FinanceRequest:
    """The command the body and path make; ``InvalidRequest`` (422) naming each field otherwise."""
    return await parse_command(request, route.model, _path_fields(route))


def _endpoint(route: CommandRoute) -> Callable[..., Awaitable[JSONResponse]]:
    async def endpoint(
        request: Request,
        principal: CallerDep,
        headers: HeadersDep,
    ) -> JSONResponse:
        parsed = await _parse(request, route)
        services: FinanceServices = request.app.state.finance
        await claim_write_token(request, services.write_tokens, principal, parsed.command_id)
        result = await services.commands.handle(principal, parsed, purpose=headers.purpose,
                                                correlation_id=headers.correlation_id)
        replay = {REPLAYED_HEADER: "true"} if result.duplicate else {}
        reply = result_body(result, parsed)
        if isinstance(parsed, AllocateSurplus):
            # Every part of the allocation in the reply (issue 12), read back from the stream it was recorded in.
            found = await services.browse.listing(allocation_rows, principal, parsed.provision_id,
                                                  parsed.financial_year, 0, MAX_PAGE, purpose=headers.purpose,
                                                  correlation_id=headers.correlation_id)
            reply["allocation"] = next((a.model_dump(mode="json") for a in found.items
                                        if a.allocation_id == str(parsed.allocation_id)), None)
        return JSONResponse(reply, headers=replay)

    return endpoint


def add_command_routes(app: FastAPI) -> None:
    for route in COMMAND_ROUTES:
        app.add_api_route(
            BUDGET_PATH + route.path,
            _endpoint(route),
            methods=["POST"],
            summary=route.summary,
            description=rules_description(route),
            tags=["commands"],
            response_class=JSONResponse,
            responses={
                200: {"description": "Recorded (or already recorded under this command_id)"},
                401: {"description": "No valid token", "content": {PROBLEM_JSON: {}}},
                403: {"description": "The access policy or a signing rule refuses", "content": {PROBLEM_JSON: {}}},
                409: {"description": "A rule refuses in the budget's current state", "content": {PROBLEM_JSON: {}}},
                422: {"description": "Invalid body, or a rule refuses the amounts", "content": {PROBLEM_JSON: {}}},
            },
            openapi_extra={
                "parameters": [{"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
                               for name in _path_fields(route)],
                "requestBody": {"required": True, "content": {"application/json": {"schema": body_schema(route)}}},
                "x-rule-ids": route.rules,
            },
        )
