"""POST command routes answered without FastAPI's per-request machinery, with the same answers.

Rule served: issue 11 (the HTTP command path to 1,000 commands/s). A py-spy profile of the incidents API put
FastAPI's routing, dependency solving and response at about a quarter of its CPU per command: every command
walked the routes' regular expressions one by one and solved the bearer, header and path dependencies through
the generic machinery. ``LeanCommandRoutes`` goes first in the app's routes and answers the POST routes of the
command shape (``lean_shapes``): one dictionary look-up by the path's shape, the bearer token verified by the
app's verifier (``verified_principal``), the access headers read as ``access_headers`` reads them, then the
route's own endpoint function, called as FastAPI would call it. ``install_lean_posts`` puts every such route
of an app on it: every service's command API (``service_api.guarded_api`` and the services assembling their
own app call it last).

The FastAPI routes stay where they were: they make the OpenAPI document, and they answer every request the lean
path leaves to them. The lean path takes only a request FastAPI would hand to its endpoint unchanged: a POST on
a registered path, its UUID parameters in canonical form, a bearer token, no ``X-Break-Glass`` header (which
FastAPI parses as a boolean), and no dependency overridden on the app (tests). Anything else (no token, a
malformed id, another method, a trailing slash) goes on to the FastAPI route and is refused there as before.
The lean route's exceptions reach the app's problem handlers as any route's do: the exception middleware wraps
the router.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.security.utils import get_authorization_scheme_param
from starlette._utils import get_route_path  # what starlette's own routes match against (root_path removed)
from starlette.datastructures import Headers, URLPath
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Match, NoMatchFound
from starlette.types import Receive, Scope, Send

from ap_runtime.access.fastapi import (
    BREAK_GLASS_HEADER,
    CORRELATION_HEADER,
    PURPOSE_HEADER,
    access_headers,
    verified_principal,
)
from ap_runtime.http.lean_shapes import LeanCall, lean_call, shadowed

__all__ = ["LeanCommandRoutes", "install_lean_posts"]

# The one spelling of a UUID that FastAPI's parsing and ``uuid.UUID`` read alike; any other goes to FastAPI.
_CANONICAL_UUID = re.compile(r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}")


@dataclass(frozen=True, slots=True)
class _Target:
    route: APIRoute  # the documented twin: its name and path for whatever reads ``scope["route"]``
    path: str  # its path as the app serves it
    call: LeanCall
    parameters: tuple[tuple[int, str], ...]  # (path segment, parameter name)


def _shape(path: str) -> tuple[tuple[int, tuple[int, ...]], tuple[str, ...], tuple[tuple[int, str], ...]]:
    """A template's shape (segment count, parameter positions), its fixed segments and its parameters."""
    parts = path.split("/")
    parameters = tuple((i, p[1:-1]) for i, p in enumerate(parts) if p.startswith("{") and p.endswith("}"))
    if any(":" in name for _, name in parameters):
        raise ValueError(f"{path}: a lean route takes plain {{name}} parameters only")
    positions = tuple(i for i, _ in parameters)
    return (len(parts), positions), tuple(p for i, p in enumerate(parts) if i not in positions), parameters


class LeanCommandRoutes(BaseRoute):
    """The lean POST routes of an app, looked up by the request path's shape (see the module docstring)."""

    def __init__(self) -> None:
        self._by_length: dict[int, dict[tuple[int, ...], dict[tuple[str, ...], _Target]]] = {}
        self.paths: list[str] = []  # the templates answered here, in the app's order

    def add(self, route: APIRoute, path: str, call: LeanCall) -> None:
        """Answer ``route`` (served at ``path``) by ``call``."""
        (length, positions), fixed, parameters = _shape(path)
        unknown = set(call.path) - {name for _, name in parameters}  # an endpoint may leave some undeclared
        if unknown:
            raise ValueError(f"{path}: no path parameter {sorted(unknown)}")
        table = self._by_length.setdefault(length, {}).setdefault(positions, {})
        if fixed in table:
            raise ValueError(f"{path}: a lean route is registered on this path already")
        table[fixed] = _Target(route, path, call, parameters)
        self.paths.append(path)

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] != "http" or scope["method"] != "POST" or _overridden(scope):
            return Match.NONE, {}
        parts = get_route_path(scope).split("/")
        for positions, table in self._by_length.get(len(parts), {}).items():
            if any(not parts[i] for i in positions):
                continue
            target = table.get(tuple(p for i, p in enumerate(parts) if i not in positions))
            if target is not None:
                return _matched(scope, target, parts)
        return Match.NONE, {}

    def url_path_for(self, name: str, /, **path_params: Any) -> URLPath:
        raise NoMatchFound(name, path_params)  # the documented twins answer for the names

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive, send)
        call: LeanCall = scope["ap_lean_call"]
        _, token = get_authorization_scheme_param(request.headers.get("Authorization"))
        arguments: dict[str, Any] = {
            call.principal: verified_principal(request, token),
            call.headers: await access_headers(purpose=request.headers.get(PURPOSE_HEADER),
                                               correlation=request.headers.get(CORRELATION_HEADER)),
        }
        if call.request is not None:
            arguments[call.request] = request
        path = scope["path_params"]
        for name in call.path:
            arguments[name] = UUID(path[name]) if name in call.uuids else path[name]
        response = await call.endpoint(**arguments)
        if not isinstance(response, Response):  # declared to return one (lean_shapes): a bug, not a request
            raise TypeError(f"{call.endpoint.__qualname__} answered {type(response).__name__}, not a Response")
        await response(scope, receive, send)


def _overridden(scope: Scope) -> bool:
    """Whether the app overrides a dependency (tests): FastAPI's route then answers, with the override."""
    return bool(getattr(scope.get("app"), "dependency_overrides", None))


def _matched(scope: Scope, target: _Target, parts: list[str]) -> tuple[Match, Scope]:
    """FULL with the path parameters when FastAPI would hand this request to its endpoint as it is, else NONE."""
    values = {name: parts[i] for i, name in target.parameters}
    if any(not _CANONICAL_UUID.fullmatch(values[name]) for name in target.call.uuids) or not _bearer_only(scope):
        return Match.NONE, {}
    path_params = {**scope.get("path_params", {}), **values}
    return Match.FULL, {"endpoint": target.route.endpoint, "route": target.route, "path_params": path_params,
                        "ap_lean_call": target.call}


def _bearer_only(scope: Scope) -> bool:
    """A bearer token as FastAPI's ``HTTPBearer`` reads one, and no header FastAPI would parse otherwise."""
    headers = Headers(scope=scope)
    if BREAK_GLASS_HEADER in headers:
        return False
    authorization = headers.get("Authorization")
    scheme, credentials = get_authorization_scheme_param(authorization)
    return bool(authorization and credentials) and scheme.lower() == "bearer"


def install_lean_posts(app: FastAPI) -> LeanCommandRoutes:
    """Answer every POST route of ``app`` of the command shape on the lean path (``lean_shapes``), except one
    an earlier route might answer first. Call it once, after the app's routes are added: a route added later
    is answered by FastAPI alone."""
    if any(isinstance(route, LeanCommandRoutes) for route in app.router.routes):
        raise ValueError("the lean routes are installed on this app already")
    lean = LeanCommandRoutes()
    served = list(iter_route_contexts(app.router.routes))  # included routers' routes with their full paths
    for index, context in enumerate(served):
        route = context.original_route
        if not isinstance(route, APIRoute) or not context.path:
            continue
        call = lean_call(context)
        if call is not None and not shadowed(served[:index], context.path):
            lean.add(route, context.path, call)
    app.router.routes.insert(0, lean)
    return lean
