"""The web service's probe address (deploy/k8s/35-web.yaml): it answers without a session and sets no cookie,
so a probe every few seconds makes no session; every other page still needs one (test_web_app_sessions)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from ap_runtime.access import TokenIssuer, generate_keypair
from ap_runtime.access.keys import load_private_key
from ap_web.app import create_app
from ap_web.entrypoints.settings import WebSettings

pytestmark = pytest.mark.unit


def test_the_health_address_answers_ok_with_no_cookie_and_names_nothing() -> None:
    settings = WebSettings(oidc_issuer="http://localhost:9", oidc_client_secret=SecretStr("unused"),
                           dsn="postgresql://unused")
    app = create_app(settings, TokenIssuer(load_private_key(generate_keypair().private_pem)))
    client = TestClient(app, base_url="https://testserver")  # no lifespan: the drafts database is never opened
    answer = client.get("/health")
    assert answer.status_code == 200 and answer.text == "ok"
    assert "set-cookie" not in answer.headers and answer.headers["cache-control"] == "no-store"
    assert client.post("/health").status_code == 405
