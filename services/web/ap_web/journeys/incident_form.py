"""The record-an-incident question page: what the form asks and how its answers are checked.

Rule WEB-FORM-1 (GOV.UK error pattern): each missing or malformed answer is reported against its
field in plain English, and nothing is sent to the incidents service until every answer is valid.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from ap_contracts.events.pupil_vocabulary import IncidentCategory, IncidentLocation, IncidentTrigger, Severity
from ap_web.pages import SCHOOL_CLOCK
from ap_web.refusals import FieldError


def words(value: str) -> str:
    """An enumeration value in words: ``verbal_abuse`` -> ``Verbal abuse``."""
    return value.replace("_", " ").replace("-", " ").capitalize()


#: Each question's answers: the value sent to the service -> the words shown.
CHOICES: dict[str, dict[str, str]] = {
    "category": {item.value: words(item.value) for item in IncidentCategory},
    "severity": {str(item.value): words(item.name.lower()) for item in Severity},
    "location": {item.value: words(item.value) for item in IncidentLocation},
    "triggers": {item.value: words(item.value) for item in IncidentTrigger},
}


def _uuid_error(answers: Mapping[str, Any], name: str, label: str) -> FieldError | None:
    try:
        uuid.UUID(str(answers.get(name, "")))
    except ValueError:
        return FieldError(name, f"Enter the {label} as shown on the pupil's record")
    return None


def check_answers(answers: Mapping[str, Any]) -> list[FieldError]:
    """Every problem with the answers, in page order (empty when they may be sent)."""
    errors: list[FieldError] = []
    for name, label in (("pupil_ref", "pupil reference"), ("placement_id", "placement reference")):
        problem = _uuid_error(answers, name, label)
        if problem:
            errors.append(problem)
    try:
        happened = datetime.fromisoformat(f"{answers.get('happened_on', '')}T{answers.get('happened_time', '')}")
        if happened > datetime.now():
            errors.append(FieldError("happened_on", "The date the incident happened must be today or in the past"))
    except ValueError:
        errors.append(FieldError("happened_on", "Enter the date and time the incident happened"))
    for name, label in (("category", "what kind of incident it was"), ("severity", "how serious it was"),
                        ("location", "where it happened")):
        if answers.get(name) not in CHOICES[name]:
            errors.append(FieldError(name, f"Select {label}"))
    triggers = answers.get("triggers") or []
    if not triggers or any(item not in CHOICES["triggers"] for item in triggers):
        errors.append(FieldError("triggers", "Select at least one trigger"))
    if not str(answers.get("description", "")).strip():
        errors.append(FieldError("description", "Enter what happened"))
    return errors


#: Where a rule refusal of the incidents service belongs on the question page (the error summary links there).
RULE_FIELDS = {
    "record.within_placement": "happened_on",
    "record.not_in_future": "happened_on",
    "placement.exists": "placement_id",
    "placement.closed_after_end": "placement_id",
}


def happened_at(answers: Mapping[str, Any]) -> str:
    """The moment the incident happened, as staff gave it on the school clock, with its UTC offset."""
    local = datetime.fromisoformat(f"{answers['happened_on']}T{answers['happened_time']}")
    return local.replace(tzinfo=SCHOOL_CLOCK).isoformat()


def command_body(answers: Mapping[str, Any], staff_id: str) -> dict[str, Any]:
    """The incidents service's RecordIncident body from checked answers (one command id per submission)."""
    return {
        "command_id": str(answers["command_id"]),
        "placement_id": answers["placement_id"],
        "incident_id": str(answers["incident_id"]),
        "happened_at": happened_at(answers),
        "category": answers["category"],
        "severity": int(answers["severity"]),
        "location": answers["location"],
        "triggers": list(answers["triggers"]),
        "description": answers["description"],
        "staff_involved": [staff_id],
    }


def choice_items(name: str, selected: str | list[str]) -> list[dict[str, Any]]:
    """A question's answers as GOV.UK radios, checkboxes or select items, the chosen ones marked."""
    chosen = {selected} if isinstance(selected, str) else set(selected)
    return [{"value": value, "text": text, "checked": value in chosen, "selected": value in chosen}
            for value, text in CHOICES[name].items()]
