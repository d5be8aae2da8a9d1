"""A service's API assembled in the one order the services share: dependencies, access, problems, edge, routes.

Rule served (issue 10, "Copies" and "One way to configure and wire"): the notifications and reporting APIs
each wrote the same assembly (their dependencies through ``api_with_deps``, the token check and access
guard installed from those dependencies, the service's RFC 9457 problem handlers, the edge middleware,
the routes). A service now names only what differs: how it opens its dependencies, where it keeps them,
its problem handlers and its routes. Last, its POST routes of the command shape go on the lean path
(``lean_routes.install_lean_posts``, issue 11), as on the services that assemble their own app.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol, TypeVar

from fastapi import FastAPI

from ap_runtime.access.fastapi import install_access
from ap_runtime.access.guard import AccessGuard
from ap_runtime.access.tokens import TokenVerifier
from ap_runtime.http import install_edge
from ap_runtime.http.lean_routes import install_lean_posts
from ap_runtime.http.lifespan import api_with_deps

__all__ = ["GuardedDeps", "guarded_api"]


class GuardedDeps(Protocol):
    """Open dependencies of an API that verifies tokens and checks access; ``close`` releases them."""

    @property
    def verifier(self) -> TokenVerifier: ...

    @property
    def guard(self) -> AccessGuard: ...

    async def close(self) -> None: ...


DepsT = TypeVar("DepsT", bound=GuardedDeps)


def guarded_api(title: str, deps: DepsT | None, open_deps: Callable[[], Awaitable[DepsT]],
                keep: Callable[[FastAPI, DepsT], None], *, problems: Callable[[FastAPI], None],
                routes: Callable[[FastAPI], None]) -> FastAPI:
    """The API on ``deps`` (or on those ``open_deps`` opens at startup, see ``api_with_deps``): ``keep`` puts
    them where the routes read them, and every request's token and access are checked with their verifier
    and guard; then ``problems`` installs the service's problem handlers, the edge middleware goes on, and
    ``routes`` adds the routes."""

    def attach(app: FastAPI, opened: DepsT) -> None:
        keep(app, opened)
        install_access(app, verifier=opened.verifier, guard=opened.guard)

    app = api_with_deps(title, deps, open_deps, attach, version="1")
    problems(app)
    install_edge(app)
    routes(app)
    install_lean_posts(app)
    return app
