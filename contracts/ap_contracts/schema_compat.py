"""Breaking-change checker for JSON Schema: does the new schema still accept what the old one did?

Stored events are never rewritten, so a schema version, once published, must keep accepting every
payload it accepted before. This checker compares two schemas of the same version and lists the
changes that would reject an old payload. It is deliberately small and explicit; it looks at:

- properties: a property that disappears (``property_removed``);
- required: a property that becomes required (``newly_required``);
- type (and string ``format``): a JSON type no longer accepted, ``null`` included (``type_changed``);
- enum / const: a value no longer allowed (``enum_value_removed``), or a free value that becomes
  limited to a list (``values_restricted``).

It follows local ``$ref`` (``#/$defs/...``), ``anyOf`` / ``oneOf`` branches, ``items``,
``prefixItems`` and ``additionalProperties``. Numeric and length bounds, patterns and ``allOf``
with several members are not compared: keep those changes out of a published version.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

Schema = Mapping[str, Any]
ROOT = "<root>"
_ANY_TYPE = "*"


class ChangeKind(StrEnum):
    PROPERTY_REMOVED = "property_removed"
    NEWLY_REQUIRED = "newly_required"
    TYPE_CHANGED = "type_changed"
    ENUM_VALUE_REMOVED = "enum_value_removed"
    VALUES_RESTRICTED = "values_restricted"


@dataclass(frozen=True, slots=True)
class BreakingChange:
    """One way an old payload could now be rejected, at a dotted location in the payload."""

    location: str
    kind: ChangeKind
    detail: str

    def __str__(self) -> str:
        return f"{self.location}: {self.kind.value}: {self.detail}"


def breaking_changes(old: Schema, new: Schema) -> list[BreakingChange]:
    """Changes from ``old`` to ``new`` that make ``new`` reject something ``old`` accepted."""
    return _Comparison(old, new).compare(old, new, "")


class _Comparison:
    def __init__(self, old_root: Schema, new_root: Schema) -> None:
        self._old_root = old_root
        self._new_root = new_root
        self._seen: set[tuple[int, int]] = set()

    def compare(self, old: Schema, new: Schema, location: str) -> list[BreakingChange]:
        old_branches = _branches(old, self._old_root)
        new_branches = _branches(new, self._new_root)
        pair = (id(old), id(new))
        if pair in self._seen:  # a recursive model: this pair is already being compared
            return []
        self._seen.add(pair)
        changes = _type_changes(old_branches, new_branches, location)
        changes += _value_changes(old_branches, new_branches, location)
        for old_object, new_object in _paired(old_branches, new_branches, "object"):
            changes += self._object_changes(old_object, new_object, location)
        for old_array, new_array in _paired(old_branches, new_branches, "array"):
            changes += self._array_changes(old_array, new_array, location)
        return changes

    def _object_changes(self, old: Schema, new: Schema, location: str) -> list[BreakingChange]:
        old_props: Mapping[str, Schema] = old.get("properties", {})
        new_props: Mapping[str, Schema] = new.get("properties", {})
        changes = [
            BreakingChange(_join(location, name), ChangeKind.PROPERTY_REMOVED, "property no longer exists")
            for name in sorted(old_props)
            if name not in new_props
        ]
        newly_required = set(new.get("required", ())) - set(old.get("required", ()))
        changes += [
            BreakingChange(_join(location, name), ChangeKind.NEWLY_REQUIRED, "property is now required")
            for name in sorted(newly_required)
        ]
        for name in sorted(set(old_props) & set(new_props)):
            changes += self.compare(old_props[name], new_props[name], _join(location, name))
        old_extra, new_extra = old.get("additionalProperties", True), new.get("additionalProperties", True)
        if old_extra is not False and new_extra is False:
            changes.append(BreakingChange(location or ROOT, ChangeKind.PROPERTY_REMOVED,
                                          "additional properties are no longer accepted"))
        elif isinstance(old_extra, Mapping) and isinstance(new_extra, Mapping):
            changes += self.compare(old_extra, new_extra, _join(location, "*"))
        return changes

    def _array_changes(self, old: Schema, new: Schema, location: str) -> list[BreakingChange]:
        changes: list[BreakingChange] = []
        old_prefix: list[Schema] = list(old.get("prefixItems", ()))
        new_prefix: list[Schema] = list(new.get("prefixItems", ()))
        for index, (old_item, new_item) in enumerate(zip(old_prefix, new_prefix, strict=False)):
            changes += self.compare(old_item, new_item, f"{location}[{index}]")
        old_items, new_items = old.get("items"), new.get("items")
        if isinstance(old_items, Mapping) and isinstance(new_items, Mapping):
            changes += self.compare(old_items, new_items, f"{location}[]")
        return changes


def _join(location: str, name: str) -> str:
    return f"{location}.{name}" if location else name


def _resolve(schema: Schema, root: Schema) -> Schema:
    """Follow a local ``$ref``; keywords written beside the ``$ref`` win over the target's."""
    seen: set[str] = set()
    while "$ref" in schema:
        ref = schema["$ref"]
        if not isinstance(ref, str) or not ref.startswith("#/") or ref in seen:
            raise ValueError(f"only local, non-circular $ref can be compared, got {ref!r}")
        seen.add(ref)
        target: Any = root
        for token in ref[2:].split("/"):
            target = target[token.replace("~1", "/").replace("~0", "~")]
        schema = {**target, **{k: v for k, v in schema.items() if k != "$ref"}}
    return schema


def _branches(schema: Schema, root: Schema) -> list[Schema]:
    """The alternatives a schema accepts: its anyOf / oneOf members (flattened), or itself."""
    schema = _resolve(schema, root)
    members = schema.get("anyOf") or schema.get("oneOf")
    if not members and len(schema.get("allOf", ())) == 1:
        members = schema["allOf"]
    if not members:
        return [schema]
    return [branch for member in members for branch in _branches(member, root)]


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _types(branch: Schema) -> set[str]:
    declared = branch.get("type")
    if isinstance(declared, str):
        return {declared}
    if isinstance(declared, list):
        return set(declared)
    if "const" in branch:
        return {_json_type(branch["const"])}
    if "enum" in branch:
        return {_json_type(v) for v in branch["enum"]}
    if "properties" in branch:
        return {"object"}
    if "items" in branch or "prefixItems" in branch:
        return {"array"}
    return {_ANY_TYPE}


def _signatures(branches: Iterable[Schema]) -> set[tuple[str, str | None]]:
    """(JSON type, string format) pairs a set of branches accepts."""
    return {(t, branch.get("format") if t == "string" else None) for branch in branches for t in _types(branch)}


def _still_accepted(signature: tuple[str, str | None], new: set[tuple[str, str | None]]) -> bool:
    json_type = signature[0]
    if (_ANY_TYPE, None) in new or (json_type, None) in new or signature in new:
        return True
    return json_type == "integer" and ("number", None) in new


def _describe(signatures: set[tuple[str, str | None]]) -> str:
    return ", ".join(sorted(t if f is None else f"{t} ({f})" for t, f in signatures))


def _type_changes(old: list[Schema], new: list[Schema], location: str) -> list[BreakingChange]:
    old_sigs, new_sigs = _signatures(old), _signatures(new)
    lost = {sig for sig in old_sigs if not _still_accepted(sig, new_sigs)}
    if not lost:
        return []
    detail = f"no longer accepts {_describe(lost)} (was {_describe(old_sigs)}, now {_describe(new_sigs)})"
    return [BreakingChange(location or ROOT, ChangeKind.TYPE_CHANGED, detail)]


def _allowed_values(branches: list[Schema]) -> list[Any] | None:
    """Every non-null value allowed when the branches are enums or consts (null aside); else None.

    ``null`` is left to the type check so a dropped ``| None`` is reported once, as a type change.
    """
    values: list[Any] = []
    limited = False
    for branch in branches:
        if "const" in branch:
            values.append(branch["const"])
            limited = True
        elif "enum" in branch:
            values.extend(v for v in branch["enum"] if v is not None)
            limited = True
        elif _types(branch) != {"null"}:
            return None
    return values if limited else None


def _value_changes(old: list[Schema], new: list[Schema], location: str) -> list[BreakingChange]:
    new_values = _allowed_values(new)
    if new_values is None:
        return []
    old_values = _allowed_values(old)
    where = location or ROOT
    if old_values is None:
        allowed = ", ".join(sorted(map(repr, new_values)))
        return [BreakingChange(where, ChangeKind.VALUES_RESTRICTED, f"now limited to {allowed}")]
    return [
        BreakingChange(where, ChangeKind.ENUM_VALUE_REMOVED, f"value {value!r} is no longer allowed")
        for value in old_values
        if value not in new_values
    ]


def _paired(old: list[Schema], new: list[Schema], json_type: str) -> list[tuple[Schema, Schema]]:
    """Old and new branches of one JSON type to compare in depth.

    One branch each side pairs directly; several (a union of models) pair by ``title``. Branches
    that cannot be paired were already judged by their type.
    """
    old_of_type = [b for b in old if json_type in _types(b)]
    new_of_type = [b for b in new if json_type in _types(b)]
    if len(old_of_type) == 1 and len(new_of_type) == 1:
        return [(old_of_type[0], new_of_type[0])]
    by_title = {b.get("title"): b for b in new_of_type if b.get("title")}
    return [(b, by_title[b["title"]]) for b in old_of_type if b.get("title") in by_title]
