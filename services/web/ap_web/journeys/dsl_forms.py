"""What the DSL, home-school and DPO pages ask, and how their answers are checked before anything is sent.

Rule WEB-FORM-1 (GOV.UK error pattern): each missing or malformed answer is reported against its field in
plain English, and nothing is sent to a service until every answer is valid. The services' own vocabularies
(``ap_contracts``) give the choices, so a page never offers an answer its service would refuse as unknown.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from datetime import date
from enum import StrEnum
from typing import Any

from ap_contracts.events.pupil_vocabulary import SafeguardingCategory
from ap_web.journeys.incident_form import words
from ap_web.refusals import FieldError

#: Each question's answers: the value sent to the service -> the words shown.
CHOICES: dict[str, dict[str, str]] = {
    "category": {item.value: words(item.value) for item in SafeguardingCategory},
    "immediate_risk": {"yes": "Yes", "no": "No"},
}


def vocabulary(values: Iterable[StrEnum]) -> dict[str, str]:
    """An enumeration as a question's answers, in words."""
    return {item.value: words(item.value) for item in values}


def items(answers: Mapping[str, str], selected: object) -> list[dict[str, Any]]:
    """A question's answers as GOV.UK radios or select items, the chosen one marked."""
    return [{"value": value, "text": text, "checked": value == selected, "selected": value == selected}
            for value, text in answers.items()]


def uuid_error(answers: Mapping[str, Any], name: str, label: str) -> FieldError | None:
    """A reference must be one the platform could have given (a UUID), said in words."""
    try:
        uuid.UUID(str(answers.get(name, "")))
    except ValueError:
        return FieldError(name, f"Enter the {label} as shown on the pupil's record, like "
                                "0b8f3f8e-51a6-4f0c-9d3e-6c1b7f2a9e44")
    return None


def text_error(answers: Mapping[str, Any], name: str, message: str, longest: int = 2000) -> FieldError | None:
    value = str(answers.get(name, "")).strip()
    if not value:
        return FieldError(name, message)
    if len(value) > longest:
        return FieldError(name, f"Keep this to {longest} characters or fewer")
    return None


def choice_error(answers: Mapping[str, Any], name: str, choices: Mapping[str, str], message: str
                 ) -> FieldError | None:
    return None if answers.get(name) in choices else FieldError(name, message)


def date_error(answers: Mapping[str, Any], name: str, message: str) -> FieldError | None:
    """A date as the browser's date field sends it (``2026-12-05``)."""
    value = str(answers.get(name, "")).strip()
    if not value:
        return None
    try:
        date.fromisoformat(value)
    except ValueError:
        return FieldError(name, message)
    return None


def found(*problems: FieldError | None) -> list[FieldError]:
    """The problems in page order, without the answers that had none."""
    return [problem for problem in problems if problem is not None]
