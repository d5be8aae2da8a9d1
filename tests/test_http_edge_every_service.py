"""Every service's HTTP app has the edge installed (issue 9, "Input and transport"): a body over the
limit is 413 before the token is even looked at (a 20 MB body was read in full before the 401), a
NUL in a query parameter is a 422 naming it (it was a 500), and a caller over its rate gets 429.

The apps are built as their processes build them, without opening databases: every request here
is answered at the edge, before any handler runs.
"""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from fastapi import FastAPI


def incidents() -> FastAPI:
    from ap_incidents.entrypoints.api import create_app

    return create_app()


def finance() -> FastAPI:
    from ap_finance.entrypoints.api import create_app
    from ap_finance.entrypoints.bootstrap import bootstrap

    return create_app(bootstrap)


def notifications() -> FastAPI:
    from ap_notifications.entrypoints.api import create_app

    return create_app()


def reporting() -> FastAPI:
    from ap_reporting.entrypoints.api import create_app

    return create_app()


# (app, a path that takes a body, a path with a query parameter)
SERVICES: dict[str, tuple[Callable[[], FastAPI], str, str]] = {
    "incidents": (incidents, "/v1/pupils/6f1c2b1e-8d7a-4c1e-9b57-0a3c1d2e4f50/registration", "/v1/placements"),
    "finance": (finance, "/v1/budgets", "/v1/budgets"),
    "notifications": (notifications, "/v1/safeguarding-transfers", "/v1/notifications"),
    "reporting": (reporting, "/v1/reports/annual", "/v1/reports/annual"),
}


def client_of(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://service")


@pytest.mark.parametrize("name", SERVICES)
async def test_a_body_over_the_limit_is_413_before_the_token_is_checked(name: str) -> None:
    build, body_path, _ = SERVICES[name]
    async with client_of(build()) as client:
        response = await client.post(body_path, content=b"{" + b" " * (2 * 1024 * 1024) + b"}",
                                     headers={"Content-Type": "application/json"})
    assert response.status_code == 413, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["title"] == "Request body too large"


@pytest.mark.parametrize("name", SERVICES)
async def test_a_nul_in_a_query_parameter_is_422_naming_it(name: str) -> None:
    build, _, query_path = SERVICES[name]
    async with client_of(build()) as client:
        response = await client.get(f"{query_path}?provision_id=%00")
    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["errors"]] == ["query.provision_id"]


@pytest.mark.parametrize("name", SERVICES)
async def test_a_caller_over_its_rate_gets_429_with_retry_after(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AP_HTTP_RATE_BURST", "2")
    monkeypatch.setenv("AP_HTTP_RATE_PER_SECOND", "0.1")
    build, _, query_path = SERVICES[name]
    async with client_of(build()) as client:
        statuses = [(await client.get(f"{query_path}?x=%00")).status_code for _ in range(3)]
        refused = await client.get(query_path)
    assert statuses == [422, 422, 429]
    assert refused.status_code == 429 and refused.headers["retry-after"] == "10"
    assert refused.json()["status"] == 429


# One problem format (issue 10): whichever service refuses, the body has the same members and the
# same ``type`` scheme. Without a token a request is refused before any handler reads anything.
READ_PATHS = {"incidents": "/v1/placements", "finance": "/v1/budgets/pbp-north/2025-26/ledger",
              "notifications": "/v1/notifications", "reporting": "/v1/reports/annual"}


@pytest.mark.parametrize("name", SERVICES)
async def test_a_request_without_a_token_is_the_same_401_problem_everywhere(name: str) -> None:
    build, query_path = SERVICES[name][0], READ_PATHS[name]
    async with client_of(build()) as client:
        response = await client.get(query_path)
    assert response.status_code == 401, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.json() == {"type": "urn:ap:problem:unauthenticated", "title": "Not authenticated",
                               "status": 401, "detail": "missing bearer token", "instance": query_path}


@pytest.mark.parametrize("name", SERVICES)
async def test_an_unknown_route_is_the_same_404_problem_everywhere(name: str) -> None:
    build, _, _ = SERVICES[name]
    async with client_of(build()) as client:
        response = await client.get("/v1/no-such-thing")
    assert response.status_code == 404, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert set(body) == {"type", "title", "status", "detail", "instance"}, body
    assert body["type"] == "urn:ap:problem:not-found", body
