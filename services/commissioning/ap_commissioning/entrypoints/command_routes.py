"""One POST per commissioning command, its path and summary from its declaration (``domain/declarations.py``).

The body is the command without the fields the path names; a body naming who acts or as which party is refused
(422, the models forbid unknown fields). Answers 200 with the recorded event ids and types; a repeated
``command_id`` answers the same (``Idempotent-Replayed: true``) and records nothing again.
"""

# No ``from __future__ import annotations``: FastAPI reads the endpoint annotations at runtime.
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from ap_commissioning.domain.declarations import DECLARATIONS, CommissioningCommandDeclaration
from ap_commissioning.entrypoints.bootstrap import CommissioningServices
from ap_runtime.access.fastapi import CallerDep, HeadersDep, claim_write_token
from ap_runtime.http.command_bodies import body_schema, parse_command, path_fields
from ap_runtime.http.problems import PROBLEM_MEDIA_TYPE as PROBLEM_JSON

REPLAYED_HEADER = "Idempotent-Replayed"


def _endpoint(declaration: CommissioningCommandDeclaration) -> Callable[..., Awaitable[JSONResponse]]:
    fields = path_fields(declaration.path)

    async def endpoint(request: Request, principal: CallerDep, headers: HeadersDep) -> JSONResponse:
        command = await parse_command(request, declaration.command, fields)
        services: CommissioningServices = request.app.state.commissioning
        await claim_write_token(request, services.write_tokens, principal, command.command_id)
        result = await services.commands.handle(principal, command, purpose=headers.purpose,
                                                correlation_id=headers.correlation_id)
        outcome = result.outcome
        reply = {"command_id": str(outcome.command_id), "stream_id": outcome.stream_id,
                 "event_ids": [str(event_id) for event_id in outcome.event_ids],
                 "event_types": list(result.event_types), "first_version": outcome.first_version,
                 "last_version": outcome.last_version}
        return JSONResponse(reply, headers={REPLAYED_HEADER: "true"} if outcome.duplicate else {})

    return endpoint


def add_command_routes(app: FastAPI) -> None:
    for declaration in DECLARATIONS:
        fields = path_fields(declaration.path)
        app.add_api_route(
            declaration.path, _endpoint(declaration), methods=["POST"], summary=declaration.summary,
            tags=["commands"], response_class=JSONResponse,
            responses={
                200: {"description": "Recorded (or already recorded under this command_id)"},
                401: {"description": "No valid token", "content": {PROBLEM_JSON: {}}},
                403: {"description": "The access policy refuses, or the act is another party's",
                      "content": {PROBLEM_JSON: {}}},
                404: {"description": "The agreement, version or review was never recorded",
                      "content": {PROBLEM_JSON: {}}},
                409: {"description": "A rule refuses in the record's current state", "content": {PROBLEM_JSON: {}}},
                422: {"description": "Invalid body, or a rule refuses its values", "content": {PROBLEM_JSON: {}}},
            },
            openapi_extra={
                "parameters": [{"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
                               for name in fields],
                "requestBody": {"required": True, "content": {
                    "application/json": {"schema": body_schema(declaration.command, fields)}}},
            },
        )
