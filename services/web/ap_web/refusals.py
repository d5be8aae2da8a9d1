"""How refusals show: GOV.UK field errors, a not-found page that names nothing, a service-problem page.

Rules served (issue 16): a validation or rule refusal by a service is shown next to the field it concerns,
in the service's own plain words, with nothing stored; a 401/403/404 of a service shows one page for 'not
yours' and 'not there', naming nothing, so it reveals nothing of another organisation's pupils. A 403 is
not always an access refusal: a domain rule reserving the act to another party (e.g. a virement's approval,
never its requester's) answers 403 too, after the access policy let the person act on the record; its problem
``type`` (``ap_runtime.http.problems``) tells the two apart, and only the rule's reason is shown by its field.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from fastapi import Request
from fastapi.responses import HTMLResponse

from ap_runtime.http.problems import problem_type
from ap_web.pages import Pages
from ap_web.service_client import ServiceAnswer


class NotFound(Exception):
    """Raised by a route (or its dependency) for a record that is not there or not the person's: the app
    answers the one not-found page that names nothing."""


@dataclass(frozen=True, slots=True)
class FieldError:
    field: str
    message: str


def error_links(errors: list[FieldError]) -> list[dict[str, str]]:
    """The error summary's list: each problem links to its field (GOV.UK error summary pattern)."""
    return [{"text": error.message, "href": f"#{error.field}"} for error in errors]


def error_messages(errors: list[FieldError]) -> dict[str, dict[str, str]]:
    """Each field's first error as a GOV.UK component's ``errorMessage`` (``error_messages(errors).get(name)``)."""
    found: dict[str, dict[str, str]] = {}
    for error in errors:
        found.setdefault(error.field, {"text": error.message})
    return found


def problem_errors(problem: Mapping[str, object], field_of: Callable[[str], str], rule_fields: Mapping[str, str],
                   default_field: str, fallback: str) -> list[FieldError]:
    """A service's RFC 9457 problem as field errors: each ``errors[].field/problem`` against the page's field
    (``field_of`` maps the service's name to it), else the ``rule`` (``rule_fields``) with its ``detail``."""
    listed = problem.get("errors")
    errors = [FieldError(field_of(str(item.get("field", ""))), str(item.get("problem") or item.get("message") or ""))
              for item in (listed if isinstance(listed, list) else []) if isinstance(item, dict)]
    if errors:
        return errors
    field = rule_fields.get(str(problem.get("rule")), default_field)
    return [FieldError(field, str(problem.get("detail") or fallback))]


def refused(pages: Pages, request: Request) -> HTMLResponse:
    """One page for 'not yours' and 'not there': it names nothing, so it reveals nothing."""
    return pages.render(request, "refused.html", status=404, heading="Page not found",
                        message="If you typed the web address, check it is correct. If you followed a link, "
                                "the record may not be one your organisation can see.")


def service_problem(pages: Pages, request: Request) -> HTMLResponse:
    """The service behind could not answer (e.g. the access audit is down): nothing was done; try later."""
    return pages.render(request, "refused.html", status=503, heading="Sorry, there is a problem with the service",
                        message="Try again later. Nothing you entered has been recorded.")


#: The problem types of a refusal by a domain rule, each with the one status it comes with (the problems
#: table of ``ap_runtime.http.problems``), shown next to its field; every other 401/403/404 (``access-denied``,
#: ``unauthenticated``, ``not-found``, no type, a type with another status) is the not-found page.
RULE_PROBLEM_STATUS: Mapping[str, int] = {problem_type("rule-broken"): 422, problem_type("conflict"): 409,
                                          problem_type("reserved-to-another-party"): 403}


def is_rule_refusal(answer: ServiceAnswer) -> bool:
    """Whether the service refused by a rule of the record's facts (the person's to read), not by access."""
    return RULE_PROBLEM_STATUS.get(str(answer.body.get("type"))) == answer.status


def refusal_page(pages: Pages, request: Request, answer: ServiceAnswer) -> HTMLResponse | None:
    """The page for a service's answer that is neither success nor a correctable refusal (None for those):
    5xx -> the service-problem page; a rule's refusal -> None (its reason goes by its field); 401, 403, 404
    -> not found."""
    if answer.status >= 500:
        return service_problem(pages, request)
    if is_rule_refusal(answer):
        return None
    if answer.status in (401, 403, 404):
        return refused(pages, request)
    return None
