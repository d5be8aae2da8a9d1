"""The schema of what is on the wire: a personal field is a sealed value, its plaintext kept for reference.

Rule served (issue 10, contracts a non-Python consumer can use): the committed JSON Schemas describe
the records as Kafka and the event store hold them, so any JSON Schema validator accepts every record.
Before an event is stored, each personal field (``x-personal``) is sealed with its pupil's data key
(``ap_runtime.privacy.codec``), whatever its declared type: a date, an enum, a boolean, a list or a
500-character text all travel as one ``pd1:`` string, longer than its plaintext. So a personal
property's wire schema is "a sealed value" (``#/$defs/SealedValue``), or null when its plaintext may
be null (absence is not sealed). Its plaintext schema, what ``ap_runtime.privacy`` reveals for an
authorised reader, stays under ``x-plaintext``; ``x-personal`` stays on the property.

Erasure does not change the wire: it destroys the pupil's key and leaves every sealed value as it was
(crypto-shredding: topics and the store are append-only), so an erased value is a ``pd1:`` string
that no key opens any more; readers through ``ap_runtime.privacy`` get null for it.

Both transforms here are pure functions of a schema and idempotent, so they also read committed
files written before the wire form existed (the breaking-change check compares both views).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from ap_contracts.personal import PERSONAL_SCHEMA_KEY

SEALED_VALUE_PREFIX = "pd1:"
PLAINTEXT_SCHEMA_KEY = "x-plaintext"
SEALED_VALUE_DEF = "SealedValue"
SEALED_VALUE_REF = f"#/$defs/{SEALED_VALUE_DEF}"
# The smallest sealed value: a 12-byte nonce, one byte of JSON and the 16-byte GCM tag (29 bytes)
# take 40 base64 characters.
_SMALLEST_SEALED_BASE64 = 40
SEALED_VALUE_SCHEMA: dict[str, Any] = {
    "type": "string",
    "title": "Sealed personal value",
    "description": (
        "A personal value as stored and published: 'pd1:' followed by the standard base64 of a 12-byte "
        "nonce, the AES-256-GCM ciphertext of the value's JSON text (the schema under the property's "
        "x-plaintext) and the 16-byte tag. It is sealed with the data key of the pupil the envelope's "
        "pii_subject names, bound to that pupil, the field name and the event type. After the pupil's "
        "data is erased (PupilDataErased) the value stays exactly as it was, but its key no longer exists."
    ),
    "minLength": len(SEALED_VALUE_PREFIX) + _SMALLEST_SEALED_BASE64,
    "pattern": "^pd1:(?:[A-Za-z0-9+/]{4})+(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$",
}
# Kept on the property beside the sealed value: they describe the field, not its plaintext type.
_KEPT_ANNOTATIONS = ("title", "description")


def wire_schema(schema: Mapping[str, Any]) -> dict[str, Any]:
    """The event schema as on the wire: every ``x-personal`` property becomes a sealed value.

    A property that already holds ``x-plaintext`` is left as it is (the transform is idempotent).
    """
    wire = copy.deepcopy(dict(schema))
    properties: dict[str, Any] = wire.get("properties", {})
    sealed_any = False
    for name, prop in list(properties.items()):
        if PERSONAL_SCHEMA_KEY in prop:
            sealed_any = True
            if PLAINTEXT_SCHEMA_KEY not in prop:
                properties[name] = _sealed_property(prop)
    if sealed_any:
        definitions: dict[str, Any] = wire.setdefault("$defs", {})
        existing = definitions.get(SEALED_VALUE_DEF)
        if existing is not None and existing != SEALED_VALUE_SCHEMA:
            raise ValueError(f"$defs/{SEALED_VALUE_DEF} is taken by another model; rename that model")
        definitions[SEALED_VALUE_DEF] = copy.deepcopy(SEALED_VALUE_SCHEMA)
    return wire


def plaintext_schema(schema: Mapping[str, Any]) -> dict[str, Any]:
    """The event schema after decryption: each sealed property's ``x-plaintext`` back in its place."""
    plain = copy.deepcopy(dict(schema))
    properties: dict[str, Any] = plain.get("properties", {})
    for name, prop in list(properties.items()):
        if PLAINTEXT_SCHEMA_KEY in prop:
            properties[name] = {**prop[PLAINTEXT_SCHEMA_KEY], PERSONAL_SCHEMA_KEY: prop[PERSONAL_SCHEMA_KEY]}
    definitions = plain.get("$defs")
    if isinstance(definitions, dict):
        definitions.pop(SEALED_VALUE_DEF, None)
        if not definitions:
            del plain["$defs"]
    return plain


def _sealed_property(plaintext: Mapping[str, Any]) -> dict[str, Any]:
    reference = {k: v for k, v in plaintext.items() if k != PERSONAL_SCHEMA_KEY}
    sealed: dict[str, Any] = {k: plaintext[k] for k in _KEPT_ANNOTATIONS if k in plaintext}
    sealed[PERSONAL_SCHEMA_KEY] = plaintext[PERSONAL_SCHEMA_KEY]
    sealed[PLAINTEXT_SCHEMA_KEY] = reference
    if _accepts_null(plaintext):
        sealed["anyOf"] = [{"$ref": SEALED_VALUE_REF}, {"type": "null"}]
        # A null default stays null on the wire; any other default would be sealed, so it is not shown.
        if "default" in plaintext and plaintext["default"] is None:
            sealed["default"] = None
    else:
        sealed["$ref"] = SEALED_VALUE_REF
    return sealed


def _accepts_null(schema: Mapping[str, Any]) -> bool:
    declared = schema.get("type")
    if declared == "null" or (isinstance(declared, list) and "null" in declared):
        return True
    branches = schema.get("anyOf") or schema.get("oneOf") or ()
    return any(isinstance(branch, Mapping) and _accepts_null(branch) for branch in branches)
