"""Every command API answers its commands on the lean path (issue 11), and exactly as FastAPI would.

Each service's app is built as its process builds it (no database opened), once as it is and once with its lean
route taken out. Every command route of the service's declarations must be on the lean path (a good request
matches it); for each lean route no token and a token for another service, and for each command a body that is
not JSON and a body missing its fields, are answered alike by both apps: status, body and headers. These are all
refused before the handler needs a database; the good ones are compared by each service's API tests, which run on the
lean path. The apps whose POST routes are not of the command shape (notifications, reporting: a body model,
the guard as a dependency) keep every request on FastAPI's path, and their OpenAPI documents are unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import uuid4

import httpx
import pytest
from fastapi import FastAPI
from starlette.routing import Match

from ap_contracts.envelope import OrgKind
from ap_runtime.access import Role, TokenIssuer, TokenVerifier, generate_keypair
from ap_runtime.access.fastapi import install_access
from ap_runtime.access.keys import load_private_key, load_public_key
from ap_runtime.access.tokens import ServiceAudience
from ap_runtime.http.lean_routes import LeanCommandRoutes
from tests.test_http_edge_every_service import finance, incidents, notifications, reporting

PAIR = generate_keypair()
ISSUER = TokenIssuer(load_private_key(PAIR.private_pem))


def commissioning() -> FastAPI:
    from ap_commissioning.entrypoints.api import create_app

    return create_app()


def incidents_commands() -> list[str]:
    from ap_incidents.application.catalogue import COMMANDS

    return [f"/v1{spec.scope_path}/{spec.path}" for spec in COMMANDS.values()]


def finance_commands() -> list[str]:
    from ap_finance.entrypoints.command_routes import BUDGET_PATH, COMMAND_ROUTES

    return [BUDGET_PATH + route.path for route in COMMAND_ROUTES]


def commissioning_commands() -> list[str]:
    from ap_commissioning.domain.declarations import DECLARATIONS

    return [declaration.path for declaration in DECLARATIONS]


def none() -> list[str]:
    return []


# (the app as its process builds it, its command paths, its tokens' audience)
SERVICES: dict[str, tuple[Callable[[], FastAPI], Callable[[], list[str]], ServiceAudience]] = {
    "incidents": (incidents, incidents_commands, ServiceAudience.INCIDENTS),
    "finance": (finance, finance_commands, ServiceAudience.FINANCE),
    "commissioning": (commissioning, commissioning_commands, ServiceAudience.COMMISSIONING),
    "notifications": (notifications, none, ServiceAudience.NOTIFICATIONS),
    "reporting": (reporting, none, ServiceAudience.REPORTING),
}


def token(audience: ServiceAudience) -> str:
    return ISSUER.mint(user_id="staff-1", organisation_id="org-1", org_kind=OrgKind.PROVISION,
                       roles=(Role.PROVISION_STAFF,), audience=audience)


def twins(name: str) -> tuple[FastAPI, FastAPI, LeanCommandRoutes, list[str]]:
    """The app as built, the same app without its lean route, the lean route, and the command paths."""
    build, commands, audience = SERVICES[name]
    app, plain = build(), build()
    for built in (app, plain):
        install_access(built, verifier=TokenVerifier(load_public_key(PAIR.public_pem), audience=audience))
    lean = next(route for route in app.router.routes if isinstance(route, LeanCommandRoutes))
    plain.router.routes[:] = [route for route in plain.router.routes if not isinstance(route, LeanCommandRoutes)]
    return app, plain, lean, commands()


def url_of(template: str) -> str:
    """A request path for a route template: a UUID for an id the path names, a plain word otherwise."""
    parts = [str(uuid4()) if part in ("{pupil_ref}", "{placement_id}") else "2025-26"
             if part == "{financial_year}" else "org-1" if part.startswith("{") else part
             for part in template.split("/")]
    return "/".join(parts)


def seen(response: httpx.Response) -> tuple[int, Any, dict[str, str]]:
    try:
        body: Any = response.json()
    except ValueError:
        body = response.text
    return response.status_code, body, {k: v for k, v in response.headers.items() if k != "date"}


@pytest.mark.parametrize("name", SERVICES)
async def test_every_command_route_is_on_the_lean_path_and_answers_as_fastapi_does(name: str) -> None:
    app, plain, lean, commands = twins(name)
    assert set(commands) <= set(lean.paths)
    assert app.openapi() == plain.openapi()
    audience = SERVICES[name][2]
    good = {"Authorization": f"Bearer {token(audience)}"}
    other = {"Authorization": f"Bearer {token(next(a for a in ServiceAudience if a is not audience))}"}
    async with (httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://a") as ours,
                httpx.AsyncClient(transport=httpx.ASGITransport(app=plain), base_url="http://a") as theirs):
        for template in lean.paths:
            url = url_of(template)
            scope = {"type": "http", "method": "POST", "path": url, "root_path": "",
                     "headers": [(b"authorization", good["Authorization"].encode())]}
            assert lean.matches(scope)[0] is Match.FULL, url
            refused = [({}, b"{}", 401), (other, b"{}", 401)]
            if template in commands:  # a command parses its body before it needs a database
                refused += [(good, b"{not json", 422), (good, b"{}", 422)]
            for headers, body, status in refused:
                answered = await ours.post(url, content=body, headers=headers)
                assert seen(answered) == seen(await theirs.post(url, content=body, headers=headers)), (url, body)
                assert answered.status_code == status, (url, body, answered.text)
