"""JSON Schema of the contracts, and readable validation errors.

The committed schemas under ``contracts/schemas/`` are what other teams and tools read; they are
generated from the pydantic models (``python -m ap_contracts generate``) so code and schema can
never disagree. Each event schema is self-contained (its nested models in ``$defs``) and says on
the wire where it belongs: ``x-event-type``, ``x-schema-version``, ``x-topic`` and
``x-pii-subject-field``. Every personal top-level property carries ``x-personal`` and is described
as it travels, a sealed value, with its plaintext schema under ``x-plaintext`` (``ap_contracts.wire``).
"""

from __future__ import annotations

import json
from pathlib import Path, PurePosixPath
from typing import Any, TypedDict

from pydantic import BaseModel, ValidationError

from ap_contracts.envelope import EventEnvelope
from ap_contracts.events.base import DomainEvent, registered_events
from ap_contracts.personal import PERSONAL_SCHEMA_KEY, personal_fields
from ap_contracts.wire import wire_schema

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_BASE_URI = "https://ap-platform.example/schemas/"
CONTRACTS_DIR = Path(__file__).resolve().parent.parent
SCHEMAS_DIR = CONTRACTS_DIR / "schemas"
ENVELOPE_SCHEMA_FILE = PurePosixPath("envelope.json")
CONTRACT_EVENTS_PACKAGE = "ap_contracts.events."

EventKey = tuple[str, int]


def contract_events() -> dict[EventKey, type[DomainEvent]]:
    """Every event declared in ``ap_contracts.events``, by (event type, schema version).

    Tests and benchmarks may declare throwaway events elsewhere; those share the registry but
    are not contracts, so they get no schema file.
    """
    import ap_contracts.events.catalogue  # noqa: F401  (loads every contract module)

    return {
        key: model
        for key, model in sorted(registered_events().items())
        if model.__module__.startswith(CONTRACT_EVENTS_PACKAGE)
    }


def event_schema_path(topic: str, event_type: str, schema_version: int) -> PurePosixPath:
    """Where an event version's schema lives, relative to the schemas directory."""
    return PurePosixPath(topic) / f"{event_type}.v{schema_version}.json"


def event_schema(model: type[DomainEvent]) -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of one event version's payload as on the wire, with its wire metadata.

    Personal properties are sealed values there; ``ap_contracts.wire.plaintext_schema`` gives the
    payload as ``ap_runtime.privacy`` reveals it.
    """
    schema = model.model_json_schema(mode="validation")
    _mark_personal_properties(model, schema)
    schema = wire_schema(schema)
    relative = event_schema_path(model.topic, model.event_type, model.schema_version)
    schema.update(
        {
            "$schema": JSON_SCHEMA_DIALECT,
            "$id": SCHEMA_BASE_URI + str(relative),
            "title": model.event_type,
            "x-event-type": model.event_type,
            "x-schema-version": model.schema_version,
            "x-topic": model.topic,
            "x-pii-subject-field": model.pii_subject_field,
        }
    )
    return schema


def envelope_schema() -> dict[str, Any]:
    """JSON Schema of the envelope that wraps every stored and published event."""
    schema = EventEnvelope.model_json_schema(mode="validation")
    schema.update(
        {
            "$schema": JSON_SCHEMA_DIALECT,
            "$id": SCHEMA_BASE_URI + str(ENVELOPE_SCHEMA_FILE),
            "title": "EventEnvelope",
        }
    )
    return schema


def _mark_personal_properties(model: type[BaseModel], schema: dict[str, Any]) -> None:
    # For ``FamilyContactText | None`` or ``list[...]`` pydantic writes the marker inside the
    # anyOf branch or the items; readers (and the codec's documentation) look at the property.
    properties: dict[str, Any] = schema.get("properties", {})
    for name, record_class in personal_fields(model).items():
        info = model.model_fields[name]
        properties[info.alias or name][PERSONAL_SCHEMA_KEY] = record_class.value


def render_json(schema: dict[str, Any]) -> str:
    """Byte-stable text of a schema: sorted keys, two-space indent, trailing newline."""
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


class FieldProblem(TypedDict):
    """One invalid field, in words an API client can act on."""

    field: str
    problem: str


WHOLE_OBJECT = "<root>"
_SCALAR_TAGS = frozenset(
    {"int", "str", "float", "bool", "bytes", "uuid", "decimal", "none", "list", "dict", "tuple", "set",
     "frozenset", "literal", "enum", "url", "json", "any"}
)


def describe_validation_error(exc: ValidationError) -> list[FieldProblem]:
    """Each invalid field once, as a dotted path (``threshold.metric``, ``items[2].name``) with its problem.

    The offending input is never repeated back: it may be personal data. When pydantic tried
    several members of a union, their messages are joined under the one field. Errors about the
    object as a whole (a rule across fields, unreadable JSON) are reported on ``WHOLE_OBJECT``.
    Union-member tags are told from field names by shape (see ``_is_union_member_tag``), so a
    dict key that looks like a type name or starts with a capital is left out of the path.
    """
    problems: dict[str, list[str]] = {}
    for error in exc.errors(include_url=False, include_input=False):
        field = _field_path(error["loc"])
        messages = problems.setdefault(field, [])
        if error["msg"] not in messages:
            messages.append(error["msg"])
    return [FieldProblem(field=field, problem="; or ".join(msgs)) for field, msgs in problems.items()]


def _field_path(loc: tuple[int | str, ...]) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif not _is_union_member_tag(part):
            path = f"{path}.{part}" if path else part
    return path or WHOLE_OBJECT


def _is_union_member_tag(part: str) -> bool:
    # Pydantic inserts the tried member into ``loc`` for unions: 'int', 'constrained-str',
    # 'list[int]', 'function-after[...]' or a model class name. Contract field names are
    # snake_case, so none of those shapes can be a field.
    return (
        part in _SCALAR_TAGS
        or "[" in part
        or "-" in part
        or part[:1].isupper()
    )
