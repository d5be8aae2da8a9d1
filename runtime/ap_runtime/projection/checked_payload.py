"""A payload whose text the envelope decode already checked, and contract validation that trusts it.

Rule served (issue 9, "Input and transport"): no text holding a NUL or an unpaired surrogate is
accepted anywhere; every contract model walks its raw input for such text (``ap_contracts.text``).
A projection's record passes that check once, when its envelope is decoded (``decoding.py``: the
walk, or the byte test that proves the walk cannot refuse). Readers of clear fields then validate
the payload again as its event (``ap_runtime.privacy.clear_fields``), and the second walk was about
half of the reporting facts projection's Python per event (issue 11: a rebuild at 50,000 events/s).

So the runner hands projections the decoded payload as a ``TextCheckedPayload``: the type itself says
the check was made. A payload built anywhere else (a test, a revealed copy, a job reading the store)
is a plain dict and keeps the walk. Only the text walk is left out of the trusting validator: every
field, constraint and model validator of the contract still runs, and an instance of the contract's
own class comes out.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from pydantic import BaseModel
from pydantic_core import CoreConfig, SchemaValidator

from ap_contracts.text import TextGuardedModel


class TextCheckedPayload(dict[str, Any]):
    """An envelope's payload that passed the envelope decode's text check (see the module)."""

    __slots__ = ()


_TEXT_WALK = TextGuardedModel.__dict__["_refuse_unstorable_text"].__func__


def _is_text_walk(node: dict[str, Any]) -> bool:
    function = node.get("function")
    wrapped = function.get("function") if isinstance(function, dict) else None
    return node.get("type") == "function-wrap" and getattr(wrapped, "__func__", None) is _TEXT_WALK


def _without_text_walk(node: Any) -> Any:
    """A copy of core schema ``node`` with each text-walk wrapper replaced by the schema it wraps.

    Only dicts and lists are copied; classes and functions in the schema are shared, so the model
    class built is the contract's own.
    """
    if isinstance(node, list):
        return [_without_text_walk(item) for item in node]
    if not isinstance(node, dict):
        return node
    if _is_text_walk(node):
        inner = dict(_without_text_walk(node["schema"]))
        if "ref" in node:  # a reference to the wrapper now names what it wrapped
            inner["ref"] = node["ref"]
        return inner
    return {key: _without_text_walk(value) for key, value in node.items()}


@cache
def validator_without_text_walk(model: type[BaseModel]) -> SchemaValidator:
    """``model``'s validator minus the text walk, for input whose text is already known storable."""
    # Titled as the contract's validator, so an error reads "validation error for <event>" as before.
    title = model.__pydantic_validator__.title
    return SchemaValidator(_without_text_walk(model.__pydantic_core_schema__), CoreConfig(title=title))
