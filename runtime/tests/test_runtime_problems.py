"""One problem format for every service (issue 10, "One error format"): RFC 9457 bodies with one
``type`` scheme (``urn:ap:problem:<slug>``), ``title``, ``status``, ``detail`` and ``instance``, and
the extension members the services use (``rule``, ``errors``, ``allowed_periods``). Domain errors
carry a refusal kind, never an HTTP status: the status is chosen here, at the edge, in one table.
"""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI, HTTPException
from pydantic import BaseModel

from ap_runtime.http.problems import (
    PROBLEM_MEDIA_TYPE,
    STATUS_OF_KIND,
    Problem,
    install_problem_handlers,
    problem_type,
    refusal,
    title_of,
)
from ap_runtime.refusal import RefusalKind


class VisitorsMustSignIn(Exception):
    """A made-up rule refusal of a made-up service, with the kind the shared table maps."""

    rule_id = "visit.signed_in"
    kind = RefusalKind.CONFLICTS_WITH_RECORD


def _visitor_refused(error: Exception) -> Problem:
    assert isinstance(error, VisitorsMustSignIn)
    return refusal(error.kind, error.rule_id, title_of(type(error)), str(error), allowed_periods=["morning"])


class Visit(BaseModel):
    visitor: str
    minutes: int


def _app() -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app, {VisitorsMustSignIn: _visitor_refused})

    @app.post("/visits/{visit_id}")
    async def visit(visit_id: int, body: Visit) -> dict[str, str]:
        raise VisitorsMustSignIn("sign in at reception first")

    @app.get("/private")
    async def private() -> dict[str, str]:
        raise HTTPException(401, detail={"reason": "missing bearer token"}, headers={"WWW-Authenticate": "Bearer"})

    @app.get("/denied")
    async def denied() -> dict[str, str]:
        raise HTTPException(403, detail={"rule": "LOG-2", "reason": "not this school's pupil"})

    return app


async def _call(method: str, path: str, **kwargs: object) -> httpx.Response:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=_app()), base_url="http://svc") as client:
        return await client.request(method, path, **kwargs)  # type: ignore[arg-type]


def test_every_refusal_kind_has_one_status() -> None:
    assert STATUS_OF_KIND == {RefusalKind.BREAKS_RULE: 422, RefusalKind.CONFLICTS_WITH_RECORD: 409,
                              RefusalKind.RESERVED_TO_ANOTHER_PARTY: 403, RefusalKind.NOT_FOUND: 404}


def test_a_title_is_the_rule_class_name_in_words() -> None:
    assert title_of(VisitorsMustSignIn) == "Visitors must sign in"


async def test_a_rule_refusal_names_its_rule_kind_and_place() -> None:
    response = await _call("POST", "/visits/7", json={"visitor": "V", "minutes": 5})
    assert response.status_code == 409
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    assert response.json() == {
        "type": "urn:ap:problem:conflict", "title": "Visitors must sign in", "status": 409,
        "detail": "sign in at reception first", "instance": "/visits/7", "rule": "visit.signed_in",
        "allowed_periods": ["morning"]}


async def test_an_invalid_body_lists_each_field_by_location_never_its_value() -> None:
    response = await _call("POST", "/visits/x", json={"visitor": "SECRET-NAME"})
    problem = response.json()
    assert response.status_code == 422 and problem["type"] == problem_type("invalid-request")
    assert {e["field"] for e in problem["errors"]} == {"visit_id", "minutes"}
    assert "SECRET-NAME" not in response.text
    assert problem["instance"] == "/visits/x"


async def test_a_missing_token_is_401_unauthenticated_with_its_challenge() -> None:
    response = await _call("GET", "/private")
    assert response.status_code == 401 and response.headers["www-authenticate"] == "Bearer"
    assert response.json() == {"type": "urn:ap:problem:unauthenticated", "title": "Not authenticated",
                               "status": 401, "detail": "missing bearer token", "instance": "/private"}


async def test_an_access_denial_is_403_naming_the_policy_rule() -> None:
    problem = (await _call("GET", "/denied")).json()
    assert (problem["type"], problem["status"], problem["rule"]) == ("urn:ap:problem:access-denied", 403, "LOG-2")


async def test_an_unknown_route_is_a_problem_too() -> None:
    response = await _call("GET", "/nowhere")
    assert response.status_code == 404 and response.json()["type"] == "urn:ap:problem:not-found"


@pytest.mark.parametrize("slug", ["conflict", "body-too-large", "rate-limited"])
def test_every_type_uses_the_one_scheme(slug: str) -> None:
    assert problem_type(slug) == f"urn:ap:problem:{slug}"
