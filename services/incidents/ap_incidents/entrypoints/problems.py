"""The incidents API's own refusals, in the one problem format (``ap_runtime.http.problems``).

Domain refusals keep their rule id; their status comes from their kind (422 breaks a rule, 409
conflicts with the record, 403 reserved to another party). A body that is not a valid command is
422 ``invalid-request`` with each field and its problem. Access denials, bad tokens and the rest are
the shared handlers'.
"""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import FastAPI

from ap_incidents.application.parsing import InvalidCommandBody
from ap_incidents.domain.errors import DomainError
from ap_runtime.http.problems import (
    STATUS_OF_KIND,
    Problem,
    Translator,
    install_problem_handlers,
    invalid_request,
)
from ap_runtime.http.problems import refusal_problem as domain_problem  # the shared template's own answer


def status_of(error: DomainError) -> int:
    """The status a domain refusal answers with, over HTTP and on the Kafka command channel alike."""
    return STATUS_OF_KIND[error.kind]


def invalid_body_problem(error: Exception) -> Problem:
    if not isinstance(error, InvalidCommandBody):
        raise error
    return invalid_request(list(error.problems))


TRANSLATORS: Mapping[type[Exception], Translator] = {
    DomainError: domain_problem,
    InvalidCommandBody: invalid_body_problem,
}


def install_incidents_problems(app: FastAPI) -> None:
    install_problem_handlers(app, TRANSLATORS)
