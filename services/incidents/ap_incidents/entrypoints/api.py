"""HTTP API of the incidents service.

    python -m ap_incidents.entrypoints.api        # uvicorn on 0.0.0.0:${AP_HTTP_PORT:-8000}

With ``AP_HTTP_WORKERS`` above 1, uvicorn runs that many worker processes on the one listening
socket (each opens its own dependencies); everything that must hold across them (command-id
idempotency, stream versions, the write-token ledger, the audit chain) is in PostgreSQL.

``create_app(deps)`` builds the app on open dependencies (tests); without ``deps`` the app opens
them from the environment at startup (see ``adapters.dependencies``). Startup runs the migrations.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
from fastapi import FastAPI

from ap_incidents.entrypoints.api_audit import audit_router
from ap_incidents.entrypoints.api_commands import command_router
from ap_incidents.entrypoints.api_queries import query_router
from ap_incidents.entrypoints.bootstrap import IncidentsDeps, bootstrap
from ap_incidents.entrypoints.cache_eviction import start_cache_eviction
from ap_incidents.entrypoints.openapi_commands import with_command_bodies
from ap_incidents.entrypoints.problems import install_incidents_problems
from ap_incidents.entrypoints.settings import incidents_settings
from ap_runtime.access.fastapi import install_access
from ap_runtime.http import install_edge
from ap_runtime.http.lean_routes import install_lean_posts
from ap_runtime.http.probes import add_probes
from ap_runtime.http.serve import serve_api

DEFAULT_PORT = 8000


def _attach(app: FastAPI, deps: IncidentsDeps) -> None:
    app.state.deps = deps
    app.state.incidents = deps.application()
    install_access(app, verifier=deps.verifier)


def create_app(deps: IncidentsDeps | None = None) -> FastAPI:
    """The API on ``deps``, or on dependencies opened from the environment when ``deps`` is None."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        opened = deps or await bootstrap()
        await opened.migrate()
        _attach(app, opened)
        # A real process hears of erasures by other processes (tests wire their own listener).
        eviction = await start_cache_eviction(app.state.incidents) if deps is None else None
        try:
            yield
        finally:
            if eviction is not None:
                await eviction.stop()
            if deps is None:
                await opened.close()

    app = FastAPI(
        title="AP incidents service",
        version="1",
        description="Referrals, placements and the day-to-day record of pupils in alternative provision. "
        "Every command is idempotent on its client-chosen command_id.",
        lifespan=lifespan,
    )
    if deps is not None:
        _attach(app, deps)
    install_incidents_problems(app)
    install_edge(app)
    app.include_router(command_router())
    app.include_router(query_router())
    app.include_router(audit_router())
    app.openapi = with_command_bodies(app.openapi)  # type: ignore[method-assign]
    add_probes(app, _databases)
    install_lean_posts(app)  # the command routes' requests skip FastAPI's machinery (issue 11)
    return app


def _databases(app: FastAPI) -> tuple[asyncpg.Pool, ...] | None:
    """The event store's pool, once the dependencies are attached."""
    deps: IncidentsDeps | None = getattr(app.state, "deps", None)
    return None if deps is None else (deps.events_pool,)


def main() -> None:
    settings = incidents_settings()  # a bad value stops here, naming the variable
    # Each worker process builds its own app from the environment.
    serve_api("ap_incidents.entrypoints.api:create_app", settings, workers=settings.http_workers, quiet=True)


if __name__ == "__main__":
    main()
