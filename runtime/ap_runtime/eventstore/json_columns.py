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
