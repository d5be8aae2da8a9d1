"""The web application in process, on a real PostgreSQL database for its drafts (no other server): cookies
(secure, HttpOnly, SameSite), CSRF on every form (WEB-CSRF-1), pages that need a signed-in person, and the
answers typed about a child kept on the server, never in the cookie (WEB-DRAFT-1)."""

from __future__ import annotations

import base64
import json
import re
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from itsdangerous import TimestampSigner
from pydantic import SecretStr

from ap_runtime.access import TokenIssuer, generate_keypair
from ap_runtime.access.keys import load_private_key
from ap_web.app import create_app
from ap_web.entrypoints.settings import WebSettings
from ap_web.pages import moment_in_words

SETTINGS = WebSettings(oidc_issuer="http://localhost:9", oidc_client_id="ap-web",
                       oidc_client_secret=SecretStr("secret"), dsn="postgresql://unused",
                       incidents_url="http://127.0.0.1:9", session_secret=SecretStr("test-session-secret"))


@pytest.fixture(scope="module")
async def drafts_dsn(new_database: Callable[[str], Any]) -> str:
    dsn: str = await new_database("web_drafts")
    return dsn


@pytest.fixture
def client(drafts_dsn: str) -> Iterator[TestClient]:
    issuer = TokenIssuer(load_private_key(generate_keypair().private_pem))
    settings = SETTINGS.model_copy(update={"dsn": drafts_dsn})
    with TestClient(create_app(settings, issuer), base_url="https://testserver", follow_redirects=False) as client:
        yield client


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


SAMPLE_REF = "0b8f3f8e-51a6-4f0c-9d3e-6c1b7f2a9e44"
#: The one-page forms sent at once (``ap_web.question_pages``): checked like every other form.
SENT_AT_ONCE = [f"/safeguarding/pupils/{SAMPLE_REF}/concerns/{SAMPLE_REF}", "/finance/prov/2026-27/year-end/close",
                f"/finance/prov/2026-27/items/{SAMPLE_REF}/sign",
                f"/finance/prov/2026-27/virements/{SAMPLE_REF}/approve"]


@pytest.mark.parametrize("path", ["/sign-in", "/sign-out", "/incidents/new", "/incidents/check", *SENT_AT_ONCE])
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


def decoded_session(response: httpx.Response) -> str:
    """The session cookie a response sets, as anyone holding the browser reads it: signed, not encrypted."""
    value = response.cookies["ap_session"]
    data = TimestampSigner(SETTINGS.session_secret.get_secret_value()).unsign(value, max_age=3600)
    return base64.b64decode(data).decode()


def test_answers_about_a_child_wait_on_the_server_never_in_the_cookie(client: TestClient) -> None:
    client.cookies.set("ap_session", session_cookie({"person": PERSON, "seen": time.time()}))
    page = client.get("/incidents/new")
    description = "Threw a chair near the window during maths"
    pupil_ref = "6f1c1b7e-3f7e-4a53-9d2e-2a8a7d1f0c11"
    answers = {"csrf_token": form_token(page.text), "pupil_ref": pupil_ref,
               "placement_id": "7a2d2c8f-4f8e-4b64-8e3f-3b9b8e2f1d22", "happened_on": "2026-03-02",
               "happened_time": "10:15", "category": "verbal_abuse_to_adult", "severity": "2", "location": "classroom",
               "triggers": ["peer_conflict"], "description": description}
    sent = client.post("/incidents/new", data=answers)
    assert sent.status_code == 303 and sent.headers["location"] == "/incidents/check"
    cookie = decoded_session(sent)
    assert description not in cookie and "Threw" not in cookie and "pupil_ref" not in cookie
    assert pupil_ref not in cookie and "classroom" not in cookie
    assert set(json.loads(cookie)) <= {"person", "seen", "csrf", "draft"}
    check = client.get("/incidents/check")  # the same session finds its answers on the server
    assert check.status_code == 200 and description in check.text

    # Another session (another browser, another draft id) does not see them; after sign-out they are gone.
    mine = sent.cookies["ap_session"]
    client.cookies.clear()
    client.cookies.set("ap_session", session_cookie({"person": PERSON, "seen": time.time(), "draft": "guessed"}))
    assert client.get("/incidents/check").headers["location"] == "/incidents/new"
    client.cookies.clear()
    client.cookies.set("ap_session", mine)
    client.post("/sign-out", data={"csrf_token": form_token(check.text)})
    client.cookies.clear()
    client.cookies.set("ap_session", session_cookie({"person": PERSON, "seen": time.time(),
                                                     "draft": json.loads(cookie)["draft"]}))
    assert client.get("/incidents/check").headers["location"] == "/incidents/new"


@pytest.mark.parametrize(("roles", "check", "question"), [
    (["provision_staff"], "/incidents/check", "/incidents/new"),
    (["dsl"], "/safeguarding/transfers/check", "/safeguarding/transfers/new")])
def test_a_check_page_without_answers_goes_back_to_its_question(client: TestClient, roles: list[str], check: str,
                                                                question: str) -> None:
    """A declared question page's check address is its own (``/safeguarding/transfers/{transfer_id}`` does not
    take it) and, with no answers waiting, sends the person back to the question."""
    client.cookies.set("ap_session", session_cookie({"person": {**PERSON, "roles": roles}, "seen": time.time()}))
    page = client.get(check)
    assert page.status_code == 303 and page.headers["location"] == question


def test_the_start_page_lists_only_the_tasks_of_the_persons_roles(client: TestClient) -> None:
    client.cookies.set("ap_session", session_cookie({"person": PERSON, "seen": time.time()}))
    staff_start = client.get("/").text
    assert 'href="/incidents/new"' in staff_start and "Your tasks" in staff_start
    finance = {**PERSON, "sub": "finance-la", "org": "la-demo", "org_kind": "local_authority",
               "roles": ["finance_officer"]}
    client.cookies.clear()
    client.cookies.set("ap_session", session_cookie({"person": finance, "seen": time.time()}))
    assert 'href="/incidents/new"' not in client.get("/").text


def test_a_service_that_cannot_be_reached_shows_the_service_problem_page(client: TestClient) -> None:
    client.cookies.set("ap_session", session_cookie({"person": PERSON, "seen": time.time()}))
    for path in ("/pupils", "/register"):
        page = client.get(path)  # the incidents service of SETTINGS is not running
        assert page.status_code == 503 and "Sorry, there is a problem with the service" in page.text, path


@pytest.mark.parametrize("path", ["/pupils/not-a-reference/behaviour-log", "/pupils/42/record/sanction",
                                  "/incidents/new?pupil=nobody"])
def test_a_malformed_address_is_the_page_not_found_naming_nothing(client: TestClient, path: str) -> None:
    client.cookies.set("ap_session", session_cookie({"person": PERSON, "seen": time.time()}))
    page = client.get(path)
    assert page.status_code == 404 and "Page not found" in page.text
    assert "not-a-reference" not in page.text and "nobody" not in page.text
