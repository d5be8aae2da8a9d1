"""``ap_runtime.http.lifespan.api_with_deps``: an API's dependencies given ready (tests) or opened at startup
and closed at shutdown, written once for the services that repeated it (issue 10, "Copies"). Unit level.
Settling a serving process's collector once started is ``serve_api``'s (``test_runtime_http_serve``)."""

from __future__ import annotations

from fastapi import FastAPI

from ap_runtime.http.lifespan import api_with_deps
from ap_testing.collector import collector_walks


class Deps:
    def __init__(self, name: str) -> None:
        self.name = name
        self.closed = False

    async def close(self) -> None:
        self.closed = True


def _attach(app: FastAPI, deps: Deps) -> None:
    app.state.deps = deps


async def test_given_dependencies_are_attached_at_once_and_left_open() -> None:
    given = Deps("given")

    async def never() -> Deps:
        raise AssertionError("given dependencies are not opened again")

    app = api_with_deps("test", given, never, _attach, version="1")

    assert app.state.deps is given  # usable without running the lifespan (in-process test clients)
    async with app.router.lifespan_context(app):
        assert app.state.deps is given
        assert collector_walks(given)  # a test's app comes and goes: nothing frozen for it
    assert not given.closed
    assert (app.title, app.version) == ("test", "1")


async def test_without_dependencies_they_are_opened_at_startup_and_closed_at_shutdown() -> None:
    opened: list[Deps] = []

    async def open_deps() -> Deps:
        opened.append(Deps("opened"))
        return opened[-1]

    app = api_with_deps("test", None, open_deps, _attach)

    assert not hasattr(app.state, "deps")
    async with app.router.lifespan_context(app):
        assert app.state.deps is opened[0]
        assert not opened[0].closed
    assert opened[0].closed
