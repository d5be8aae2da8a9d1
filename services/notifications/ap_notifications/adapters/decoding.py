"""Read an event's clear fields as its contract model, without its personal data.

The alert worker subscribes without the personal-data codec (it must never hold narrative), so
personal fields reach it sealed. Every personal field of a contract is nullable (None is how an
erased value reads), so setting them to None gives a valid model of exactly the clear fields.
"""

from __future__ import annotations

from typing import Any

from ap_contracts.events.base import DomainEvent, UnknownEventType, event_model
from ap_contracts.events.catalogue import load_all
from ap_contracts.personal import personal_fields

load_all()


def clear_event(event_type: str, schema_version: int, payload: dict[str, Any]) -> DomainEvent | None:
    """The event with personal fields None, or None for an event this service has no contract for.

    A payload that does not match its own contract raises (pydantic ``ValidationError``): the
    projection runner dead-letters it where an operator sees it, rather than dropping an alert.
    """
    try:
        model = event_model(event_type, schema_version)
    except UnknownEventType:
        return None
    personal = personal_fields(model)
    clear = {k: (None if k in personal else v) for k, v in payload.items() if not k.startswith("_")}
    return model.model_validate(clear)
