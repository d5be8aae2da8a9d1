"""The notifications API's own refusals, in the one problem format (``ap_runtime.http.problems``).

A refusal of the notifications domain names its rule; its status comes from its kind (404 never
recorded, 403 reserved to the receiving DSL, 409 conflicts with what is recorded): it is made on the shared
refusal template and answered by the shared handler. Subject access without a personal-data codec is 503.
Routes raise; only this module and the shared one make problem documents.
"""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import FastAPI

from ap_runtime.http.problems import Problem, Translator, install_problem_handlers


class SubjectAccessUnavailable(Exception):
    """This process holds no personal-data codec, so it cannot reveal what it holds about a pupil."""


def unavailable_problem(error: Exception) -> Problem:
    return Problem(503, "unavailable", "Service unavailable", str(error))


TRANSLATORS: Mapping[type[Exception], Translator] = {SubjectAccessUnavailable: unavailable_problem}


def install_notifications_problems(app: FastAPI) -> None:
    install_problem_handlers(app, TRANSLATORS)
