"""Personal-data marking for contract fields.

One mechanism, decided once: a field that identifies a pupil or family member, or holds
special-category or free-text narrative content, is annotated with ``Personal(RecordClass.X)``.
The marker shows up in the generated JSON Schema as ``"x-personal": "<record class>"`` and the
runtime encrypts every marked field with the pupil's data key before the event is stored or
published (crypto-shredding). Events carry pupils by ``pupil_ref``: a random pseudonymous UUID,
never a name or UPN.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from typing import Annotated, Any, TypeVar, get_args, get_origin

from pydantic import BaseModel, Field
from pydantic.fields import FieldInfo


class RecordClass(StrEnum):
    """Retention and access class of a personal field (STATUTORY.md, data protection)."""

    PUPIL_IDENTITY = "pupil_identity"
    BEHAVIOUR = "behaviour"
    EXCLUSION = "exclusion"
    SAFEGUARDING = "safeguarding"
    SEN_HEALTH = "sen_health"
    FAMILY_CONTACT = "family_contact"


PERSONAL_SCHEMA_KEY = "x-personal"


@dataclass(frozen=True, slots=True)
class Personal:
    """Marker placed in ``Annotated[...]`` metadata of a personal field."""

    record_class: RecordClass

    def __get_pydantic_json_schema__(self, core_schema: Any, handler: Any) -> dict[str, Any]:
        schema: dict[str, Any] = handler(core_schema)
        schema[PERSONAL_SCHEMA_KEY] = self.record_class.value
        return schema


T = TypeVar("T")

# Convenience aliases for the common shapes; use ``Annotated[T, Personal(...)]`` for others.
PupilIdentityText = Annotated[str, Personal(RecordClass.PUPIL_IDENTITY), Field(min_length=1, max_length=200)]
BehaviourNarrative = Annotated[str, Personal(RecordClass.BEHAVIOUR), Field(max_length=10_000)]
ExclusionNarrative = Annotated[str, Personal(RecordClass.EXCLUSION), Field(max_length=10_000)]
SafeguardingNarrative = Annotated[str, Personal(RecordClass.SAFEGUARDING), Field(max_length=20_000)]
SenHealthText = Annotated[str, Personal(RecordClass.SEN_HEALTH), Field(max_length=10_000)]
FamilyContactText = Annotated[str, Personal(RecordClass.FAMILY_CONTACT), Field(max_length=500)]


def personal_marker(field: FieldInfo) -> Personal | None:
    """The ``Personal`` marker of a pydantic field, or None when the field is not personal.

    The marker counts wherever it sits in the field's own type: directly on the field
    (``BehaviourNarrative``), inside an optional (``FamilyContactText | None``) or inside a
    collection (``list[FamilyContactText]``). Pydantic keeps only the outermost ``Annotated``
    metadata in ``field.metadata``, so the annotation is searched too; otherwise an optional
    personal field would be stored in clear. Nested models are not searched: they must not hold
    personal data at all (a contract test enforces that).
    """
    found = {*(m for m in field.metadata if isinstance(m, Personal)), *_markers_in(field.annotation)}
    if len(found) > 1:
        classes = sorted(m.record_class.value for m in found)
        raise TypeError(f"a field may carry one personal record class, found {classes}")
    return next(iter(found), None)


def _markers_in(annotation: Any) -> Iterator[Personal]:
    """Markers in ``Annotated`` metadata anywhere in a type, without entering nested models."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return
    if get_origin(annotation) is Annotated:
        inner, *metadata = get_args(annotation)
        yield from (m for m in metadata if isinstance(m, Personal))
        yield from _markers_in(inner)
        return
    for arg in get_args(annotation):
        yield from _markers_in(arg)


def personal_fields(model: type[BaseModel]) -> dict[str, RecordClass]:
    """Top-level personal fields of a model, by field name.

    Personal data lives in top-level scalar or list fields of an event payload so that the
    runtime can encrypt it without knowing each event's shape; nested models must not hold it
    (a contract test enforces that).
    """
    return dict(_personal_fields_of(model))


@cache
def _personal_fields_of(model: type[BaseModel]) -> tuple[tuple[str, RecordClass], ...]:
    # Cached: the codec asks once per sealed or revealed event, and a model's fields never change.
    found: list[tuple[str, RecordClass]] = []
    for name, info in model.model_fields.items():
        marker = personal_marker(info)
        if marker is not None:
            found.append((name, marker.record_class))
    return tuple(found)
