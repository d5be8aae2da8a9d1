"""The finance service's HTTP API.

``create_app(deps)`` builds the app from ready dependencies (tests) or from a factory entered at
startup (the process: pools opened and migrated, audit and token key from the environment).
Run: ``python -m ap_finance.entrypoints.api`` serves on 0.0.0.0:${AP_HTTP_PORT:-8000}.

Environment: AP_DSN_AP_FINANCE (event store; default database ap_finance on DATABASE_URL's server),
AP_FINANCE_READ_DSN (read models; default the same), AP_DSN_AP_AUDIT (access audit), AP_TOKEN_PUBLIC_KEY
(and AP_TOKEN_ISSUER / AP_TOKEN_AUDIENCE), AP_ACCESS_POLICY (optional policy file), AP_HTTP_PORT, AP_LOG_LEVEL.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
from fastapi import FastAPI

from ap_finance.entrypoints.bootstrap import DepsFactory, FinanceDeps, FinanceServices, bootstrap, services_for
from ap_finance.entrypoints.browse_routes import router as browse_router
from ap_finance.entrypoints.command_routes import add_command_routes
from ap_finance.entrypoints.problems import install_finance_problems
from ap_finance.entrypoints.publication_routes import router as publication_router
from ap_finance.entrypoints.read_routes import router as read_router
from ap_finance.entrypoints.settings import finance_settings
from ap_runtime.access.fastapi import install_access
from ap_runtime.http import install_edge
from ap_runtime.http.lean_routes import install_lean_posts
from ap_runtime.http.probes import add_probes
from ap_runtime.http.serve import serve_api

DEFAULT_PORT = 8000


def _install(app: FastAPI, deps: FinanceDeps) -> None:
    install_access(app, verifier=deps.verifier, guard=deps.access)
    app.state.finance = services_for(deps)


def create_app(deps: FinanceDeps | DepsFactory) -> FastAPI:
    """The finance API over ready ``deps``, or over the deps a factory yields for the app's lifetime."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if isinstance(deps, FinanceDeps):
            yield
            return
        async with deps() as ready:
            _install(app, ready)
            yield

    app = FastAPI(title="AP finance service", version="1", lifespan=lifespan,
                  description="Ring-fenced behaviour budgets: commands, ledger, reconciliation and reports.")
    if isinstance(deps, FinanceDeps):
        _install(app, deps)
    install_finance_problems(app)
    install_edge(app)
    add_command_routes(app)
    app.include_router(browse_router)
    app.include_router(read_router)
    app.include_router(publication_router)
    add_probes(app, _databases, ready="ready", tag="operations")
    install_lean_posts(app)  # its command routes skip FastAPI's per-request machinery (issue 11)
    return app


def _databases(app: FastAPI) -> tuple[asyncpg.Pool, ...] | None:
    """The event store's and the read models' pools, once the dependencies are attached."""
    services: FinanceServices | None = getattr(app.state, "finance", None)
    return None if services is None else (services.deps.store.pool, services.deps.read_pool)


def main() -> None:
    settings = finance_settings()  # a bad value stops here, naming the variable
    serve_api(create_app(lambda: bootstrap(settings)), settings, quiet=True)


if __name__ == "__main__":
    main()
