"""A read model that was never built answers 503 with Retry-After, not a server error."""

from __future__ import annotations

from collections.abc import Callable

import asyncpg
import httpx
import pytest
from fastapi import FastAPI

from ap_runtime.http.problems import install_problem_handlers
from ap_runtime.projection import read_model

pytestmark = pytest.mark.integration


async def test_missing_read_model_is_503(new_database: Callable[[str], object]) -> None:
    pool = await asyncpg.create_pool(await new_database("rm_http"), min_size=1, max_size=2)  # type: ignore[misc]
    app = FastAPI()
    install_problem_handlers(app)

    @app.get("/report")
    async def report() -> dict[str, int]:
        async with read_model(pool, "never_built") as conn:
            return {"rows": int(await conn.fetchval("SELECT 1"))}

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        response = await client.get("/report")
    await pool.close()
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    assert "never_built" in response.json()["detail"]
    assert response.json()["type"] == "urn:ap:problem:not-ready"
