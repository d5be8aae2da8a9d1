"""``ap_runtime.http.serve``: the one way every service's ``entrypoints/api.py`` runs its API under uvicorn
(issue 10, "Copies": four ``main()`` functions used to repeat it)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import httpx
import pytest
from fastapi import FastAPI

from ap_runtime.http.serve import uvicorn_options
from ap_runtime.settings import platform_settings


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
        deadline = time.monotonic() + 30
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/hello", timeout=2)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.1)
        assert response.json() == {"hello": "world"}
    finally:
        process.terminate()
        process.wait(timeout=10)
