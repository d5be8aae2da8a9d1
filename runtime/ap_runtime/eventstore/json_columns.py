"""The JSON text of an append's ``payload`` and ``actor`` columns, at the least Python cost per event.

Rule served (issue 11, the write path's CPU per event): PostgreSQL parses these columns into ``jsonb``,
so only the values count, never the spacing or the escaping of the text. ``orjson`` writes a payload
several times faster than ``json.dumps``, with the same values, except in two cases that keep
``json.dumps``, so nothing is stored differently or accepted that was refused:

- what orjson refuses (an integer beyond 64 bits, text that is not valid UTF-8);
- an event whose contract has a float anywhere (``RecordAmended``'s JSON values): orjson writes an
  infinite or NaN float as ``null``, where ``json.dumps`` writes ``Infinity``, which PostgreSQL refuses.

An append's events are usually one command's, by one actor: each actor object is rendered once.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import orjson
from pydantic import BaseModel
from pydantic_core import PydanticSerializationError

from ap_contracts.envelope import Actor


def _json_dumps(payload: Mapping[str, Any]) -> str:
    return json.dumps(payload, separators=(",", ":"))


def payload_json(payload: Mapping[str, Any]) -> str:
    """JSON text of one (sealed) payload, a ``model_dump(mode="json")`` of a contract without floats."""
    try:
        return orjson.dumps(payload).decode()
    except TypeError:  # orjson.JSONEncodeError: what json.dumps still writes (a very large integer)
        return _json_dumps(payload)


def payloads_json(models: Sequence[BaseModel], payloads: Sequence[Mapping[str, Any]]) -> list[str]:
    """JSON text of each event's payload; ``json.dumps`` for an event whose contract has a float."""
    return [_json_dumps(payload) if _has_float(type(model)) else payload_json(payload)
            for model, payload in zip(models, payloads, strict=True)]


def plain_payloads_json(models: Sequence[BaseModel]) -> list[str]:
    """JSON text of each model's ``model_dump(mode="json")``, as ``payloads_json`` writes it, from the model itself.

    The values of ``payloads_json``'s for the same payloads: pydantic's JSON mode writes both (the text
    straight from the model costs about a quarter of the dictionary); a contract with a float, or a
    payload pydantic cannot write as JSON, goes through the dictionary as there.
    """
    return [_json_dumps(model.model_dump(mode="json")) if _has_float(type(model)) else _model_json(model)
            for model in models]


def _model_json(model: BaseModel) -> str:
    try:  # the model's serializer, as ``model_dump_json`` calls it with its defaults, less its half of the cost
        return type(model).__pydantic_serializer__.to_json(model).decode()
    except PydanticSerializationError:  # what pydantic will not write: as payload_json writes it
        return payload_json(model.model_dump(mode="json"))


@functools.cache
def _has_float(model: type[BaseModel]) -> bool:
    """Whether a float is anywhere in ``model``'s validation schema (its own fields, nested models, JSON values)."""
    pending: list[Any] = [model.__pydantic_core_schema__]
    while pending:
        item = pending.pop()
        if isinstance(item, dict):
            if item.get("type") == "float":
                return True
            pending.extend(item.values())
        elif isinstance(item, list | tuple):
            pending.extend(item)
    return False


def actors_json(actors: Iterable[Actor]) -> list[str]:
    """JSON text of each actor, each distinct actor object rendered once."""
    rendered: dict[int, str] = {}
    out: list[str] = []
    for actor in actors:
        text = rendered.get(id(actor))
        if text is None:
            text = rendered[id(actor)] = actor.model_dump_json()
        out.append(text)
    return out
