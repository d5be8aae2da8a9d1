"""A command from an HTTP request: the JSON body and the URL path's fields, as one model.

Rule served (issue 10, "Copies": finance's command routes and commissioning's need the same parsing; one
module, used by both). The body carries the command without the fields the path names; a body repeating a
path field, a body that is not a JSON object and a model that refuses the values each answer 422 naming the
field (``InvalidRequest``), and nothing is done.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, TypeVar

from fastapi import Request
from pydantic import BaseModel, ValidationError

from ap_contracts.schema_tools import describe_validation_error
from ap_runtime.http.problems import InvalidRequest

__all__ = ["body_schema", "parse_command", "path_fields"]

ModelT = TypeVar("ModelT", bound=BaseModel)


def path_fields(path: str) -> tuple[str, ...]:
    """The ``{name}`` parameters of a route path, in order."""
    return tuple(part.strip("{}") for part in path.split("/") if part.startswith("{") and part.endswith("}"))


def body_schema(model: type[BaseModel], hidden: Iterable[str]) -> dict[str, Any]:
    """The model's JSON Schema without the fields the path gives (for the OpenAPI document)."""
    schema = model.model_json_schema()
    gone = set(hidden)
    schema["properties"] = {k: v for k, v in schema.get("properties", {}).items() if k not in gone}
    schema["required"] = [k for k in schema.get("required", []) if k not in gone]
    return schema


async def parse_command(request: Request, model: type[ModelT], from_path: Iterable[str]) -> ModelT:
    """The command the body and the path make; ``InvalidRequest`` (422) naming each field otherwise."""
    raw = await request.body()
    try:
        body = json.loads(raw) if raw else {}
    except ValueError:
        raise InvalidRequest([{"field": "(body)", "problem": "the body is not valid JSON"}]) from None
    if not isinstance(body, dict):
        raise InvalidRequest([{"field": "(body)", "problem": "the body must be a JSON object"}])
    path_values = {name: request.path_params[name] for name in from_path}
    clashes = sorted(set(body) & set(path_values))
    if clashes:
        raise InvalidRequest([{"field": name, "problem": "given by the URL path; leave it out of the body"}
                              for name in clashes])
    try:
        return model.model_validate({**body, **path_values})
    except ValidationError as error:
        raise InvalidRequest(describe_validation_error(error)) from None
