"""The HTTP edge (``ap_runtime.http``): body size (413), per-caller rate (429), unstorable text (422),
each answered with a problem body before any handler runs. No servers: an in-process app."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest
from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse

from ap_contracts.envelope import OrgKind
from ap_runtime.access import Role, TokenIssuer, TokenVerifier, generate_keypair
from ap_runtime.access.fastapi import CallerDep, HeadersDep, install_access, remember_verified, verified_principal
from ap_runtime.access.keys import load_private_key, load_public_key
from ap_runtime.access.principal import Principal
from ap_runtime.access.token_cache import CachingTokenVerifier
from ap_runtime.access.token_signature import SodiumEd25519
from ap_runtime.access.tokens import ServiceAudience
from ap_runtime.http import EdgeLimits, install_edge
from ap_runtime.http.lean_routes import install_lean_posts
from ap_runtime.http.rate_limit import TokenBuckets

PAIR = generate_keypair()
ISSUER = TokenIssuer(load_private_key(PAIR.private_pem))


class Handled:
    """What the app's handlers saw: a refusal at the edge must leave this empty."""

    def __init__(self) -> None:
        self.bodies: list[int] = []


def edge_app(limits: EdgeLimits, handled: Handled) -> FastAPI:
    app = FastAPI()
    install_access(app, verifier=TokenVerifier(load_public_key(PAIR.public_pem), audience=ServiceAudience.INCIDENTS))
    install_edge(app, limits)

    @app.post("/things/{thing_id}")
    async def post_thing(thing_id: str, request: Request) -> dict[str, int]:
        handled.bodies.append(len(await request.body()))
        return {"bytes": handled.bodies[-1]}

    @app.get("/things")
    async def list_things(name: str = "") -> dict[str, str]:
        return {"name": name}

    return app


@pytest.fixture
async def small_body() -> AsyncIterator[tuple[httpx.AsyncClient, Handled]]:
    handled = Handled()
    app = edge_app(EdgeLimits(max_body_bytes=1000, rate_per_second=1000, rate_burst=1000), handled)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://edge") as client:
        yield client, handled


def token(user: str) -> str:
    return ISSUER.mint(user_id=user, organisation_id="school-1", org_kind=OrgKind.HOME_SCHOOL,
                       roles=(Role.HOME_SCHOOL_STAFF,), audience=ServiceAudience.INCIDENTS)


async def test_a_body_declared_over_the_limit_is_413_and_never_reaches_the_handler(
        small_body: tuple[httpx.AsyncClient, Handled]) -> None:
    client, handled = small_body
    response = await client.post("/things/a", content=b"x" * 1001)
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 413 and "1000 bytes" in response.json()["detail"]
    assert handled.bodies == []
    assert (await client.post("/things/a", content=b"x" * 1000)).json() == {"bytes": 1000}


async def test_a_streamed_body_without_a_length_is_counted_and_refused_past_the_limit(
        small_body: tuple[httpx.AsyncClient, Handled]) -> None:
    client, handled = small_body
    sent: list[int] = []

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(100):  # 40 kB in all, offered 400 bytes at a time
            sent.append(400)
            yield b"y" * 400

    response = await client.post("/things/a", content=chunks())  # chunked: no Content-Length
    assert response.status_code == 413 and response.json()["type"] == "urn:ap:problem:body-too-large"
    assert handled.bodies == []


async def test_a_nul_or_bad_utf8_in_path_query_or_header_is_422_naming_the_field(
        small_body: tuple[httpx.AsyncClient, Handled]) -> None:
    client, _ = small_body
    cases = {
        "/things/a%00b": "path.thing_id",
        "/things/a%ED%A0%80": "path.thing_id",
        "/things?name=%00": "query.name",
        "/things?name=ok&other=%ED%B0%80": "query.other",
    }
    for url, field in cases.items():
        response = await (client.post(url) if url.startswith("/things/") else client.get(url))
        assert response.status_code == 422, (url, response.text)
        assert [e["field"] for e in response.json()["errors"]] == [field], url
    header = await client.get("/things", headers={"X-Access-Purpose": "audit\x00"})
    assert header.status_code == 422 and header.json()["errors"][0]["field"] == "header.x-access-purpose"
    assert (await client.get("/things?name=caf%C3%A9")).json() == {"name": "café"}


async def test_each_verified_caller_has_its_own_bucket_and_an_empty_one_gets_429_with_retry_after() -> None:
    app = edge_app(EdgeLimits(max_body_bytes=1000, rate_per_second=0.5, rate_burst=3), Handled())
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://edge") as client:
        alice = {"Authorization": f"Bearer {token('alice')}"}
        statuses = [(await client.get("/things", headers=alice)).status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        refused = await client.get("/things", headers=alice)
        assert refused.headers["retry-after"] == "2"
        assert refused.json()["type"] == "urn:ap:problem:rate-limited"
        bob = {"Authorization": f"Bearer {token('bob')}"}
        assert (await client.get("/things", headers=bob)).status_code == 200
        # A token the service does not accept counts against the client address, not a new subject.
        forged = TokenIssuer(load_private_key(generate_keypair().private_pem))
        fakes = [forged.mint(user_id=f"fake-{n}", organisation_id="x", org_kind=OrgKind.HOME_SCHOOL,
                             roles=(Role.HOME_SCHOOL_STAFF,), audience=ServiceAudience.INCIDENTS)
                 for n in range(4)]
        forged_statuses = [(await client.get("/things", headers={"Authorization": f"Bearer {t}"})).status_code
                           for t in fakes]
        assert forged_statuses == [200, 200, 200, 429]


def test_a_bucket_refills_at_its_rate_up_to_its_burst() -> None:
    now = [0.0]
    buckets = TokenBuckets(per_second=2.0, burst=2, clock=lambda: now[0])
    assert [buckets.take("k") for _ in range(2)] == [0.0, 0.0]
    assert buckets.take("k") == pytest.approx(0.5)
    now[0] = 0.5
    assert buckets.take("k") == 0.0
    now[0] = 100.0
    assert [buckets.take("k") for _ in range(3)][-1] > 0  # refilled to the burst, never beyond


def test_limits_come_from_the_environment_and_a_bad_value_is_named() -> None:
    limits = EdgeLimits.from_env({"AP_HTTP_MAX_BODY_BYTES": "2048", "AP_HTTP_RATE_PER_SECOND": "5",
                                  "AP_HTTP_RATE_BURST": "10"})
    assert limits == EdgeLimits(max_body_bytes=2048, rate_per_second=5.0, rate_burst=10)
    assert EdgeLimits.from_env({}) == EdgeLimits()
    with pytest.raises(ValueError, match="AP_HTTP_RATE_BURST"):
        EdgeLimits.from_env({"AP_HTTP_RATE_BURST": "-1"})


def test_the_buckets_kept_in_memory_are_bounded() -> None:
    from ap_runtime.http import rate_limit

    buckets = TokenBuckets(per_second=0.001, burst=1, clock=lambda: 0.0)  # nothing ever refills
    for n in range(rate_limit.MAX_TRACKED_CALLERS + 50):
        buckets.take(f"addr:{n}")
    assert len(buckets._buckets) <= rate_limit.MAX_TRACKED_CALLERS


def test_the_edge_is_one_asgi_layer() -> None:
    """Issue 11 (command path CPU): every request passed through three edge middlewares, each a frame and
    an await around the whole app; the edge is now one pure ASGI layer making the three refusals in turn."""
    app = FastAPI()
    before = len(app.user_middleware)

    install_edge(app, EdgeLimits())

    assert len(app.user_middleware) == before + 1


async def test_the_refusals_keep_their_order_rate_then_text_then_body_size() -> None:
    """One layer, same precedence as the three had: a caller over its rate is 429 whatever it sent; within its
    rate, unstorable text in the URL is 422 before an oversized body is 413; a handler sees none of them."""
    handled = Handled()
    app = edge_app(EdgeLimits(max_body_bytes=10, rate_per_second=0.01, rate_burst=2), handled)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://edge") as client:
        alice = {"Authorization": f"Bearer {token('alice')}"}
        text_and_size = await client.post("/things/a%00b", headers=alice, content=b"x" * 11)
        size = await client.post("/things/ab", headers=alice, content=b"x" * 11)
        rate = await client.post("/things/a%00b", headers=alice, content=b"x" * 11)
    assert [text_and_size.status_code, size.status_code, rate.status_code] == [422, 413, 429]
    assert text_and_size.json()["errors"][0]["field"] == "path.thing_id"
    assert handled.bodies == []


async def test_a_request_checks_its_token_signature_once_with_the_caching_verifier(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 11: the rate limit keys on the verified subject and the route takes the verified caller; with the
    services' caching verifier the Ed25519 check runs once per request (a fresh token each command), and a
    forged token is still refused by both."""
    checked: list[bytes] = []
    real = SodiumEd25519.verify

    def counting(self: SodiumEd25519, signed: bytes, key: Any, signature: bytes) -> bool:
        checked.append(signed)
        return real(self, signed, key, signature)

    monkeypatch.setattr(SodiumEd25519, "verify", counting)  # the verifier's signature check (libsodium)
    app = FastAPI()
    install_access(app, verifier=CachingTokenVerifier(load_public_key(PAIR.public_pem),
                                                      audience=ServiceAudience.INCIDENTS))
    install_edge(app, EdgeLimits())

    @app.post("/commands")
    async def command(principal: CallerDep) -> dict[str, str]:
        return {"caller": principal.user_id}

    forged = TokenIssuer(load_private_key(generate_keypair().private_pem)).mint(
        user_id="mallory", organisation_id="school-1", org_kind=OrgKind.HOME_SCHOOL,
        roles=(Role.HOME_SCHOOL_STAFF,), audience=ServiceAudience.INCIDENTS)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://edge") as client:
        answers = [await client.post("/commands", headers={"Authorization": f"Bearer {token(user)}"})
                   for user in ("alice", "bob")]
        refused = await client.post("/commands", headers={"Authorization": f"Bearer {forged}"})
    assert [a.json() for a in answers] == [{"caller": "alice"}, {"caller": "bob"}]
    assert len(checked) == 2 + 2  # one check per accepted request; a refused token is never remembered
    assert refused.status_code == 401


class CountingVerifier(TokenVerifier):
    """The plain verifier (no memory of tokens), counting what it verifies."""

    def __init__(self) -> None:
        super().__init__(load_public_key(PAIR.public_pem), audience=ServiceAudience.INCIDENTS)
        self.verified: list[str] = []

    def verify(self, token: str) -> Principal:
        self.verified.append(token)
        return super().verify(token)


async def test_the_route_takes_the_caller_the_edge_verified_so_each_request_verifies_its_token_once() -> None:
    """Issue 11: the rate limiter's verification is handed on to the route (lean or FastAPI's), not repeated."""
    verifier = CountingVerifier()
    app = FastAPI()
    install_access(app, verifier=verifier)
    install_edge(app, EdgeLimits())

    @app.post("/commands")
    async def command(principal: CallerDep) -> dict[str, str | None]:
        return {"caller": principal.user_id, "token": principal.token_id}

    @app.post("/pupils/{pupil_ref}/notes")
    async def note(request: Request, pupil_ref: UUID, principal: CallerDep, headers: HeadersDep) -> JSONResponse:
        return JSONResponse({"caller": principal.user_id, "lean": "ap_lean_call" in request.scope})

    install_lean_posts(app)
    alice, bob, forged = token("alice"), token("bob"), _forged()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://edge") as client:
        plain = await client.post("/commands", headers={"Authorization": f"Bearer {alice}"})
        lean = await client.post(f"/pupils/{uuid4()}/notes", headers={"Authorization": f"Bearer {bob}"})
        refused = await client.post(f"/pupils/{uuid4()}/notes", headers={"Authorization": f"Bearer {forged}"})
    assert plain.json()["caller"] == "alice" and lean.json() == {"caller": "bob", "lean": True}
    assert refused.status_code == 401
    # A refused token is verified again by the route (nothing of it is kept), and refused again.
    assert verifier.verified == [alice, bob, forged, forged]


def test_a_caller_kept_for_another_token_or_by_another_verifier_is_not_taken() -> None:
    verifier, stranger = CountingVerifier(), CountingVerifier()
    app = FastAPI()
    install_access(app, verifier=verifier)
    scope: dict[str, Any] = {"type": "http", "app": app, "method": "POST", "path": "/", "headers": [],
                             "client": ("192.0.2.1", 5000)}
    alice = token("alice")
    remember_verified(scope, verifier, alice, verifier.verify(alice))
    bob = token("bob")
    assert verified_principal(Request(scope), bob).user_id == "bob"  # this request's token, verified
    with pytest.raises(HTTPException) as refused:
        verified_principal(Request(scope), _forged())
    assert refused.value.status_code == 401
    impostor = verifier.verify(token("mallory"))
    remember_verified(scope, stranger, alice, impostor)  # kept by a verifier that is not the app's
    assert verified_principal(Request(scope), alice).user_id == "alice"
    assert len(verifier.verified) == 5 and stranger.verified == []


def _forged() -> str:
    return TokenIssuer(load_private_key(generate_keypair().private_pem)).mint(
        user_id="mallory", organisation_id="school-1", org_kind=OrgKind.HOME_SCHOOL,
        roles=(Role.HOME_SCHOOL_STAFF,), audience=ServiceAudience.INCIDENTS)
