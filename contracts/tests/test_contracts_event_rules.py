"""Rules every event contract keeps: past-tense names, known topics, integer money, personal data
only at the top level, and pupils referenced by a pseudonymous UUID."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Annotated, Any, ClassVar, get_args, get_origin
from uuid import UUID

import pytest
from pydantic import BaseModel

from ap_contracts.asyncapi import event_topic_names
from ap_contracts.envelope import StrictModel
from ap_contracts.events.base import DomainEvent
from ap_contracts.personal import (
    PERSONAL_SCHEMA_KEY,
    BehaviourNarrative,
    FamilyContactText,
    personal_fields,
    personal_marker,
)
from ap_contracts.schema_tools import contract_events, event_schema

EVENTS = contract_events()
EVENT_IDS = [f"{t}.v{v}" for t, v in EVENTS]

# Past participles that do not end in "-ed"; extend when a new event needs one.
IRREGULAR_PAST = frozenset(
    {"Sent", "Set", "Made", "Held", "Paid", "Given", "Taken", "Withdrawn", "Written", "Drawn", "Begun",
     "Spent", "Met", "Kept", "Left", "Shown", "Upheld", "Overridden", "Undone", "Chosen", "Won", "Lost",
     "Read", "Run", "Put", "Cut", "Shut", "Split", "Frozen", "Sought", "Brought", "Built", "Seen", "Done"}
)
# Whole event names accepted as facts although their last word is not a participle, with the reason.
FACT_NAMES = {
    "RecordWithdrawnInError": "participle followed by a qualifier",
    "SafeguardingFileTransferOverdue": "the transfer became overdue: detected on a date",
}
MONEY_NAME = re.compile(r"amount|pence|cost|balance|total", re.IGNORECASE)
VERSION_SUFFIX = re.compile(r"V\d+$")


def last_word(pascal_case: str) -> str:
    words = re.findall(r"[A-Z][a-z0-9]*", pascal_case)
    return words[-1] if words else pascal_case


def is_past_tense(name: str) -> bool:
    name = VERSION_SUFFIX.sub("", name)
    return name.endswith("ed") or last_word(name) in IRREGULAR_PAST or name in FACT_NAMES


def leaf_types(annotation: Any) -> Iterator[Any]:
    """The types inside an annotation (through Annotated, unions and collections)."""
    if get_origin(annotation) is Annotated:
        yield from leaf_types(get_args(annotation)[0])
        return
    args = get_args(annotation)
    if not args:
        yield annotation
    for arg in args:
        yield from leaf_types(arg)


def nested_models(model: type[BaseModel], seen: set[type[BaseModel]] | None = None) -> Iterator[type[BaseModel]]:
    """Every model reachable from a model's fields, at any depth."""
    seen = set() if seen is None else seen
    for info in model.model_fields.values():
        for leaf in leaf_types(info.annotation):
            if isinstance(leaf, type) and issubclass(leaf, BaseModel) and leaf not in seen:
                seen.add(leaf)
                yield leaf
                yield from nested_models(leaf, seen)


def all_fields(model: type[BaseModel]) -> Iterator[tuple[str, str, Any]]:
    """(owner, field name, annotation) for the model's own fields and its nested models' fields."""
    for owner in (model, *nested_models(model)):
        for name, info in owner.model_fields.items():
            yield owner.__name__, name, info.annotation


def test_contract_events_are_loaded() -> None:
    assert ("NotificationSent", 1) in EVENTS


@pytest.mark.parametrize("model", EVENTS.values(), ids=EVENT_IDS)
def test_event_is_named_in_the_past_tense(model: type[DomainEvent]) -> None:
    assert is_past_tense(model.__name__), f"{model.__name__}: name events as facts in the past tense"
    assert is_past_tense(model.event_type), f"{model.event_type}: event_type must be past tense"
    assert re.fullmatch(r"[A-Z][A-Za-z0-9]*", model.event_type), "event_type is PascalCase"


def test_past_tense_rule_itself() -> None:
    assert is_past_tense("IncidentRecorded")
    assert is_past_tense("NotificationSent")
    assert is_past_tense("BudgetLineSet")
    assert is_past_tense("PlacementStartedV2")
    assert not is_past_tense("RecordIncident")
    assert not is_past_tense("SendNotification")


@pytest.mark.parametrize("model", EVENTS.values(), ids=EVENT_IDS)
def test_event_travels_on_a_declared_event_topic(model: type[DomainEvent]) -> None:
    assert model.topic in event_topic_names(), f"{model.event_type}: topic {model.topic!r} not in topics.py"


def float_money(model: type[BaseModel]) -> list[str]:
    return [
        f"{owner}.{name}: money is integer pence (ap_contracts.money.Pence), not {bad}"
        for owner, name, annotation in all_fields(model)
        if MONEY_NAME.search(name) and (bad := [t for t in leaf_types(annotation) if t in (float, Decimal)])
    ]


def nested_personal_data(model: type[BaseModel]) -> list[str]:
    return [
        f"{nested.__name__}.{name} is personal inside a nested model; the codec encrypts top-level "
        "fields only, so move it to the event itself"
        for nested in nested_models(model)
        for name, info in nested.model_fields.items()
        if personal_marker(info) is not None
    ]


def pii_subject_problems(model: type[BaseModel]) -> list[str]:
    field: str | None = getattr(model, "pii_subject_field", None)
    if field is None:
        if personal_fields(model):
            return [f"personal fields {sorted(personal_fields(model))} but no pii_subject_field to encrypt them"]
        return []
    if field not in model.model_fields:
        return [f"pii_subject_field {field!r} is not a field"]
    types = set(leaf_types(model.model_fields[field].annotation)) - {type(None)}
    return [] if types == {UUID} else [f"{field} must be a UUID (pupil_ref), not {types}"]


@pytest.mark.parametrize("model", EVENTS.values(), ids=EVENT_IDS)
def test_money_is_never_a_float(model: type[DomainEvent]) -> None:
    assert float_money(model) == []


@pytest.mark.parametrize("model", EVENTS.values(), ids=EVENT_IDS)
def test_personal_data_is_only_in_top_level_fields(model: type[DomainEvent]) -> None:
    assert nested_personal_data(model) == []
    schema = event_schema(model)
    assert PERSONAL_SCHEMA_KEY not in str(schema.get("$defs", {})), "x-personal inside $defs"
    for name, record_class in personal_fields(model).items():
        assert schema["properties"][name][PERSONAL_SCHEMA_KEY] == record_class.value


@pytest.mark.parametrize("model", EVENTS.values(), ids=EVENT_IDS)
def test_pii_subject_is_a_pseudonymous_uuid_when_personal_data_is_present(model: type[DomainEvent]) -> None:
    assert pii_subject_problems(model) == []


# The checks themselves, on hand-made bad models (not DomainEvent subclasses: nothing is registered).


DeliberatelyFloat = float


class Line(StrictModel):
    note: BehaviourNarrative
    cost_pence: DeliberatelyFloat  # the rule under test: money typed as float is refused


class BadEvent(StrictModel):
    pii_subject_field: ClassVar[str | None] = "pupil_name"

    pupil_name: str
    lines: list[Line]
    total: Decimal
    contact: FamilyContactText | None = None


class PersonalWithoutSubject(StrictModel):
    contact: FamilyContactText


def test_the_checks_catch_bad_models() -> None:
    assert sorted(float_money(BadEvent)) == [
        "BadEvent.total: money is integer pence (ap_contracts.money.Pence), not [<class 'decimal.Decimal'>]",
        "Line.cost_pence: money is integer pence (ap_contracts.money.Pence), not [<class 'float'>]",
    ]
    assert [problem.split(" ")[0] for problem in nested_personal_data(BadEvent)] == ["Line.note"]
    assert pii_subject_problems(BadEvent) == ["pupil_name must be a UUID (pupil_ref), not {<class 'str'>}"]
    assert pii_subject_problems(PersonalWithoutSubject) == [
        "personal fields ['contact'] but no pii_subject_field to encrypt them"
    ]


@pytest.mark.parametrize("model", EVENTS.values(), ids=EVENT_IDS)
def test_personal_fields_accept_none_so_erased_events_still_load(model: type[DomainEvent]) -> None:
    # After crypto-shredding the codec reveals every personal field as None.
    required = [name for name in personal_fields(model)
                if type(None) not in set(leaf_types(model.model_fields[name].annotation))]
    assert required == [], f"{model.event_type}: personal fields {required} must accept None"
