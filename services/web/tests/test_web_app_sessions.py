"""The web application in process, no servers: cookies (secure, HttpOnly, SameSite), CSRF on every form
(WEB-CSRF-1) and pages that need a signed-in person."""

from __future__ import annotations

import base64
import json
import re
import time

import httpx
import pytest
from fastapi.testclient import TestClient
from itsdangerous import TimestampSigner
from pydantic import SecretStr

from ap_runtime.access import TokenIssuer, generate_keypair
from ap_runtime.access.keys import load_private_key
from ap_web.app import create_app, moment_in_words
from ap_web.entrypoints.settings import WebSettings

SETTINGS = WebSettings(oidc_issuer="http://localhost:9", oidc_client_id="ap-web",
                       oidc_client_secret=SecretStr("secret"),
                       incidents_url="http://127.0.0.1:9", session_secret=SecretStr("test-session-secret"))


@pytest.fixture
def client() -> TestClient:
    issuer = TokenIssuer(load_private_key(generate_keypair().private_pem))
    return TestClient(create_app(SETTINGS, issuer), base_url="https://testserver", follow_redirects=False)


def form_token(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page's form carries no CSRF token"
    return found.group(1)


def test_the_session_cookie_is_secure_http_only_and_same_site(client: TestClient) -> None:
    start = client.get("/")
    assert start.status_code == 200 and "Sign in" in start.text
    cookie = start.headers["set-cookie"].lower()
    assert cookie.startswith("ap_session=")
    assert "; secure" in cookie and "; httponly" in cookie and "samesite=lax" in cookie
    assert start.headers["cache-control"] == "no-store"


@pytest.mark.parametrize("path", ["/sign-in", "/sign-out", "/incidents/new", "/incidents/check"])
def test_a_form_without_the_sessions_token_changes_nothing(client: TestClient, path: str) -> None:
    token = form_token(client.get("/").text)
    for sent in ({}, {"csrf_token": token[::-1]}):
        refused = client.post(path, data=sent)
        assert refused.status_code == 403, (path, sent)
        assert "Your form could not be sent" in refused.text
        assert "location" not in refused.headers  # no redirect to the provider, nothing recorded


def test_the_sessions_token_lets_the_sign_in_form_through_to_the_provider(client: TestClient) -> None:
    token = form_token(client.get("/").text)
    # The provider at SETTINGS.oidc_issuer is not running: passing the CSRF check means trying to reach it.
    with pytest.raises(httpx.ConnectError):
        client.post("/sign-in", data={"csrf_token": token})


@pytest.mark.parametrize("path", ["/incidents/new", "/incidents/check",
                                  "/pupils/6f1c1b7e-3f7e-4a53-9d2e-2a8a7d1f0c11/behaviour-log"])
def test_pages_of_the_service_need_a_signed_in_person(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 303 and response.headers["location"] == "/"


def session_cookie(content: dict[str, object]) -> str:
    """A session as the server itself signs it (Starlette's format), for a person signed in earlier."""
    data = base64.b64encode(json.dumps(content).encode())
    return TimestampSigner(SETTINGS.session_secret.get_secret_value()).sign(data).decode()


PERSON = {"sub": "staff-north", "name": "staff-north", "org": "provision-demo-north", "org_kind": "provision",
          "roles": ["provision_staff"]}


def test_a_signed_in_person_idle_past_the_timeout_is_signed_out(client: TestClient) -> None:
    recent = time.time() - SETTINGS.idle_timeout_seconds + 60
    client.cookies.set("ap_session", session_cookie({"person": PERSON, "seen": recent}))
    assert client.get("/incidents/new").status_code == 200  # still within the timeout

    idle = time.time() - SETTINGS.idle_timeout_seconds - 1
    client.cookies.clear()
    client.cookies.set("ap_session", session_cookie({"person": PERSON, "seen": idle}))
    response = client.get("/incidents/new")
    assert response.status_code == 303 and response.headers["location"] == "/"
    start = client.get("/")
    assert "You were signed out because you did not use the service for a while." in start.text
    assert "Signed in as" not in start.text


def test_sign_out_clears_the_session(client: TestClient) -> None:
    client.cookies.set("ap_session", session_cookie({"person": PERSON, "seen": time.time()}))
    page = client.get("/incidents/new")
    assert "Signed in as staff-north" in page.text
    signed_out = client.post("/sign-out", data={"csrf_token": form_token(page.text)})
    assert "You have signed out" in signed_out.text
    assert client.get("/incidents/new").status_code == 303


def test_moments_are_written_as_gov_uk_writes_them_on_the_school_clock() -> None:
    assert moment_in_words("2026-06-10T17:05:00+00:00") == "10 June 2026, 6:05pm"  # BST
    assert moment_in_words("2026-12-05T00:30:00+00:00") == "5 December 2026, 12:30am"  # GMT
    assert moment_in_words("not a moment") == "not a moment"
