"""The GOV.UK frame of every page is drawn once: the page itself (header, navigation, sign-out, its main column,
footer) by ``layout.html``, a question page's (the error summary linking each problem to its field, the problems at
their fields: WEB-FORM-1) by ``question_layout.html``. A page that repeated either would drift from the others (an
error summary without its links, a page without the service's navigation); these tests read the templates."""

from __future__ import annotations

import re
from typing import Any

import pytest
from starlette.requests import Request

from ap_web.journeys import finance
from ap_web.pages import HERE, Pages
from ap_web.refusals import FieldError, error_links, error_messages

TEMPLATES = HERE / "templates"
LAYOUTS = {"layout.html", "question_layout.html"}
#: What only a layout draws: GOV.UK's page parts, the page's main column and the question page's problem summary.
FRAME = re.compile(r"govukHeader|govukFooter|govukServiceNavigation|govukPhaseBanner|govukErrorSummary|<main\b|"
                   r"govuk-width-container|_error_summary|\{% block content %\}|"
                   r'^<div class="govuk-grid-row"><div class="govuk-grid-column-', re.MULTILINE)
PAGES = sorted(str(path.relative_to(TEMPLATES)) for path in TEMPLATES.rglob("*.html")
               if path.name not in LAYOUTS and not path.name.startswith("_"))


def _text(name: str) -> str:
    return (TEMPLATES / name).read_text(encoding="utf-8")


def test_the_pages_are_all_read() -> None:
    assert len(PAGES) > 60 and "finance/sign.html" in PAGES and "dsl/concern.html" in PAGES


@pytest.mark.parametrize("name", PAGES)
def test_each_page_extends_a_layout_and_draws_no_frame_of_its_own(name: str) -> None:
    text = _text(name)
    assert re.match(r'\{% extends "(question_)?layout\.html" %\}\n', text), f"{name} does not extend a layout"
    assert not FRAME.search(text), f"{name} draws part of the frame itself: {FRAME.search(text)}"
    assert re.search(r"\{% block (page|question) %\}", text), f"{name} fills no main column"


@pytest.mark.parametrize("name", [name for name in PAGES if re.search(r"\berrors?\b|error_of", _text(name))])
def test_each_page_showing_problems_is_a_question_page(name: str) -> None:
    assert _text(name).startswith('{% extends "question_layout.html" %}'), name
    assert "{% block question %}" in _text(name) and "{% block content %}" not in _text(name), name


def test_the_question_layout_links_every_problem_to_its_field() -> None:
    frame = _text("question_layout.html")
    assert 'govukErrorSummary({"titleText": "There is a problem", "errorList": error_links(errors)})' in frame
    assert "{% set error_of = error_messages(errors) %}" in frame


def _pages() -> Pages:
    return Pages((), {"error_links": error_links, "error_messages": error_messages,
                      **finance.JOURNEY.template_globals})


def _rendered(name: str, field: str, **context: Any) -> str:
    request = Request({"type": "http", "method": "GET", "path": "/", "headers": [], "query_string": b"",
                       "session": {}})
    page = _pages().render(request, name, errors=[FieldError(field, "Say what is wrong")], **context)
    return bytes(page.body).decode()


ITEM = {"item_id": "i-1", "supplier": "Agency", "evidence_reference": "INV-1", "category": "staffing",
        "funding_source": "dsg_allocation", "amount_pence": 3_500_000, "item_kind": "spend", "signatures_given": []}
VIREMENT = {"virement_id": "v-1", "from_category": "staffing", "to_category": "premises", "state": "requested",
            "funding_source": "top_up", "amount_pence": 1_300_000, "reason": "Roof"}
CONCERN = {"record_id": "r-1", "occurred_at": "2026-12-05T10:00:00+00:00", "details": {"concern": "No coat"}}


@pytest.mark.parametrize(("name", "field", "context"), [
    ("finance/sign.html", "signature", {"item": ITEM}),
    ("finance/close.html", "closed_on", {}),
    ("finance/virements.html", "approve-v-1", {"virements": [VIREMENT], "may_approve": True}),
    ("dsl/concern.html", "action_taken", {"entry": CONCERN, "choice_text": lambda _name, value: str(value)}),
])
def test_a_form_sent_at_once_shows_its_problem_once_linked_to_its_field(name: str, field: str,
                                                                       context: dict[str, Any]) -> None:
    html = _rendered(name, field, provision_id="prov", year="2026-27", pupil_ref="p-1",
                     answers={"command_id": "c-1"}, **context)
    assert html.count('class="govuk-error-summary"') == 1 and f'href="#{field}"' in html
    assert f'id="{field}"' in html and "<title>Error: " in html
    assert html.count('<div class="govuk-grid-row"><div class="govuk-grid-column-') == 1
