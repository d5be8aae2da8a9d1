"""The journeys of the web service, each an independent module; ``create_app`` includes every one listed here.

How to add a journey (one role's pages):

1. Router: ``ap_web/journeys/<role>.py`` with ``router = APIRouter()`` and its routes. A route takes
   ``web: Web`` (``ap_web.context``: pages, settings, drafts, ``web.client("finance")`` ...) and
   ``person: Person`` (``ap_web.session``: signed in, else the start page); a form handler takes
   ``form: CheckedForm`` first (its CSRF token is checked before anything else, WEB-CSRF-1). Call the
   service as the person (``await web.client("incidents").get(path, person)``); show its refusals with
   ``ap_web.refusals`` (``refusal_page`` for 401/403/404/5xx, ``problem_errors`` for field errors;
   templates get ``error_links`` and ``error_messages`` for the GOV.UK error summary and fields).
   A question page with its check-your-answers page and confirmation is a declaration, not four routes:
   ``add_question_page(router, QuestionPage(...))`` (``ap_web.question_pages``: the draft, CSRF, the checks,
   the service call, its refusals by their fields); so is a one-page form sent at once (``check_path=None``:
   one decision, one button, a button on each row of a list with ``send_path``).
   Answers in progress go in ``web.save_draft / load_draft / discard_draft`` under the journey's name,
   never in the session cookie. The module ends with ``JOURNEY = Journey(router, tasks=(Task(href, text,
   roles, hint), ...), template_globals={...})``: each task is a navigation entry and a start-page task
   for those roles.
2. Templates: ``ap_web/templates/<role>/<page>.html``, each ``{% extends "layout.html" %}`` setting ``title``
   (and ``column = "full"`` for a wide one) and filling ``{% block page %}``; a page with a form whose problems it
   shows ``{% extends "question_layout.html" %}`` and fills ``{% block question %}`` (the error summary and
   ``error_of`` are the layout's); rendered with ``web.pages.render(request, "<role>/<page>.html", **context)``.
3. Test: ``services/web/tests/test_web_<role>*.py``; the browser fixtures and helpers (platform, chromium,
   sign-in, axe-core and screenshots: ``web_platform``, ``browser``, ``check_page``, ``signed_in_page``)
   are in ``testing/ap_testing/web.py``, the fixtures exposed by ``services/web/tests/conftest.py``.
4. Add the module's name below (one line).
"""

from __future__ import annotations

import importlib

from ap_web.context import Journey

JOURNEYS: tuple[str, ...] = (
    "ap_web.journeys.incident",
    "ap_web.journeys.staff",
    "ap_web.journeys.register",
    "ap_web.journeys.finance",
    "ap_web.journeys.commissioner",
    "ap_web.journeys.commissioner_register",
    "ap_web.journeys.dsl",
    "ap_web.journeys.dsl_transfer",
    "ap_web.journeys.dsl_transfer_list",
    "ap_web.journeys.dsl_break_glass",
    "ap_web.journeys.home_school",
    "ap_web.journeys.dpo",
    "ap_web.journeys.partnership",
    "ap_web.journeys.commissioner_cases",
    "ap_web.journeys.commissioner_exclusions",
    "ap_web.journeys.home_school_exclusions",
)


def load_journeys() -> list[Journey]:
    """Each listed module's ``JOURNEY``; a module without one stops the process at start, naming it."""
    journeys: list[Journey] = []
    for name in JOURNEYS:
        journey = getattr(importlib.import_module(name), "JOURNEY", None)
        if not isinstance(journey, Journey):
            raise TypeError(f"{name} declares no JOURNEY = Journey(...) (see ap_web.journeys)")
        journeys.append(journey)
    return journeys
