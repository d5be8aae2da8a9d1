"""The commissioning service's HTTP API: ``python -m ap_commissioning.entrypoints.api`` serves on
``$AP_HTTP_HOST:$AP_HTTP_PORT``.

Environment: AP_DSN_AP_COMMISSIONING (event store; default database ap_commissioning on DATABASE_URL's server),
AP_DSN_AP_AUDIT (access audit), AP_TOKEN_PUBLIC_KEY (and AP_TOKEN_ISSUER / AP_TOKEN_AUDIENCE), AP_ACCESS_POLICY
(optional policy file), AP_HTTP_PORT, AP_LOG_LEVEL. Its events reach Kafka through
``ap relay --service commissioning`` (topic ap.commissioning.events).
"""

from __future__ import annotations

import asyncpg
from fastapi import FastAPI

from ap_commissioning.entrypoints.bootstrap import (
    CommissioningDeps,
    CommissioningServices,
    bootstrap,
    services_for,
)
from ap_commissioning.entrypoints.command_routes import add_command_routes
from ap_commissioning.entrypoints.panel_routes import router as panel_router
from ap_commissioning.entrypoints.problems import install_commissioning_problems
from ap_commissioning.entrypoints.read_routes import router as read_router
from ap_commissioning.entrypoints.self_audit_routes import router as self_audit_router
from ap_commissioning.entrypoints.settings import CommissioningSettings, commissioning_settings
from ap_runtime.access.fastapi import install_access
from ap_runtime.http import install_edge
from ap_runtime.http.lean_routes import install_lean_posts
from ap_runtime.http.lifespan import api_with_deps
from ap_runtime.http.probes import add_probes
from ap_runtime.http.serve import serve_api


def _attach(app: FastAPI, deps: CommissioningDeps) -> None:
    install_access(app, verifier=deps.verifier, guard=deps.access)
    app.state.commissioning = services_for(deps)


def create_app(deps: CommissioningDeps | None = None, settings: CommissioningSettings | None = None) -> FastAPI:
    """The commissioning API over ready ``deps`` (tests), or over deps opened at startup from ``settings``."""
    app = api_with_deps("AP commissioning service", deps, lambda: bootstrap(settings), _attach, version="1",
                        description="Service level agreements, their reviews, self-audits and panels.")
    install_commissioning_problems(app)
    install_edge(app)
    add_command_routes(app)
    app.include_router(read_router)
    app.include_router(self_audit_router)
    app.include_router(panel_router)
    add_probes(app, _databases)
    install_lean_posts(app)  # its command routes skip FastAPI's per-request machinery (issue 11)
    return app


def _databases(app: FastAPI) -> tuple[asyncpg.Pool, ...] | None:
    services: CommissioningServices | None = getattr(app.state, "commissioning", None)
    return None if services is None else (services.deps.store.pool,)


def main() -> None:
    settings = commissioning_settings()  # a bad value stops here, naming the variable
    serve_api(create_app(settings=settings), settings, quiet=True)


if __name__ == "__main__":
    main()
