"""Run a service's API under uvicorn: the ``main()`` of every ``entrypoints/api.py``.

Rule served (issue 10, "Copies" and "One way to configure"): every API process has read its settings
before it gets here (a bad value stopped it, naming the variable), logs at ``AP_LOG_LEVEL`` and binds
``AP_HTTP_HOST``:``AP_HTTP_PORT``. Several worker processes each build their own app, so uvicorn needs
the app factory's import path for them; a built app can only be served by one process.

Every API process settles its collector once its app's start-up is complete (``gc_tuning``, issue 11):
what the lifespan opened (pools, caches, clients) lives as long as the process. It is done here, where
only a serving process passes, so a test's app (built, never served) leaves the test's collector alone.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI

from ap_runtime.gc_tuning import settle_for_serving
from ap_runtime.logging import configure_logging
from ap_runtime.settings import PlatformSettings, hand_to_child_processes, platform_settings

__all__ = ["SETTLED_FACTORY", "serve_api", "settled_app", "settled_on_startup", "uvicorn_options"]

# uvicorn's worker processes build their app from an import path: this factory, which builds the service's
# (named in the environment, which the workers inherit) and settles it.
SETTLED_FACTORY = "ap_runtime.http.serve:settled_app"
FACTORY_VARIABLE = "AP_HTTP_APP_FACTORY"


def uvicorn_options(app: FastAPI | str, settings: PlatformSettings, *, workers: int = 1,
                    quiet: bool = False) -> dict[str, Any]:
    """The keyword arguments of ``uvicorn.run`` for ``app``: ``quiet`` leaves uvicorn's own log to warnings
    (the request log is the services' business). ``app`` as ``"module:create_app"`` is a factory uvicorn calls
    in each worker process; ``workers`` above 1 needs it."""
    # Named, not "auto": uvicorn's auto quietly falls back to pure-Python h11 and asyncio when either is
    # missing, and h11's parser and response path were 12-14% of the API's CPU per command (issue 11).
    options: dict[str, Any] = {"host": settings.http_host, "port": settings.http_port,
                               "http": "httptools", "loop": "uvloop"}
    if quiet:
        options["log_level"] = "warning"
    if isinstance(app, str):
        options.update(factory=True, workers=workers)
    elif workers > 1:
        raise ValueError(f"workers={workers} needs the app factory's import path ('module:create_app'), "
                         "not a built app: each worker process builds its own")
    return options


def settled_on_startup(app: FastAPI) -> FastAPI:
    """``app``, its lifespan followed by ``settle_for_serving`` once its start-up is complete."""
    started = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(served: Any) -> AsyncIterator[Any]:
        async with started(served) as state:
            settle_for_serving()
            yield state

    app.router.lifespan_context = lifespan
    return app


def settled_app() -> FastAPI:
    """The app the factory named by ``AP_HTTP_APP_FACTORY`` builds, settled once started (``SETTLED_FACTORY``)."""
    from uvicorn.importer import import_from_string

    factory = platform_settings().http_app_factory
    if factory is None:
        raise RuntimeError(f"{SETTLED_FACTORY} is served only by serve_api, which sets {FACTORY_VARIABLE}")
    built: FastAPI = import_from_string(factory)()
    return settled_on_startup(built)


def serve_api(app: FastAPI | str, settings: PlatformSettings, *, workers: int = 1, quiet: bool = False) -> None:
    """Configure logging at the settings' level and serve ``app`` (settled once started) until the process is
    stopped."""
    import uvicorn  # only an API process needs it

    options = uvicorn_options(app, settings, workers=workers, quiet=quiet)
    served: FastAPI | str
    if isinstance(app, str):
        hand_to_child_processes(FACTORY_VARIABLE, app)
        served = SETTLED_FACTORY
    else:
        served = settled_on_startup(app)
    configure_logging(settings.log_level)
    uvicorn.run(served, **options)
