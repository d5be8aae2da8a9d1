"""``ap_runtime.http.service_api.guarded_api``: a service API assembled once for the services that repeated
it (issue 10, "Copies"): dependencies kept, tokens verified with their verifier, the service's problem
handlers, the edge middleware and its routes. Unit level (the guard audits to memory)."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import FastAPI

from ap_contracts.envelope import OrgKind
from ap_runtime.access import AccessGuard, Role, TokenIssuer, TokenVerifier, generate_keypair
from ap_runtime.access.fastapi import CallerDep
from ap_runtime.access.keys import load_private_key, load_public_key
from ap_runtime.access.tokens import ServiceAudience
from ap_runtime.http.edge import HttpEdge
from ap_runtime.http.service_api import guarded_api
from ap_testing.memory_audit import MemoryAuditLog

KEYS = generate_keypair()
ISSUER = TokenIssuer(load_private_key(KEYS.private_pem), audience=ServiceAudience.REPORTING)


class Deps:
    def __init__(self) -> None:
        self.verifier = TokenVerifier(load_public_key(KEYS.public_pem), audience=ServiceAudience.REPORTING)
        self.guard = AccessGuard(MemoryAuditLog())
        self.closed = False

    async def close(self) -> None:
        self.closed = True


def _app(deps: Deps | None, opened: list[Deps] | None = None) -> tuple[FastAPI, list[str]]:
    steps: list[str] = []

    async def open_deps() -> Deps:
        assert opened is not None
        opened.append(Deps())
        return opened[-1]

    def keep(app: FastAPI, ready: Deps) -> None:
        app.state.kept = ready

    def routes(app: FastAPI) -> None:
        steps.append("routes")

        @app.get("/v1/whoami")
        async def whoami(caller: CallerDep) -> dict[str, Any]:
            return {"user_id": caller.user_id, "kept": app.state.kept is not None}

    return guarded_api("AP test", deps, open_deps, keep, problems=lambda app: steps.append("problems"),
                       routes=routes), steps


async def test_ready_dependencies_are_kept_and_their_verifier_checks_every_token() -> None:
    deps = Deps()
    app, steps = _app(deps)
    token = ISSUER.mint(user_id="u1", organisation_id="la-1", org_kind=OrgKind.LOCAL_AUTHORITY,
                        roles=[Role.LA_OFFICER])

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        anonymous = await client.get("/v1/whoami")
        known = await client.get("/v1/whoami", headers={"Authorization": f"Bearer {token}"})

    assert anonymous.status_code == 401
    assert known.status_code == 200 and known.json() == {"user_id": "u1", "kept": True}
    assert app.state.kept is deps and app.state.ap_access.verifier is deps.verifier
    assert steps == ["problems", "routes"]
    assert [getattr(m.cls, "__name__", None) for m in app.user_middleware] == [HttpEdge.__name__]
    assert (app.title, app.version) == ("AP test", "1")


async def test_dependencies_opened_at_startup_are_kept_with_their_access_and_closed_at_shutdown() -> None:
    opened: list[Deps] = []
    app, _ = _app(None, opened)

    async with app.router.lifespan_context(app):
        assert app.state.kept is opened[0] and app.state.ap_access.verifier is opened[0].verifier
    assert opened[0].closed
