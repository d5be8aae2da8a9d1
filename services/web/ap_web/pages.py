"""The pages: the Jinja2 environment (our templates and GOV.UK Frontend's macros), its filters, and
``Pages.render`` giving every page what the layout needs (the person, their navigation, the CSRF token).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader, PrefixLoader, select_autoescape

from ap_runtime.access import Role
from ap_web.csrf import FORM_FIELD, csrf_token
from ap_web.session import SESSION_PERSON, signed_in

HERE = Path(__file__).resolve().parent

#: Staff give and read times on the provision's clock: English local time (GMT or BST).
SCHOOL_CLOCK = ZoneInfo("Europe/London")


@dataclass(frozen=True, slots=True)
class Task:
    """A navigation entry and start-page task: where it goes, its words, and the roles that see it."""

    href: str
    text: str
    roles: frozenset[Role]
    hint: str = ""


def moment_in_words(value: object) -> str:
    """An ISO moment as GOV.UK writes dates and times, on the school clock: 5 December 2026, 6:17pm."""
    try:
        moment = datetime.fromisoformat(str(value)).astimezone(SCHOOL_CLOCK)
    except ValueError:
        return str(value)
    return f"{moment.day} {moment:%B %Y}, {moment.hour % 12 or 12}:{moment:%M}{'am' if moment.hour < 12 else 'pm'}"


def date_in_words(value: object) -> str:
    """An ISO date as GOV.UK writes it: 5 December 2026."""
    try:
        day = datetime.fromisoformat(str(value)).date()
    except ValueError:
        return str(value)
    return f"{day.day} {day:%B %Y}"


def _environment(template_globals: Mapping[str, Callable[..., Any]]) -> Environment:
    environment = Environment(
        loader=ChoiceLoader([
            FileSystemLoader(HERE / "templates"),
            PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
        ]),
        autoescape=select_autoescape(["html"]),
    )
    environment.filters["moment"] = moment_in_words
    environment.filters["day"] = date_in_words
    environment.globals.update(template_globals)
    return environment


class Pages:
    """Renders the pages with what every page needs: the person, the tasks their roles see, the CSRF token."""

    def __init__(self, tasks: Sequence[Task] = (), template_globals: Mapping[str, Callable[..., Any]] | None = None
                 ) -> None:
        self._tasks = tuple(tasks)
        self._environment = _environment(template_globals or {})

    def tasks_for(self, request: Request) -> list[Task]:
        person = signed_in(request)
        if person is None:
            return []
        return [task for task in self._tasks if task.roles & set(person.roles)]

    def render(self, request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        body = self._environment.get_template(name).render(
            person=request.session.get(SESSION_PERSON), tasks=self.tasks_for(request), current=request.url.path,
            csrf_field=FORM_FIELD, csrf_token=csrf_token(request.session), **context)
        return HTMLResponse(body, status_code=status, headers={"Cache-Control": "no-store"})
