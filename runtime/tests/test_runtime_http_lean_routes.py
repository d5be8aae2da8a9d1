"""Lean command routes (``ap_runtime.http.lean_routes``) answer exactly as the FastAPI routes they shadow.

The same app is built twice, with and without the lean routes, and every request below (good ones, and each kind
the lean path must leave to FastAPI: no token, another scheme, a forged token, a malformed or uppercase id, another
method, a trailing slash, ``X-Break-Glass``, a body that is not JSON) gets the same status, body and headers from
both. Routes not of the command shape (``lean_shapes``), or that an earlier route might answer first, are left to
FastAPI. No servers: in-process apps.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute, iter_route_contexts

from ap_contracts.envelope import OrgKind
from ap_runtime.access import Role, TokenIssuer, TokenVerifier, generate_keypair
from ap_runtime.access.fastapi import AccessHeaders, CallerDep, HeadersDep, install_access, principal_from_request
from ap_runtime.access.keys import load_private_key, load_public_key
from ap_runtime.access.principal import Principal
from ap_runtime.access.tokens import ServiceAudience
from ap_runtime.http import EdgeLimits, install_edge
from ap_runtime.http.lean_routes import LeanCommandRoutes, install_lean_posts
from ap_runtime.http.lean_shapes import lean_call
from ap_runtime.http.problems import InvalidRequest, install_problem_handlers

PAIR = generate_keypair()
ISSUER = TokenIssuer(load_private_key(PAIR.private_pem))
PUPIL_PATH = "/v1/pupils/{pupil_ref}/notes"
CLOSE_PATH = "/v1/orgs/{org_id}/things/{thing_id}/close"


def token(issuer: TokenIssuer = ISSUER) -> str:
    return issuer.mint(user_id="staff-1", organisation_id="prov-1", org_kind=OrgKind.PROVISION,
                       roles=(Role.PROVISION_STAFF,), audience=ServiceAudience.INCIDENTS)


async def answer(request: Request, principal: Principal, headers: AccessHeaders) -> JSONResponse:
    """The one endpoint both paths run: what it was given, and which path gave it."""
    try:
        body = await request.json()
    except ValueError:
        raise InvalidRequest([{"field": "(body)", "problem": "the body is not valid JSON"}]) from None
    return JSONResponse({"user": principal.user_id, "path": request.path_params, "purpose": headers.purpose,
                         "correlation": str(headers.correlation_id), "body": body,
                         "lean": "ap_lean_call" in request.scope}, status_code=201)


def routes() -> APIRouter:
    router = APIRouter(prefix="/v1")

    @router.post(PUPIL_PATH.removeprefix("/v1"), status_code=201, name="note")
    async def note(request: Request, pupil_ref: UUID, principal: CallerDep, headers: HeadersDep) -> JSONResponse:
        return await answer(request, principal, headers)

    @router.post(CLOSE_PATH.removeprefix("/v1"), status_code=201, name="close")
    async def close(request: Request, principal: CallerDep, headers: HeadersDep, org_id: str,
                    thing_id: str) -> JSONResponse:
        assert request.path_params == {"org_id": org_id, "thing_id": thing_id}
        return await answer(request, principal, headers)

    # Not of the command shape: a query parameter, a model to serialise, another dependency, a sync endpoint.
    @router.post("/queried/{org_id}", status_code=201)
    async def queried(request: Request, org_id: str, principal: CallerDep, headers: HeadersDep,
                      note: str = "") -> JSONResponse:
        return await answer(request, principal, headers)

    @router.post("/modelled/{org_id}", status_code=201)
    async def modelled(org_id: str, principal: CallerDep, headers: HeadersDep) -> dict[str, str]:
        return {"user": principal.user_id}

    @router.post("/guarded/{org_id}", status_code=201, dependencies=[Depends(principal_from_request)])
    async def guarded(request: Request, principal: CallerDep, headers: HeadersDep) -> JSONResponse:
        return await answer(request, principal, headers)

    @router.post("/synchronous", status_code=201)
    def synchronous(principal: CallerDep, headers: HeadersDep) -> JSONResponse:
        return JSONResponse({"user": principal.user_id}, status_code=201)

    # Shadowed: the route just above answers a POST here first (org_id = "special"), so FastAPI must too.
    @router.post("/queried/special/x", status_code=201)
    @router.post("/modelled/special", status_code=201)
    async def special(request: Request, principal: CallerDep, headers: HeadersDep) -> JSONResponse:
        return await answer(request, principal, headers)

    return router


def build(lean: bool) -> FastAPI:
    app = FastAPI()
    install_access(app, verifier=TokenVerifier(load_public_key(PAIR.public_pem), audience=ServiceAudience.INCIDENTS))
    install_problem_handlers(app)
    install_edge(app, EdgeLimits(max_body_bytes=10_000, rate_per_second=1000, rate_burst=1000))
    app.include_router(routes())
    if lean:
        install_lean_posts(app)
    return app


@pytest.fixture
async def clients() -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncClient]]:
    async with (httpx.AsyncClient(transport=httpx.ASGITransport(app=build(True)), base_url="http://a") as lean,
                httpx.AsyncClient(transport=httpx.ASGITransport(app=build(False)), base_url="http://a") as plain):
        yield lean, plain


def seen(response: httpx.Response) -> tuple[int, Any, dict[str, str]]:
    """Status, body without the path flag, and the headers a client reads (the date aside)."""
    try:
        body = response.json()
    except ValueError:
        body = response.text
    if isinstance(body, dict):
        body.pop("lean", None)
    headers = {k: v for k, v in response.headers.items() if k not in ("date", "content-length")}
    return response.status_code, body, headers


async def both(clients: tuple[httpx.AsyncClient, httpx.AsyncClient], method: str, url: str,
               **options: Any) -> httpx.Response:
    lean, plain = clients
    answered = await lean.request(method, url, **options)
    assert seen(answered) == seen(await plain.request(method, url, **options)), (method, url, options)
    return answered


async def test_a_good_command_takes_the_lean_path_and_answers_as_fastapi_does(
        clients: tuple[httpx.AsyncClient, httpx.AsyncClient]) -> None:
    pupil = uuid4()
    headers = {"Authorization": f"Bearer {token()}", "X-Access-Purpose": "care", "X-Correlation-ID": str(uuid4())}
    answered = await both(clients, "POST", f"/v1/pupils/{pupil}/notes", json={"text": "x"}, headers=headers)
    assert answered.status_code == 201 and answered.json()["lean"] is True
    assert answered.json()["path"] == {"pupil_ref": str(pupil)} and answered.json()["purpose"] == "care"
    closed = await both(clients, "POST", "/v1/orgs/org-1/things/t-9/close", json={}, headers=headers)
    assert closed.json()["lean"] is True and closed.json()["path"] == {"org_id": "org-1", "thing_id": "t-9"}


async def test_every_request_the_lean_path_leaves_to_fastapi_is_answered_as_before(
        clients: tuple[httpx.AsyncClient, httpx.AsyncClient]) -> None:
    pupil = str(uuid4())
    good = {"Authorization": f"Bearer {token()}", "X-Correlation-ID": str(uuid4())}
    forged = {"Authorization": f"Bearer {token(TokenIssuer(load_private_key(generate_keypair().private_pem)))}"}
    cases: list[tuple[str, str, dict[str, str], bytes, int]] = [
        ("POST", f"/v1/pupils/{pupil}/notes", {}, b"{}", 401),  # no token
        ("POST", f"/v1/pupils/{pupil}/notes", {"Authorization": f"Basic {token()}"}, b"{}", 401),
        ("POST", f"/v1/pupils/{pupil}/notes", {"Authorization": "Bearer "}, b"{}", 401),
        ("POST", f"/v1/pupils/{pupil}/notes", forged, b"{}", 401),  # refused by the verifier on both paths
        ("POST", "/v1/pupils/not-a-uuid/notes", good, b"{}", 422),  # naming path.pupil_ref
        ("POST", f"/v1/pupils/{pupil.replace('-', '')}/notes", good, b"{}", 201),  # FastAPI's own spelling rules
        ("GET", f"/v1/pupils/{pupil}/notes", good, b"", 405),
        ("POST", f"/v1/pupils/{pupil}/notes/", good, b"{}", 307),  # the trailing slash redirect
        ("POST", "/v1/orgs/org-1/things//close", good, b"{}", 404),  # an empty parameter
        ("POST", f"/v1/pupils/{pupil}/notes", {**good, "X-Break-Glass": "maybe"}, b"{}", 422),
        ("POST", f"/v1/pupils/{pupil}/notes", {**good, "X-Break-Glass": "true"}, b"{}", 201),
    ]
    for method, url, headers, body, status in cases:
        answered = await both(clients, method, url, headers=headers, content=body)
        assert answered.status_code == status, (method, url, headers, answered.text)
        if status == 201:
            assert answered.json()["lean"] is False, (method, url, headers)


async def test_the_lean_paths_refusals_are_the_problem_handlers_answers(
        clients: tuple[httpx.AsyncClient, httpx.AsyncClient]) -> None:
    good = {"Authorization": f"Bearer {token()}", "X-Correlation-ID": str(uuid4())}
    not_json = await both(clients, "POST", f"/v1/pupils/{uuid4()}/notes", headers=good, content=b"{not json")
    assert not_json.status_code == 422 and not_json.headers["content-type"] == "application/problem+json"
    upper = await both(clients, "POST", f"/v1/pupils/{str(uuid4()).upper()}/notes", headers=good, json={})
    assert upper.json()["lean"] is True


async def test_the_openapi_document_is_the_same_with_the_lean_routes() -> None:
    assert build(True).openapi() == build(False).openapi()


def test_only_the_command_shaped_routes_no_earlier_route_answers_go_on_the_lean_path() -> None:
    app = build(True)
    lean = next(r for r in app.router.routes if isinstance(r, LeanCommandRoutes))
    assert lean.paths == [PUPIL_PATH, CLOSE_PATH, "/v1/queried/special/x"]
    shapes = {c.path: lean_call(c) for c in iter_route_contexts(app.router.routes)
              if isinstance(c.original_route, APIRoute)}
    assert [path for path, call in shapes.items() if call is None] == [
        "/v1/queried/{org_id}", "/v1/modelled/{org_id}", "/v1/guarded/{org_id}", "/v1/synchronous"]
    assert shapes["/v1/modelled/special"] is not None  # of the shape, but "/v1/modelled/{org_id}" comes first
    with pytest.raises(ValueError, match="installed on this app already"):
        install_lean_posts(app)


async def test_the_routes_left_to_fastapi_answer_as_before(
        clients: tuple[httpx.AsyncClient, httpx.AsyncClient]) -> None:
    good = {"Authorization": f"Bearer {token()}", "X-Correlation-ID": str(uuid4())}
    for url in ("/v1/queried/org-1?note=x", "/v1/guarded/org-1", "/v1/queried/special/x"):
        answered = await both(clients, "POST", url, headers=good, json={"n": 1})
        assert answered.status_code == 201
        assert answered.json()["lean"] is url.endswith("/special/x"), url
    for url in ("/v1/modelled/org-1", "/v1/modelled/special", "/v1/synchronous"):
        answered = await both(clients, "POST", url, headers=good, json={})
        assert answered.status_code == 201 and answered.json().get("lean") is None, url


async def test_an_app_overriding_a_dependency_is_answered_by_fastapi_with_the_override() -> None:
    app = build(True)
    stand_in = Principal(user_id="stand-in", organisation_id="prov-1", org_kind=OrgKind.PROVISION,
                         roles=frozenset({Role.PROVISION_STAFF}))
    app.dependency_overrides[principal_from_request] = lambda: stand_in
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://a") as client:
        answered = await client.post(f"/v1/pupils/{uuid4()}/notes", json={},
                                     headers={"Authorization": f"Bearer {token()}"})
    assert answered.status_code == 201 and answered.json()["user"] == "stand-in"
    assert answered.json()["lean"] is False


def test_route_names_are_still_found_through_the_documented_routes() -> None:
    app = build(True)
    assert app.url_path_for("note", pupil_ref="p-1") == "/v1/pupils/p-1/notes"
