"""OpenAPI request bodies of the command endpoints, generated from the pydantic command models.

The body of ``POST /v1/pupils/{pupil_ref}/<path>`` is the command without ``pupil_ref`` (the URL
names the pupil) nor the other fields the path names; the staff register's is the command without
``provision_id``. Nested models and
enums go to ``components/schemas`` so every endpoint refers to one definition.
"""

from collections.abc import Callable
from typing import Any

from ap_incidents.application.catalogue import COMMANDS, CommandSpec

REF_TEMPLATE = "#/components/schemas/{model}"


def body_schema_name(spec: CommandSpec) -> str:
    return f"{spec.name}Body"


def path_field(spec: CommandSpec) -> str:
    return spec.scope_field


def body_schemas() -> dict[str, dict[str, Any]]:
    """Every command body schema and the definitions they refer to, by component name."""
    components: dict[str, dict[str, Any]] = {}
    for spec in COMMANDS.values():
        schema = spec.model.model_json_schema(ref_template=REF_TEMPLATE)
        components.update(schema.pop("$defs", {}))
        dropped = {path_field(spec), *spec.path_fields}
        for name in dropped:
            schema.get("properties", {}).pop(name, None)
        schema["required"] = [name for name in schema.get("required", []) if name not in dropped]
        schema["title"] = body_schema_name(spec)
        components[body_schema_name(spec)] = schema
    return components


def request_body(spec: CommandSpec) -> dict[str, Any]:
    return {"requestBody": {"required": True, "content": {
        "application/json": {"schema": {"$ref": REF_TEMPLATE.format(model=body_schema_name(spec))}}}}}


def path_parameters(spec: CommandSpec) -> dict[str, Any]:
    """OpenAPI parameters for the command fields named in the URL (``spec.path_fields``, and the organisation
    owning a register, which the endpoint reads from the path itself)."""
    names = spec.path_fields if spec.pupil_scoped else (spec.scope_field, *spec.path_fields)
    if not names:
        return {}
    properties = spec.model.model_json_schema(ref_template=REF_TEMPLATE).get("properties", {})
    return {"parameters": [
        {"name": name, "in": "path", "required": True, "schema": properties[name]} for name in names
    ]}


def with_command_bodies(generate: Callable[[], dict[str, Any]]) -> Callable[[], dict[str, Any]]:
    """Wrap FastAPI's ``app.openapi`` so the command body components are part of the document."""

    def openapi() -> dict[str, Any]:
        document = generate()
        document.setdefault("components", {}).setdefault("schemas", {}).update(body_schemas())
        return document

    return openapi
