"""``ap_runtime.http.lifespan.api_with_deps``: an API's dependencies given ready (tests) or opened at startup
and closed at shutdown, written once for the services that repeated it (issue 10, "Copies"). Unit level."""

from __future__ import annotations

import gc

from fastapi import FastAPI

from ap_runtime.http.lifespan import api_with_deps


class Deps:
    def __init__(self, name: str) -> None:
        self.name = name
        self.closed = False

    async def close(self) -> None:
        self.closed = True


def _attach(app: FastAPI, deps: Deps) -> None:
    app.state.deps = deps


def _collector_walks(obj: object) -> bool:
    """Whether the cyclic collector still tracks ``obj`` (frozen objects are out of its reach)."""
    return any(o is obj for o in gc.get_objects())


async def test_given_dependencies_are_attached_at_once_and_left_open() -> None:
    given = Deps("given")

    async def never() -> Deps:
        raise AssertionError("given dependencies are not opened again")

    app = api_with_deps("test", given, never, _attach, version="1")

    assert app.state.deps is given  # usable without running the lifespan (in-process test clients)
    async with app.router.lifespan_context(app):
        assert app.state.deps is given
        assert _collector_walks(given)  # a test's app comes and goes: nothing frozen for it
    assert not given.closed
    assert (app.title, app.version) == ("test", "1")


async def test_without_dependencies_they_are_opened_at_startup_and_closed_at_shutdown() -> None:
    opened: list[Deps] = []

    async def open_deps() -> Deps:
        opened.append(Deps("opened"))
        return opened[-1]

    app = api_with_deps("test", None, open_deps, _attach)

    assert not hasattr(app.state, "deps")
    try:
        async with app.router.lifespan_context(app):
            assert app.state.deps is opened[0]
            assert not opened[0].closed
            # Opened for the process's life: frozen, so no full collection walks them again (issue 11).
            assert not _collector_walks(opened[0])
    finally:
        gc.unfreeze()
    assert opened[0].closed
