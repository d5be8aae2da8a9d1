"""POST command routes answered without FastAPI's per-request machinery, with the same answers.

Rule served: issue 11 (the HTTP command path to 1,000 commands/s). A py-spy profile of the incidents API put
FastAPI's routing, dependency solving and response at about a quarter of its CPU per command: every command
walked the routes' regular expressions one by one and solved the bearer, header and path dependencies through
the generic machinery. ``LeanCommandRoutes`` goes first in the app's routes and answers the POST routes given
to it: one dictionary look-up by the path's shape, the bearer token verified by the app's verifier
(``verified_principal``), the access headers read as ``access_headers`` reads them, then the same endpoint
function the FastAPI route calls.

The FastAPI routes stay where they were: they make the OpenAPI document, and they answer every request the lean
path leaves to them. The lean path takes only a request FastAPI would hand to its endpoint unchanged: a POST on
a registered path, its UUID parameters in canonical form, a bearer token, no ``X-Break-Glass`` header (which
FastAPI parses as a boolean). Anything else (no token, a malformed id, another method, a trailing slash) goes on
to the FastAPI route and is refused there as before. The lean route's exceptions reach the app's problem
handlers as any route's do: the exception middleware wraps the router.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute
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
    AccessHeaders,
    access_headers,
    verified_principal,
)
from ap_runtime.access.principal import Principal

__all__ = ["LeanCommandRoutes", "LeanEndpoint", "install_lean_commands"]

LeanEndpoint = Callable[[Request, Principal, AccessHeaders], Awaitable[Response]]
"""What a lean route runs once the caller is known: the request, the verified caller, the access headers."""

# The one spelling of a UUID that FastAPI's parsing and ``uuid.UUID`` read alike; any other goes to FastAPI.
_CANONICAL_UUID = re.compile(r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}")


@dataclass(frozen=True, slots=True)
class _Target:
    route: APIRoute  # the documented twin: its name and path for whatever reads ``scope["route"]``
    endpoint: LeanEndpoint
    parameters: tuple[tuple[int, str], ...]  # (path segment, parameter name)
    uuids: frozenset[str]  # the parameters FastAPI's endpoint parses as UUIDs


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

    def add(self, route: APIRoute, endpoint: LeanEndpoint, uuids: frozenset[str]) -> None:
        (length, positions), fixed, parameters = _shape(route.path)
        unknown = uuids - {name for _, name in parameters}
        if unknown:
            raise ValueError(f"{route.path}: no path parameter {sorted(unknown)}")
        table = self._by_length.setdefault(length, {}).setdefault(positions, {})
        if fixed in table:
            raise ValueError(f"{route.path}: a lean route is registered on this path already")
        table[fixed] = _Target(route, endpoint, parameters, uuids)

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] != "http" or scope["method"] != "POST":
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
        _, token = get_authorization_scheme_param(request.headers.get("Authorization"))
        principal = verified_principal(request, token)
        headers = await access_headers(purpose=request.headers.get(PURPOSE_HEADER),
                                       correlation=request.headers.get(CORRELATION_HEADER))
        response = await scope["ap_lean_endpoint"](request, principal, headers)
        await response(scope, receive, send)


def _matched(scope: Scope, target: _Target, parts: list[str]) -> tuple[Match, Scope]:
    """FULL with the path parameters when FastAPI would hand this request to its endpoint as it is, else NONE."""
    values = {name: parts[i] for i, name in target.parameters}
    if any(not _CANONICAL_UUID.fullmatch(values[name]) for name in target.uuids) or not _bearer_only(scope):
        return Match.NONE, {}
    path_params = {**scope.get("path_params", {}), **values}
    return Match.FULL, {"endpoint": target.route.endpoint, "route": target.route, "path_params": path_params,
                        "ap_lean_endpoint": target.endpoint}


def _bearer_only(scope: Scope) -> bool:
    """A bearer token as FastAPI's ``HTTPBearer`` reads one, and no header FastAPI would parse otherwise."""
    headers = Headers(scope=scope)
    if BREAK_GLASS_HEADER in headers:
        return False
    authorization = headers.get("Authorization")
    scheme, credentials = get_authorization_scheme_param(authorization)
    return bool(authorization and credentials) and scheme.lower() == "bearer"


def install_lean_commands(app: FastAPI, router: APIRouter, endpoints: Mapping[str, LeanEndpoint], *,
                          uuids: Mapping[str, frozenset[str]] | None = None) -> LeanCommandRoutes:
    """Answer ``router``'s POST routes at the paths of ``endpoints`` on the lean path (call once the router is
    included in ``app``). Each path must be a POST route of the router that the app serves at that very path, so
    the OpenAPI document lists it; ``uuids`` names, by path, the parameters its FastAPI endpoint parses as UUIDs."""
    posts = {r.path: r for r in router.routes if isinstance(r, APIRoute) and "POST" in (r.methods or ())}
    lean = LeanCommandRoutes()
    for path, endpoint in endpoints.items():
        route = posts.get(path)
        if route is None:
            raise ValueError(f"{path}: no POST route of the router to answer on the lean path")
        served = _served_path(app, route)
        if served != path:
            raise ValueError(f"{path}: the app serves this route at {served!r}; include the router without a prefix")
        lean.add(route, endpoint, (uuids or {}).get(path, frozenset()))
    app.router.routes.insert(0, lean)
    return lean


def _served_path(app: FastAPI, route: APIRoute) -> str | None:
    """The path template at which ``app`` serves ``route`` (by its name), None when it does not."""
    try:
        return str(app.url_path_for(route.name, **{name: f"{{{name}}}" for name in route.param_convertors}))
    except NoMatchFound:
        return None
