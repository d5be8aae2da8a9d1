"""How a service's refusal shows (unit, no server): a domain rule's refusal is shown by its field whatever its
status, even a 403 (``reserved-to-another-party``); an access refusal, an unknown record or a token refused is
the one not-found page naming nothing; a service down is the service-problem page."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.requests import Request

from ap_runtime.http.problems import problem_type
from ap_web.pages import Pages
from ap_web.refusals import is_rule_refusal, refusal_page
from ap_web.service_client import ServiceAnswer


def page_request() -> Request:
    scope: dict[str, Any] = {"type": "http", "method": "POST", "path": "/finance/x", "headers": [],
                             "query_string": b"", "session": {}}
    return Request(scope)


def answer(status: int, slug: str | None, **members: Any) -> ServiceAnswer:
    body: dict[str, Any] = {"status": status, "detail": "The requester of a virement cannot approve it.", **members}
    if slug is not None:
        body["type"] = problem_type(slug)
    return ServiceAnswer(status, body)


@pytest.mark.parametrize(("status", "slug"), [(403, "reserved-to-another-party"), (409, "conflict"),
                                              (422, "rule-broken")])
def test_a_rule_refusal_is_left_to_the_page_to_show_by_its_field(status: int, slug: str) -> None:
    refusal = answer(status, slug, rule="virement.requester_cannot_approve")
    assert is_rule_refusal(refusal)
    assert refusal_page(Pages(), page_request(), refusal) is None


@pytest.mark.parametrize(("status", "slug"), [(403, "access-denied"), (403, None), (401, "unauthenticated"),
                                              (404, "not-found"), (403, "rule-broken"), (403, "urn:forged")])
def test_an_access_refusal_is_the_not_found_page_naming_nothing(status: int, slug: str | None) -> None:
    refusal = answer(status, slug, rule="access.org_scope", instance="/v1/budgets/prov-north/2026-27")
    assert not is_rule_refusal(refusal)
    page = refusal_page(Pages(), page_request(), refusal)
    assert page is not None and page.status_code == 404
    text = bytes(page.body).decode()
    assert "Page not found" in text
    assert "prov-north" not in text and "requester" not in text and "access.org_scope" not in text


def test_a_rule_type_with_a_status_no_rule_answers_is_not_taken_for_a_rule() -> None:
    """A body's ``type`` alone does not make a rule refusal: a 404 or 401 stays the not-found page."""
    for status in (401, 404):
        page = refusal_page(Pages(), page_request(), answer(status, "reserved-to-another-party"))
        assert page is not None and page.status_code == 404


def test_a_service_down_is_the_service_problem_page() -> None:
    page = refusal_page(Pages(), page_request(), answer(503, "busy"))
    assert page is not None and page.status_code == 503
    assert "Sorry, there is a problem with the service" in bytes(page.body).decode()
