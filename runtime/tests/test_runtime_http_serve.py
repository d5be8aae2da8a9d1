"""``ap_runtime.http.serve``: the one way every service's ``entrypoints/api.py`` runs its API under uvicorn
(issue 10, "Copies": four ``main()`` functions used to repeat it), settling each served process's collector
once its app has started (issue 11, ``ap_runtime.gc_tuning``)."""

from __future__ import annotations

import gc
import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from ap_runtime.gc_tuning import SERVING_THRESHOLDS
from ap_runtime.http import serve as serve_module
from ap_runtime.http.serve import FACTORY_VARIABLE, SETTLED_FACTORY, serve_api, settled_app, uvicorn_options
from ap_runtime.settings import platform_settings
from ap_testing.collector import collector_restored, collector_walks  # noqa: F401 - a fixture, found by its name


def test_options_bind_the_host_and_port_the_settings_name() -> None:
    settings = platform_settings({"AP_HTTP_HOST": "0.0.0.0", "AP_HTTP_PORT": "8123"})  # nosec B104 - a test value, nothing binds

    assert uvicorn_options(FastAPI(), settings) == {"host": "0.0.0.0", "port": 8123,  # nosec B104 - a test value, nothing binds
                                                    "http": "httptools", "loop": "uvloop"}


def test_every_api_is_served_by_the_c_http_parser_on_uvloop() -> None:
    """Issue 11 (command path CPU): h11's pure-Python parser and response path were 12-14% of the API's CPU
    per command; httptools and uvloop are in the runtime lock, so uvicorn must be told to use them (its
    ``auto`` would quietly fall back to h11 and asyncio if either went missing)."""
    for app in (FastAPI(), "ap_incidents.entrypoints.api:create_app"):
        options = uvicorn_options(app, platform_settings({}))

        assert (options["http"], options["loop"]) == ("httptools", "uvloop")


def test_options_keep_uvicorn_quiet_when_asked() -> None:
    settings = platform_settings({})

    assert uvicorn_options(FastAPI(), settings, quiet=True)["log_level"] == "warning"


def test_several_workers_build_their_app_from_the_factory_path() -> None:
    settings = platform_settings({"AP_HTTP_PORT": "8124"})

    options = uvicorn_options("ap_incidents.entrypoints.api:create_app", settings, workers=3)

    assert options == {"host": "127.0.0.1", "port": 8124, "workers": 3, "factory": True,
                       "http": "httptools", "loop": "uvloop"}


def test_a_factory_path_is_called_by_uvicorn_even_for_one_worker() -> None:
    options = uvicorn_options("ap_finance.entrypoints.api:create_app", platform_settings({}))

    assert (options["factory"], options["workers"]) == (True, 1)


def test_several_workers_of_a_ready_app_are_refused_by_name() -> None:
    """uvicorn can only start worker processes from an import path; a built app cannot be sent to them."""
    with pytest.raises(ValueError, match=r"workers=2 needs the app factory's import path"):
        uvicorn_options(FastAPI(), platform_settings({}), workers=2)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _get_when_up(port: int, path: str, process: subprocess.Popen[bytes]) -> Any:
    """The JSON answer of ``GET path`` once the served process listens (30 s at most)."""
    deadline = time.monotonic() + 30
    while True:
        try:
            return httpx.get(f"http://127.0.0.1:{port}{path}", timeout=2).json()
        except httpx.TransportError:
            if time.monotonic() > deadline or process.poll() is not None:
                raise
            time.sleep(0.1)


_SERVED = """
from fastapi import FastAPI
from ap_runtime.http.serve import serve_api
from ap_runtime.settings import platform_settings

app = FastAPI()

@app.get("/hello")
async def hello() -> dict[str, str]:
    return {"hello": "world"}

serve_api(app, platform_settings(), quiet=True)
"""


@pytest.mark.integration
def test_serve_api_answers_on_the_configured_port() -> None:
    port = _free_port()
    env = {**os.environ, "AP_HTTP_HOST": "127.0.0.1", "AP_HTTP_PORT": str(port), "AP_LOG_LEVEL": "WARNING"}
    process = subprocess.Popen([sys.executable, "-c", _SERVED], env=env)  # nosec B603 - this interpreter, fixed arguments
    try:
        assert _get_when_up(port, "/hello", process) == {"hello": "world"}
    finally:
        process.terminate()
        process.wait(timeout=10)


class _Pool:
    """Stands for what an API's lifespan opens for the process's life."""


def _app_opening(opened: list[_Pool]) -> FastAPI:
    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[dict[str, Any]]:
        opened.append(_Pool())
        yield {"pool": opened[-1]}

    return FastAPI(lifespan=lifespan)


def _served_by(monkeypatch: pytest.MonkeyPatch, app: FastAPI | str) -> FastAPI | str:
    """What ``serve_api`` hands uvicorn for ``app`` (uvicorn.run stubbed: nothing binds)."""
    handed: list[FastAPI | str] = []
    monkeypatch.setattr(uvicorn, "run", lambda served, **_options: handed.append(served))
    # Not this test process's logging: configuring it caches every module's logger on first use, and a later
    # test capturing a runner's log would capture nothing.
    monkeypatch.setattr(serve_module, "configure_logging", lambda _level: None)
    serve_api(app, platform_settings({}), workers=2 if isinstance(app, str) else 1)
    return handed[0]


@pytest.mark.usefixtures("collector_restored")
async def test_a_served_app_settles_the_collector_once_its_start_up_is_complete(
        monkeypatch: pytest.MonkeyPatch) -> None:
    gc.set_threshold(700, 10, 10)
    opened: list[_Pool] = []
    app = _app_opening(opened)
    served = _served_by(monkeypatch, app)
    assert served is app and gc.get_threshold() == (700, 10, 10)  # nothing settled before it starts
    async with app.router.lifespan_context(app) as state:
        assert state == {"pool": opened[0]}  # the app's own lifespan ran first, its state passed on
        assert gc.get_threshold() == SERVING_THRESHOLDS
        assert not collector_walks(opened[0])  # what start-up opened: frozen


@pytest.mark.usefixtures("collector_restored")
async def test_a_factory_path_is_served_through_the_settling_factory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(FACTORY_VARIABLE, "unset")  # put back after the test
    assert _served_by(monkeypatch, "fastapi:FastAPI") == SETTLED_FACTORY
    assert os.environ[FACTORY_VARIABLE] == "fastapi:FastAPI"  # uvicorn's worker processes inherit it
    gc.set_threshold(700, 10, 10)
    app = settled_app()  # what each worker process builds
    assert isinstance(app, FastAPI)
    async with app.router.lifespan_context(app):
        assert gc.get_threshold() == SERVING_THRESHOLDS


_FACTORY_MODULE = """
import gc
from fastapi import FastAPI

def create_app() -> FastAPI:
    app = FastAPI()

    @app.get("/collector")
    async def collector() -> dict[str, object]:
        return {"thresholds": list(gc.get_threshold()), "frozen": gc.get_freeze_count()}

    return app
"""


@pytest.mark.integration
def test_every_worker_process_of_a_served_factory_settles_its_collector(tmp_path: Path) -> None:
    (tmp_path / "served_factory.py").write_text(_FACTORY_MODULE)
    port = _free_port()
    script = ("from ap_runtime.http.serve import serve_api; from ap_runtime.settings import platform_settings; "
              "serve_api('served_factory:create_app', platform_settings(), workers=2, quiet=True)")
    env = {**os.environ, "AP_HTTP_HOST": "127.0.0.1", "AP_HTTP_PORT": str(port), "AP_LOG_LEVEL": "WARNING",
           "PYTHONPATH": os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")])}
    process = subprocess.Popen([sys.executable, "-c", script], env=env)  # nosec B603 - this interpreter, fixed arguments
    try:
        answers = [_get_when_up(port, "/collector", process) for _ in range(20)]
        assert {tuple(a["thresholds"]) for a in answers} == {SERVING_THRESHOLDS}
        assert all(a["frozen"] > 0 for a in answers)
    finally:
        process.terminate()
        process.wait(timeout=10)
