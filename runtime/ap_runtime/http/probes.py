"""The liveness and readiness routes of an API: ``/healthz`` and ``/readyz``.

Rule served (issue 11, every process kind runs with readiness and liveness probes; issue 10, "Copies": finance
and incidents wrote these routes twice). Liveness says only that the process answers: a database outage is
not cured by a restart. Readiness asks each of the service's databases ``SELECT 1``: 503 ``starting`` before
its dependencies are attached, 503 ``unavailable`` naming the error's class (never its message, which can
carry a DSN) when one does not answer.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import asyncpg
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

__all__ = ["add_probes"]


def add_probes(app: FastAPI, databases: Callable[[FastAPI], Sequence[asyncpg.Pool] | None], *,
               ready: str = "ok", tag: str = "health") -> None:
    """Add ``/healthz`` and ``/readyz`` to ``app``; ``databases(app)`` gives the pools to ask, None while the
    app's dependencies are not attached yet; ``ready`` is the status word of a ready answer."""

    @app.get("/healthz", tags=[tag])
    async def healthz() -> dict[str, str]:
        """Liveness: the process answers."""
        return {"status": "ok"}

    @app.get("/readyz", tags=[tag])
    async def readyz(request: Request) -> JSONResponse:
        """Readiness: every database of the service answers."""
        pools = databases(request.app)
        if pools is None:
            return JSONResponse({"status": "starting"}, status_code=503)
        try:
            for pool in pools:
                await pool.fetchval("SELECT 1")
        except Exception as exc:  # any database failure means not ready; say which kind
            return JSONResponse({"status": "unavailable", "reason": type(exc).__name__}, status_code=503)
        return JSONResponse({"status": ready})
