"""Read an event's clear fields only: every personal field as None, as an erased value reads.

Issue 10, "Copies": the notifications alert worker, the reporting projection and the incidents
retention job each had a copy. They decide on clear fields only and must never hold a narrative,
so they never open the personal-data codec. Every personal field of a contract is nullable (None is
how an erased value reads), so the clear fields alone still make a valid model of the event.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ap_contracts.events.base import DomainEvent, UnknownEventType, event_model
from ap_contracts.events.catalogue import load_all
from ap_contracts.personal import personal_fields
from ap_contracts.upcasting import upcast
from ap_runtime.projection.checked_payload import TextCheckedPayload, validator_without_text_walk

load_all()


def clear_payload(event_type: str, schema_version: int, payload: Mapping[str, Any]) -> dict[str, Any]:
    """The payload with each personal field of its contract set to None (sealed or not)."""
    personal = personal_fields(event_model(event_type, schema_version))
    return {name: None if name in personal else value for name, value in payload.items()}


def clear_event(event_type: str, schema_version: int, payload: Mapping[str, Any]) -> DomainEvent | None:
    """The event at its latest version (upcasters) with personal fields None, or None for an event with no contract.

    Keys starting with ``_`` (envelope extras) are left out. A payload that does not match its own
    contract raises (pydantic ``ValidationError``): the projection runner dead-letters it where an
    operator sees it, rather than dropping an alert or a count. A ``TextCheckedPayload`` (a projection
    runner's decoded payload) is not walked for unstorable text a second time; an upcast one still is.
    """
    try:
        model = event_model(event_type, schema_version)
    except UnknownEventType:
        return None
    clear = clear_payload(event_type, schema_version, {k: v for k, v in payload.items() if not k.startswith("_")})
    latest, upcast_payload = upcast(event_type, schema_version, clear)
    if latest == schema_version:
        if isinstance(payload, TextCheckedPayload):  # the envelope decode walked this text already
            checked: DomainEvent = validator_without_text_walk(model).validate_python(clear)
            return checked
        return model.model_validate(clear)
    # Read as the latest version, and cleared by its contract too: a field an older version kept in clear and the
    # newer one seals (``PlacementStarted.looked_after_by``) reads None here as well.
    return event_model(event_type, latest).model_validate(clear_payload(event_type, latest, upcast_payload))
