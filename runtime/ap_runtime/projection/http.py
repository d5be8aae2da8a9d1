"""HTTP answer for a read model that does not exist yet: 503 with Retry-After, never a 500."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from ap_runtime.projection.store import ReadModelNotReady


async def _not_ready(_request: Request, exc: Exception) -> JSONResponse:
    return JSONResponse(
        {"type": "urn:ap:problem:read-model-not-ready", "title": "Read model not ready", "status": 503,
         "detail": str(exc)},
        status_code=503, headers={"Retry-After": "5"}, media_type="application/problem+json",
    )


def install_read_model_errors(app: FastAPI) -> None:
    app.add_exception_handler(ReadModelNotReady, _not_ready)
