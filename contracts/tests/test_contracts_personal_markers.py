"""The Personal marker is found wherever it sits in a field's type, and shown on the property."""

from __future__ import annotations

from typing import Annotated, ClassVar

import pytest

from ap_contracts.envelope import StrictModel
from ap_contracts.events.base import DomainEvent
from ap_contracts.personal import (
    PERSONAL_SCHEMA_KEY,
    BehaviourNarrative,
    FamilyContactText,
    Personal,
    RecordClass,
    SafeguardingNarrative,
    personal_fields,
)
from ap_contracts.schema_tools import event_schema
from ap_contracts.topics import INCIDENTS_EVENTS


class Nested(StrictModel):
    label: str


class Shapes(StrictModel):
    plain: BehaviourNarrative
    optional: FamilyContactText | None = None
    listed: list[SafeguardingNarrative] = []
    tupled: tuple[BehaviourNarrative, ...] = ()
    marked_optional: Annotated[str | None, Personal(RecordClass.SEN_HEALTH)] = None
    optional_list: list[FamilyContactText] | None = None
    not_personal: str = ""
    nested: Nested | None = None


def test_personal_fields_are_found_in_optionals_and_collections() -> None:
    assert personal_fields(Shapes) == {
        "plain": RecordClass.BEHAVIOUR,
        "optional": RecordClass.FAMILY_CONTACT,
        "listed": RecordClass.SAFEGUARDING,
        "tupled": RecordClass.BEHAVIOUR,
        "marked_optional": RecordClass.SEN_HEALTH,
        "optional_list": RecordClass.FAMILY_CONTACT,
    }


def test_a_field_with_two_record_classes_is_refused() -> None:
    class Ambiguous(StrictModel):
        both: BehaviourNarrative | FamilyContactText

    with pytest.raises(TypeError, match="one personal record class"):
        personal_fields(Ambiguous)


class _ShapesIdentity:
    # From a mixin so this throwaway event is not registered (see DomainEvent.__init_subclass__).
    event_type: ClassVar[str] = "ContractsTestShapesNoted"
    topic: ClassVar[str] = INCIDENTS_EVENTS


class ShapesNoted(_ShapesIdentity, DomainEvent):
    optional: FamilyContactText | None = None
    listed: list[SafeguardingNarrative] = []
    plain: BehaviourNarrative


def test_the_schema_marks_each_personal_property_itself() -> None:
    properties = event_schema(ShapesNoted)["properties"]
    assert properties["optional"][PERSONAL_SCHEMA_KEY] == "family_contact"
    assert properties["listed"][PERSONAL_SCHEMA_KEY] == "safeguarding"
    assert properties["plain"][PERSONAL_SCHEMA_KEY] == "behaviour"
