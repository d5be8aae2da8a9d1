"""The breaking-change checker, on hand-made schema pairs: old payloads must stay acceptable."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel

from ap_contracts.schema_compat import BreakingChange, ChangeKind, breaking_changes


def obj(properties: dict[str, Any], required: tuple[str, ...] = (), **extra: Any) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": list(required),
            "additionalProperties": False, **extra}


STRING = {"type": "string"}
INTEGER = {"type": "integer"}
NULL = {"type": "null"}


def kinds(changes: list[BreakingChange]) -> list[tuple[str, ChangeKind]]:
    return [(c.location, c.kind) for c in changes]


def test_identical_schemas_have_no_breaking_change() -> None:
    schema = obj({"a": STRING, "b": INTEGER}, ("a",))
    assert breaking_changes(schema, schema) == []


def test_removed_property_is_breaking() -> None:
    old = obj({"a": STRING, "b": INTEGER}, ("a",))
    new = obj({"a": STRING}, ("a",))
    assert kinds(breaking_changes(old, new)) == [("b", ChangeKind.PROPERTY_REMOVED)]


def test_added_optional_property_is_not_breaking() -> None:
    old = obj({"a": STRING}, ("a",))
    new = obj({"a": STRING, "b": INTEGER}, ("a",))
    assert breaking_changes(old, new) == []


def test_property_becoming_required_is_breaking() -> None:
    old = obj({"a": STRING, "b": INTEGER}, ("a",))
    new = obj({"a": STRING, "b": INTEGER}, ("a", "b"))
    assert kinds(breaking_changes(old, new)) == [("b", ChangeKind.NEWLY_REQUIRED)]


def test_new_required_property_is_breaking() -> None:
    old = obj({"a": STRING}, ("a",))
    new = obj({"a": STRING, "c": STRING}, ("a", "c"))
    assert kinds(breaking_changes(old, new)) == [("c", ChangeKind.NEWLY_REQUIRED)]


def test_required_becoming_optional_is_not_breaking() -> None:
    old = obj({"a": STRING, "b": INTEGER}, ("a", "b"))
    new = obj({"a": STRING, "b": {"anyOf": [INTEGER, NULL], "default": None}}, ("a",))
    assert breaking_changes(old, new) == []


def test_changed_type_is_breaking() -> None:
    old = obj({"a": STRING})
    new = obj({"a": INTEGER})
    changes = breaking_changes(old, new)
    assert kinds(changes) == [("a", ChangeKind.TYPE_CHANGED)]
    assert "no longer accepts string" in changes[0].detail


def test_integer_widened_to_number_is_not_breaking_but_narrowed_is() -> None:
    assert breaking_changes(obj({"a": INTEGER}), obj({"a": {"type": "number"}})) == []
    assert kinds(breaking_changes(obj({"a": {"type": "number"}}), obj({"a": INTEGER}))) == [
        ("a", ChangeKind.TYPE_CHANGED)
    ]


def test_dropping_null_from_an_optional_is_breaking() -> None:
    old = obj({"a": {"anyOf": [STRING, NULL]}})
    new = obj({"a": STRING})
    assert kinds(breaking_changes(old, new)) == [("a", ChangeKind.TYPE_CHANGED)]


def test_changed_string_format_is_breaking_and_dropped_format_is_not() -> None:
    uuid, date = {"type": "string", "format": "uuid"}, {"type": "string", "format": "date"}
    assert kinds(breaking_changes(obj({"a": uuid}), obj({"a": date}))) == [("a", ChangeKind.TYPE_CHANGED)]
    assert breaking_changes(obj({"a": uuid}), obj({"a": STRING})) == []


def test_removed_enum_value_is_breaking_and_added_value_is_not() -> None:
    old = obj({"a": {"type": "string", "enum": ["x", "y"]}})
    assert breaking_changes(old, obj({"a": {"type": "string", "enum": ["x", "y", "z"]}})) == []
    changes = breaking_changes(old, obj({"a": {"type": "string", "enum": ["x"]}}))
    assert kinds(changes) == [("a", ChangeKind.ENUM_VALUE_REMOVED)]
    assert "'y'" in changes[0].detail


def test_free_value_becoming_an_enum_is_breaking() -> None:
    old = obj({"a": STRING})
    new = obj({"a": {"type": "string", "enum": ["x"]}})
    assert kinds(breaking_changes(old, new)) == [("a", ChangeKind.VALUES_RESTRICTED)]


def test_const_change_is_an_enum_value_removed() -> None:
    old = obj({"kind": {"const": "a", "type": "string"}})
    new = obj({"kind": {"const": "b", "type": "string"}})
    assert kinds(breaking_changes(old, new)) == [("kind", ChangeKind.ENUM_VALUE_REMOVED)]


def test_changes_inside_referenced_definitions_are_found_with_their_path() -> None:
    def with_threshold(inner: dict[str, Any]) -> dict[str, Any]:
        return {**obj({"threshold": {"anyOf": [{"$ref": "#/$defs/Threshold"}, NULL]}}),
                "$defs": {"Threshold": inner}}

    old = with_threshold(obj({"metric": STRING, "value": INTEGER}, ("metric",)))
    new = with_threshold(obj({"metric": INTEGER}, ("metric",)))
    assert kinds(breaking_changes(old, new)) == [
        ("threshold.value", ChangeKind.PROPERTY_REMOVED),
        ("threshold.metric", ChangeKind.TYPE_CHANGED),
    ]


def test_enum_in_definitions_losing_a_value_is_found() -> None:
    def schema(values: list[str]) -> dict[str, Any]:
        return {**obj({"channel": {"$ref": "#/$defs/Channel"}}, ("channel",)),
                "$defs": {"Channel": {"type": "string", "enum": values}}}

    assert kinds(breaking_changes(schema(["email", "sms"]), schema(["email"]))) == [
        ("channel", ChangeKind.ENUM_VALUE_REMOVED)
    ]


def test_array_items_are_compared() -> None:
    old = obj({"tags": {"type": "array", "items": STRING}})
    new = obj({"tags": {"type": "array", "items": INTEGER}})
    assert kinds(breaking_changes(old, new)) == [("tags[]", ChangeKind.TYPE_CHANGED)]


def test_tuple_positions_are_compared() -> None:
    old = obj({"pair": {"type": "array", "prefixItems": [STRING, INTEGER]}})
    new = obj({"pair": {"type": "array", "prefixItems": [STRING, STRING]}})
    assert kinds(breaking_changes(old, new)) == [("pair[1]", ChangeKind.TYPE_CHANGED)]


def test_dict_values_are_compared() -> None:
    old = obj({"counts": {"type": "object", "additionalProperties": INTEGER}})
    new = obj({"counts": {"type": "object", "additionalProperties": STRING}})
    assert kinds(breaking_changes(old, new)) == [("counts.*", ChangeKind.TYPE_CHANGED)]


def test_closing_an_open_object_is_breaking() -> None:
    old = {"type": "object", "properties": {"a": STRING}}
    new = obj({"a": STRING})
    assert kinds(breaking_changes(old, new)) == [("<root>", ChangeKind.PROPERTY_REMOVED)]


def test_recursive_schemas_terminate() -> None:
    node = obj({"name": STRING, "children": {"type": "array", "items": {"$ref": "#/$defs/Node"}}})
    schema = {"$ref": "#/$defs/Node", "$defs": {"Node": node}}
    assert breaking_changes(schema, schema) == []


class Colour(StrEnum):
    RED = "red"
    BLUE = "blue"


class NarrowColour(StrEnum):
    RED = "red"


def test_real_pydantic_schemas_are_understood() -> None:
    class Before(BaseModel):
        colour: Colour | None = None
        size: int

    class After(BaseModel):
        colour: NarrowColour | None = None
        size: int
        weight: int

    changes = breaking_changes(Before.model_json_schema(), After.model_json_schema())
    assert kinds(changes) == [("weight", ChangeKind.NEWLY_REQUIRED), ("colour", ChangeKind.ENUM_VALUE_REMOVED)]
    assert str(changes[1]) == "colour: enum_value_removed: value 'blue' is no longer allowed"
