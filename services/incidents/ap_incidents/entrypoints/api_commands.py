"""One POST endpoint per command, all through the same parse, authorise, decide, append path.

201 with the event ids and stream versions when the command recorded something; 200 with the
same body when the ``command_id`` was seen before (nothing recorded twice). Refusals are problem
responses (see ``problems``).

Each command's FastAPI route documents it (OpenAPI) and answers what the lean route leaves to it; the lean
route (``ap_runtime.http.lean_routes``, issue 11, installed by ``create_app``) answers the rest without
FastAPI's per-request machinery, by calling the route's own endpoint, so the two cannot drift apart.
"""

from typing import Any
from uuid import UUID

import orjson
from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel

from ap_contracts.schema_tools import WHOLE_OBJECT, FieldProblem
from ap_incidents.application.catalogue import COMMANDS, CommandSpec
from ap_incidents.application.parsing import InvalidCommandBody, parse_command
from ap_incidents.application.service import IncidentsApplication
from ap_incidents.domain.commands import Command
from ap_incidents.entrypoints.openapi_commands import path_parameters, request_body
from ap_runtime.access.fastapi import AccessHeaders, CallerDep, HeadersDep, replayed_token_refused
from ap_runtime.access.principal import Principal
from ap_runtime.commands import CommandOutcome
from ap_runtime.eventstore.claiming_tails import PendingClaim
from ap_runtime.http.problems import PROBLEM_MEDIA_TYPE, ProblemDocument


class CommandAccepted(BaseModel):
    """What a command recorded: its events' ids and where they sit in the stream."""

    command_id: UUID
    stream_id: str
    event_ids: list[UUID]
    first_version: int
    last_version: int


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ProblemDocument, "description": text, "content": {PROBLEM_MEDIA_TYPE: {}}}
    for status, text in (
        (401, "Missing or invalid bearer token, or a token that already carried another command"),
        (403, "Denied by the access policy or reserved to another party (rule named)"),
        (409, "Conflicts with the pupil record (rule named)"),
        (422, "Invalid command (fields listed) or breaks a rule (rule named)"),
        (503, "Access audit or policy unavailable"),
    )
}


def accepted_response(outcome: CommandOutcome) -> Response:
    """``CommandAccepted`` as JSON, built directly (the model documents it; validating our own values per
    command cost CPU and checked nothing), by orjson: the bytes and headers starlette's ``JSONResponse`` gives."""
    body = {"command_id": str(outcome.command_id), "stream_id": outcome.stream_id,
            "event_ids": [str(event_id) for event_id in outcome.event_ids],
            "first_version": outcome.first_version, "last_version": outcome.last_version}
    created = bool(outcome.event_ids) and not outcome.duplicate
    return Response(orjson.dumps(body), status_code=201 if created else 200, media_type="application/json")


def incidents_app(request: Request) -> IncidentsApplication:
    app: IncidentsApplication = request.app.state.incidents
    return app


async def json_body(request: Request) -> Any:
    try:
        return await request.json()
    except ValueError:
        raise InvalidCommandBody([FieldProblem(field=WHOLE_OBJECT, problem="the body is not valid JSON")]) from None


async def _record_pupil(spec: CommandSpec, request: Request, principal: Principal, headers: AccessHeaders,
                        pupil_ref: UUID) -> Response:
    path_values = {name: request.path_params.get(name) for name in spec.path_fields}
    command = parse_command(spec, await json_body(request), pupil_ref=pupil_ref, path_values=path_values)
    return await _recorded(request, principal, headers, command)


async def _recorded(request: Request, principal: Principal, headers: AccessHeaders, command: Command) -> Response:
    # The write token's claim is made by the handler with the command's first read (one statement, issue 11),
    # before anything is decided or audited: a token that carried another command is a 401 first, as ever.
    with replayed_token_refused(request):
        claim = await PendingClaim.of(request.app.state.deps.write_tokens, principal, command.command_id)
        outcome = await incidents_app(request).execute(principal, command, purpose=headers.purpose,
                                                       correlation_id=headers.correlation_id, write_claim=claim)
    return accepted_response(outcome)


def _pupil_endpoint(spec: CommandSpec) -> Any:
    """A pupil command: the path names the pupil."""

    async def endpoint(request: Request, pupil_ref: UUID, principal: CallerDep, headers: HeadersDep) -> Response:
        return await _record_pupil(spec, request, principal, headers, pupil_ref)

    return endpoint


def _register_endpoint(spec: CommandSpec) -> Any:
    """A provision's staff register or an organisation's registration: the path names the organisation."""

    async def endpoint(request: Request, principal: CallerDep, headers: HeadersDep) -> Response:
        owner = {spec.scope_field: request.path_params[spec.scope_field]}
        return await _recorded(request, principal, headers, parse_command(spec, await json_body(request),
                                                                          path_values=owner))

    return endpoint


def command_router() -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["commands"])
    for spec in COMMANDS.values():
        path = f"{spec.scope_path}/{spec.path}"
        router.add_api_route(
            path,
            _pupil_endpoint(spec) if spec.pupil_scoped else _register_endpoint(spec),
            methods=["POST"],
            name=spec.name,
            summary=spec.summary,
            description=(spec.model.__doc__ or spec.summary) + f"\n\nAccess action: `{spec.action}`.",
            status_code=201,
            response_model=CommandAccepted,
            responses={200: {"model": CommandAccepted, "description": "Command seen before: nothing recorded again"},
                       **ERROR_RESPONSES},
            openapi_extra={**request_body(spec), **path_parameters(spec)},
        )
    return router
