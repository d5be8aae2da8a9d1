"""An API's dependencies over its lifetime: given ready (tests), or opened at startup and closed at shutdown.

Rule served (issue 10, "Copies" and "One way to configure and wire"): the notifications and reporting APIs
wrote the same lifespan twice. A service's ``create_app(deps)`` builds its app with ``api_with_deps`` and
names only what differs: how it opens its dependencies (its ``bootstrap``) and where it puts them. A serving
process's collector is settled once the lifespan has started, by ``serve.serve_api`` (issue 11).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, Protocol, TypeVar

from fastapi import FastAPI

__all__ = ["Closable", "api_with_deps"]


class Closable(Protocol):
    async def close(self) -> None: ...


DepsT = TypeVar("DepsT", bound=Closable)


def api_with_deps(title: str, deps: DepsT | None, open_deps: Callable[[], Awaitable[DepsT]],
                  attach: Callable[[FastAPI, DepsT], None], **fastapi_options: Any) -> FastAPI:
    """A FastAPI app on ``deps``, attached at once so it is usable without running the lifespan (in-process
    test clients) and left open for their owner to close; without ``deps``, the app opens them with
    ``open_deps`` at startup, attaches them and closes them at shutdown."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if deps is not None:
            yield
            return
        opened = await open_deps()
        attach(app, opened)
        try:
            yield
        finally:
            await opened.close()

    app = FastAPI(title=title, lifespan=lifespan, **fastapi_options)
    if deps is not None:
        attach(app, deps)
    return app
