"""Which POST routes of an app the lean path may answer, and how it calls their endpoints.

Rule served: issue 11 (every command API on the lean path, ``lean_routes``). A route qualifies when FastAPI
would do nothing for its requests that the lean path does not do the same way: its endpoint is a coroutine
taking only the request, the verified caller (``CallerDep``), the access headers (``HeadersDep``) and plain
``{name}`` path parameters read as ``str`` or ``UUID`` with no constraint, and it returns a ``Response``, which
FastAPI hands on unchanged. Any other route (a query, header, cookie or body parameter, another dependency,
a response model to serialise) is left wholly to FastAPI. A route that an earlier route of the app might
answer first (starlette takes the first full match) is left to FastAPI too, so putting the lean routes
first never changes which endpoint answers a request.
"""

from __future__ import annotations

import inspect
import re
import typing
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol
from uuid import UUID

from fastapi.routing import APIRoute, RouteContext
from starlette.convertors import Convertor, StringConvertor
from starlette.responses import Response
from starlette.routing import Mount, Route, WebSocketRoute

from ap_runtime.access.fastapi import access_headers, principal_from_request

__all__ = ["LeanCall", "RouteShape", "lean_call", "shadowed"]

_PLAIN = re.compile(r"(?<=/)\{[A-Za-z_][A-Za-z0-9_]*\}(?=/|$)")  # a whole segment that is one plain {name}


@dataclass(frozen=True, slots=True)
class LeanCall:
    """How the lean path calls a route's endpoint: the keyword of each argument it passes."""

    endpoint: Callable[..., Awaitable[object]]  # declared to answer a Response (checked again per call)
    request: str | None  # the endpoint's ``Request`` parameter, if it takes one
    principal: str
    headers: str
    path: tuple[str, ...]  # every path parameter, by name
    uuids: frozenset[str]  # the path parameters read as ``UUID`` (the others as ``str``)


class RouteShape(Protocol):
    """What is read of a route as the app serves it (an ``APIRoute``, or FastAPI's ``RouteContext`` of an
    included router's route: its full path, and its dependencies with the router's)."""

    @property
    def path(self) -> str | None: ...

    @property
    def methods(self) -> set[str] | None: ...

    @property
    def dependant(self) -> Any: ...

    @property
    def param_convertors(self) -> Mapping[str, Convertor[Any]]: ...


def lean_call(route: RouteShape) -> LeanCall | None:
    """How the lean path calls ``route``'s endpoint, or None when FastAPI must answer all its requests."""
    dependant, endpoint = route.dependant, route.dependant.call
    if endpoint is None or "POST" not in (route.methods or ()) or not inspect.iscoroutinefunction(endpoint):
        return None
    if (dependant.query_params or dependant.header_params or dependant.cookie_params or dependant.body_params
            or dependant.websocket_param_name or dependant.http_connection_param_name
            or dependant.response_param_name or dependant.background_tasks_param_name
            or dependant.security_scopes_param_name):
        return None
    names = {dependency.call: dependency.name for dependency in dependant.dependencies}
    principal, headers = names.get(principal_from_request), names.get(access_headers)
    if len(dependant.dependencies) != 2 or principal is None or headers is None:
        return None
    uuids = _path_uuids(route)
    if uuids is None or not _answers_a_response(endpoint):
        return None
    return LeanCall(endpoint, dependant.request_param_name, principal, headers,
                    tuple(field.name for field in dependant.path_params), uuids)


def _path_uuids(route: RouteShape) -> frozenset[str] | None:
    """The route's ``UUID`` path parameters; None when any parameter is other than a plain ``str`` or ``UUID``."""
    if "{" in _PLAIN.sub("", route.path or "{") or not all(
            isinstance(convertor, StringConvertor) for convertor in route.param_convertors.values()):
        return None  # a parameter with a convertor ({name:str}) or within a segment ({name}.txt)
    uuids = set()
    for field in route.dependant.path_params:
        info = field.field_info
        if info.metadata or field.alias != field.name or info.annotation not in (str, UUID):
            return None
        if info.annotation is UUID:
            uuids.add(field.name)
    return frozenset(uuids)


def _answers_a_response(endpoint: Callable[..., object]) -> bool:
    """Whether the endpoint is declared to return a ``Response`` (which FastAPI passes on as it is)."""
    try:
        answer = typing.get_type_hints(endpoint).get("return")
    except (NameError, TypeError):
        return False
    return isinstance(answer, type) and issubclass(answer, Response)


def shadowed(earlier: Iterable[RouteContext], path: str) -> bool:
    """Whether a route in ``earlier`` (as the app serves them, in order) might answer a POST at ``path`` (a
    template of plain ``{name}`` parameters) before it: the same shape of path with no fixed segment apart, a
    mount over it, or a route of a kind not known here."""
    for context in earlier:
        route = context.original_route
        if isinstance(route, WebSocketRoute):
            continue
        if isinstance(route, APIRoute | Route):
            methods = context.methods
            if (methods is None or "POST" in methods) and _may_overlap(context.path or "", path):
                return True
        elif not isinstance(route, Mount) or _may_overlap(route.path, _head(path, route.path)):
            return True
    return False


def _head(path: str, prefix: str) -> str:
    """As many leading segments of ``path`` as ``prefix`` has (what a mount at ``prefix`` would match)."""
    return "/".join(path.split("/")[: len(prefix.split("/"))])


def _may_overlap(template: str, path: str) -> bool:
    """Whether some request path matches both templates (any ``{...}`` part counted as matching anything)."""
    if ":" in template:  # a convertor ({rest:path} spans segments): assume it might
        return True
    ours, theirs = template.split("/"), path.split("/")
    return len(ours) == len(theirs) and all(a == b or "{" in a or "{" in b for a, b in zip(ours, theirs, strict=True))
