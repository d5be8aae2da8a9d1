"""The commissioning API's refusals in the one problem format (``ap_runtime.http.problems``): a refused command
names its rule and answers with the status of its kind. Commissioning's refusals and the calendar's (a wait
counted in school days over an academic year the LA's calendar does not record is refused with
``calendar.recorded``, never guessed) are made on the shared template and answered by the shared handler, as are
invalid bodies, access refusals and bad tokens."""

from __future__ import annotations

from fastapi import FastAPI

from ap_runtime.http.problems import install_problem_handlers


def install_commissioning_problems(app: FastAPI) -> None:
    install_problem_handlers(app)
