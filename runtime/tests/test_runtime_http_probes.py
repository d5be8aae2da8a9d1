"""``ap_runtime.http.probes.add_probes``: the liveness and readiness routes every API answers (issue 11,
probes; issue 10, "Copies": finance and incidents wrote them twice). Readiness asks each of the service's
databases ``SELECT 1`` on the real PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence

import asyncpg
import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI

from ap_runtime.http.probes import add_probes


@pytest_asyncio.fixture(loop_scope="session")
async def pool(new_database: Callable[[str], object]) -> AsyncIterator[asyncpg.Pool]:
    created = await asyncpg.create_pool(await new_database("probes"), min_size=1, max_size=2)  # type: ignore[misc]
    yield created
    await created.close()


def _client(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://api")


async def _probe(databases: Callable[[FastAPI], Sequence[asyncpg.Pool] | None], **options: str) -> dict[str, object]:
    app = FastAPI()
    add_probes(app, databases, **options)
    async with _client(app) as client:
        live = await client.get("/healthz")
        ready = await client.get("/readyz")
        paths = set((await client.get("/openapi.json")).json()["paths"])
    return {"live": (live.status_code, live.json()), "ready": (ready.status_code, ready.json()), "paths": paths}


@pytest.mark.integration
async def test_ready_when_every_database_answers(pool: asyncpg.Pool) -> None:
    probed = await _probe(lambda app: (pool, pool), ready="ready")

    assert probed["live"] == (200, {"status": "ok"})
    assert probed["ready"] == (200, {"status": "ready"})
    assert {"/healthz", "/readyz"} <= probed["paths"]  # type: ignore[operator]


@pytest.mark.integration
async def test_not_ready_when_a_database_does_not_answer_says_why(pool: asyncpg.Pool,
                                                                 new_database: Callable[[str], object]) -> None:
    closed = await asyncpg.create_pool(await new_database("probes_closed"), min_size=1, max_size=1)  # type: ignore[misc]
    await closed.close()

    probed = await _probe(lambda app: (pool, closed))

    assert probed["live"] == (200, {"status": "ok"})  # alive: a restart would not bring the database back
    assert probed["ready"] == (503, {"status": "unavailable", "reason": "InterfaceError"})


async def test_not_ready_before_the_dependencies_are_attached() -> None:
    probed = await _probe(lambda app: None)

    assert probed["ready"] == (503, {"status": "starting"})
