"""Every contract model refuses text no store can hold (NUL, unpaired surrogates), naming the field
and never repeating the input (issue 9: a NUL in a registration reached the dead-letter topic)."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

import ap_contracts.events.catalogue  # noqa: F401  - loads every event model
from ap_contracts.envelope import Actor, EventEnvelope, StrictModel
from ap_contracts.events.base import registered_events
from ap_contracts.schema_tools import describe_validation_error
from ap_contracts.text import SafeText, TextGuardedModel, is_storable, text_problem, unstorable_text


def envelope(**payload: object) -> dict[str, object]:
    return {"event_type": "Anything", "schema_version": 1, "stream_id": "pupil-1", "stream_version": 1,
            "occurred_at": datetime(2025, 1, 1, tzinfo=UTC), "organisation_id": "school-1",
            "correlation_id": uuid4(), "actor": {"user_id": "u-1", "organisation_id": "school-1"},
            "payload": payload}


def test_every_event_model_is_text_guarded() -> None:
    unguarded = [model.__name__ for model in registered_events().values() if not issubclass(model, TextGuardedModel)]
    assert registered_events() and unguarded == []
    assert issubclass(StrictModel, TextGuardedModel)


@pytest.mark.parametrize("bad", ["a\x00b", "a\ud800b", "\udfff"], ids=["nul", "high-surrogate", "low-surrogate"])
def test_a_nested_value_is_refused_naming_its_path_without_echoing_it(bad: str) -> None:
    with pytest.raises(ValidationError) as raised:
        EventEnvelope.model_validate(envelope(items=[{"name": "ok"}, {"name": bad}]))
    problems = describe_validation_error(raised.value)
    assert [p["field"] for p in problems] == ["payload.items[1].name"]
    assert bad not in str(raised.value)


def test_a_nested_model_names_its_own_field() -> None:
    with pytest.raises(ValidationError) as raised:
        EventEnvelope.model_validate({**envelope(), "actor": {"user_id": "u\x00", "organisation_id": "o"}})
    assert [p["field"] for p in describe_validation_error(raised.value)] == ["actor.user_id"]
    assert "NUL" in describe_validation_error(raised.value)[0]["problem"]


def test_a_key_holding_a_nul_is_refused_without_being_named() -> None:
    with pytest.raises(ValidationError) as raised:
        EventEnvelope.model_validate(envelope(**{"bad\x00key": 1}))
    assert [p["field"] for p in describe_validation_error(raised.value)] == ["payload.<key>"]


def test_ordinary_unicode_is_storable() -> None:
    actor = Actor(user_id="Zoë 😀 \\x00 literal", organisation_id="école-1")
    assert actor.user_id.startswith("Zoë")
    assert text_problem("\\ud800 written out") is None


def test_safe_text_refuses_in_models_that_are_not_contracts() -> None:
    from pydantic import BaseModel

    class Note(BaseModel):
        text: SafeText

    with pytest.raises(ValidationError, match="NUL"):
        Note(text="a\x00")


@given(st.recursive(st.text() | st.integers() | st.none(),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
                    max_leaves=20))
def test_the_fast_check_agrees_with_the_careful_walk(data: object) -> None:
    assert is_storable(data) == (next(iter(unstorable_text(data)), None) is None)
