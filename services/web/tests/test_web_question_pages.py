"""The declared question pages (``ap_web.question_pages``) without servers: where a service's refusal lands on
the page, in whose words, and that every page's routes (four; two for a form sent at once; a list's question and
its rows' sends) are the ones an address reaches (a route declared earlier, like
``/safeguarding/transfers/{transfer_id}``, would otherwise take ``/safeguarding/transfers/check``)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

import pytest
from pydantic import SecretStr
from starlette.routing import BaseRoute, Route

from ap_runtime.access import TokenIssuer, generate_keypair
from ap_runtime.access.keys import load_private_key
from ap_web.app import create_app
from ap_web.entrypoints.settings import WebSettings
from ap_web.question_pages import Refusals, field_named
from ap_web.service_client import ServiceAnswer

SETTINGS = WebSettings(oidc_issuer="http://localhost:9", oidc_client_id="ap-web",
                       oidc_client_secret=SecretStr("secret"), dsn="postgresql://unused",
                       session_secret=SecretStr("test-session-secret"))
#: A value each address parameter could take (a UUID fits every one of them).
SAMPLE = "0b8f3f8e-51a6-4f0c-9d3e-6c1b7f2a9e44"


def test_a_service_field_is_mapped_to_the_page_field_it_concerns() -> None:
    mapped = field_named(("action_taken", "concern"), "concern")
    assert mapped("corrected_values.action_taken") == "action_taken"
    assert mapped("errors[0].concern") == "concern"
    assert mapped("raised_at") == "concern"


def test_a_field_asked_under_another_name_lands_on_its_question() -> None:
    mapped = field_named(("amount", "reason"), "reason", {"amount_pence": "amount"})
    assert mapped("amount_pence") == "amount"
    assert mapped("body.amount_pence") == "amount"
    assert mapped("pence") == "reason"


REFUSALS = Refusals(field_named(("category", "concern"), "concern"), "concern", "It could not be recorded.",
                    {"safeguarding.category_known": "category"})


def test_each_listed_error_lands_on_its_field_in_the_service_words_as_a_sentence() -> None:
    answer = ServiceAnswer(422, {"errors": [{"field": "category", "problem": "unknown category"},
                                            {"field": "raised_at", "message": "in the future"}]})
    assert [(e.field, e.message) for e in REFUSALS.errors(answer)] == [
        ("category", "Unknown category"), ("concern", "In the future")]


def test_a_rule_refusal_lands_on_its_rule_field_and_a_wordless_one_says_the_fallback() -> None:
    ruled = ServiceAnswer(422, {"rule": "safeguarding.category_known", "detail": "not a category"})
    assert [(e.field, e.message) for e in REFUSALS.errors(ruled)] == [("category", "Not a category")]
    assert [(e.field, e.message) for e in REFUSALS.errors(ServiceAnswer(409, {}))] == [
        ("concern", "It could not be recorded.")]


def test_the_service_words_are_kept_as_written_when_the_page_says_so() -> None:
    kept = Refusals(field_named(("concern",), "concern"), "concern", "", as_sentences=False)
    assert kept.errors(ServiceAnswer(422, {"detail": "too many slips"}))[0].message == "too many slips"


def _flat(routes: Iterable[BaseRoute]) -> Iterator[Route]:
    """The routes in the order a request tries them (an included router's routes where it is included)."""
    for route in routes:
        if isinstance(route, Route):
            yield route
        elif hasattr(route, "original_router"):
            yield from _flat(route.original_router.routes)


ROUTES = list(_flat(create_app(SETTINGS, TokenIssuer(load_private_key(generate_keypair().private_pem))).routes))
DECLARED = [route for route in ROUTES if "_route.<locals>" in route.endpoint.__qualname__]


#: The one-page forms asked on each row of a list: the list is their question, each row posts to its own address.
ASKED_ON_A_LIST = {
    "/finance/{provision_id}/{year}/virements": "/finance/{provision_id}/{year}/virements/{virement_id}/approve"}


def test_the_declared_question_pages_are_there_each_posting_to_its_own_address() -> None:
    shown = {route.path for route in DECLARED if "GET" in (route.methods or set())}
    posted = {route.path for route in DECLARED if "POST" in (route.methods or set())}
    assert {"/incidents/new", "/incidents/check", "/safeguarding/transfers/new", "/safeguarding/transfers/check",
            "/dpo/pupils/{pupil_ref}/erasure/check", "/pupils/{pupil_ref}/record/{slug}/check"} <= shown
    # Every question and check page is sent back to its own address, but a list's rows, each to its own.
    assert shown - set(ASKED_ON_A_LIST) == posted - set(ASKED_ON_A_LIST.values())
    assert set(ASKED_ON_A_LIST) <= shown and set(ASKED_ON_A_LIST.values()) <= posted
    assert len(DECLARED) == len(shown) + len(posted)


@pytest.mark.parametrize("route", DECLARED, ids=lambda route: f"{sorted(route.methods or [])}{route.path}")
def test_no_earlier_route_takes_a_question_page_address(route: Route) -> None:
    address = re.sub(r"\{[^}]+\}", SAMPLE, route.path)
    method = next(iter(set(route.methods or {"GET"}) - {"HEAD"}))
    first = next(r for r in ROUTES if r.path_regex.match(address) and method in (r.methods or set()))
    assert first is route, f"{method} {address} reaches {first.path} first"


@pytest.mark.parametrize("path", ["/break-glass", "/home-school/board-decision",
                                  "/safeguarding/pupils/{pupil_ref}/concerns/{record_id}",
                                  "/finance/{provision_id}/{year}/year-end/close",
                                  "/finance/{provision_id}/{year}/items/{item_id}/sign"])
def test_a_form_sent_at_once_is_its_question_and_its_send_with_no_check_page(path: str) -> None:
    methods = sorted(method for route in DECLARED if route.path == path for method in (route.methods or set()))
    assert methods == ["GET", "POST"]
    assert not [route for route in DECLARED if route.path.startswith(f"{path}/")]


def test_a_list_s_rows_send_below_it_and_nothing_else_is_asked_there() -> None:
    for listed, send in ASKED_ON_A_LIST.items():
        assert sorted(m for r in DECLARED if r.path == listed for m in (r.methods or set())) == ["GET"]
        assert sorted(m for r in DECLARED if r.path == send for m in (r.methods or set())) == ["POST"]
