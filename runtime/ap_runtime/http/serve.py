"""Run a service's API under uvicorn: the ``main()`` of every ``entrypoints/api.py``.

Rule served (issue 10, "Copies" and "One way to configure"): every API process has read its settings
before it gets here (a bad value stopped it, naming the variable), logs at ``AP_LOG_LEVEL`` and binds
``AP_HTTP_HOST``:``AP_HTTP_PORT``. Several worker processes each build their own app, so uvicorn needs
the app factory's import path for them; a built app can only be served by one process.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from ap_runtime.logging import configure_logging
from ap_runtime.settings import PlatformSettings

__all__ = ["serve_api", "uvicorn_options"]


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


def serve_api(app: FastAPI | str, settings: PlatformSettings, *, workers: int = 1, quiet: bool = False) -> None:
    """Configure logging at the settings' level and serve ``app`` until the process is stopped."""
    import uvicorn  # only an API process needs it

    options = uvicorn_options(app, settings, workers=workers, quiet=quiet)
    configure_logging(settings.log_level)
    uvicorn.run(app, **options)
