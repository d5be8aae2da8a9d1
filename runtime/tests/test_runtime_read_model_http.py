"""A read model that was never built answers 503 with Retry-After, not a server error."""

from __future__ import annotations

from collections.abc import Callable

import asyncpg
import httpx
import pytest
from fastapi import FastAPI

from ap_runtime.http.problems import install_problem_handlers
from ap_runtime.projection import Projection, read_model, read_models
from ap_runtime.projection.store import ReadModelNotReady, ensure_registered

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


class _Counts(Projection):
    name = "counts_rm"

    async def setup(self, conn: asyncpg.Connection) -> None:
        await conn.execute("CREATE TABLE IF NOT EXISTS counts (n integer)")


class _Totals(Projection):
    name = "totals_rm"
    ddl = "CREATE TABLE IF NOT EXISTS totals (t integer)"  # the default setup runs it


async def test_several_read_models_are_read_in_one_transaction_and_an_optional_one_may_be_missing(
    new_database: Callable[[str], object],
) -> None:
    """Issue 10, "Copies": finance read its two read models with a hand-made copy of this helper."""
    pool = await asyncpg.create_pool(await new_database("rm_many"), min_size=1, max_size=2)  # type: ignore[misc]
    try:
        await ensure_registered(pool, _Counts())
        with pytest.raises(ReadModelNotReady, match="totals_rm"):
            async with read_models(pool, [_Counts.name, _Totals.name]):
                pass
        async with read_models(pool, [_Counts.name], optional=[_Totals.name]) as conn:
            assert await conn.fetchval("SELECT count(*) FROM counts") == 0
            assert await conn.fetchval("SELECT current_setting('transaction_isolation')") == "repeatable read"
        await ensure_registered(pool, _Totals())
        async with read_models(pool, [_Counts.name, _Totals.name]) as conn:
            assert await conn.fetchval("SELECT count(*) FROM counts, totals") == 0
    finally:
        await pool.close()
