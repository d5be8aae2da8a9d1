"""A payload the envelope decode checked is validated as its event without a second text walk, and
otherwise exactly as the contract validates it; any other payload is still walked.

Rule served: no NUL or unpaired surrogate is accepted anywhere (issue 9), while the reporting and
alert projections pay for the text walk once per event, not twice (issue 11).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import pytest
from aiokafka.structs import ConsumerRecord
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

import ap_contracts.text
from ap_contracts.envelope import Actor, EventEnvelope
from ap_contracts.events.base import registered_events
from ap_contracts.events.commissioning_sla import SlaVersionAgreed
from ap_contracts.events.pupil_vocabulary import KeyStage, SenStatus, YearGroup
from ap_contracts.events.pupils import PupilRegistered
from ap_contracts.text import text_problem
from ap_runtime.privacy.clear_fields import clear_event
from ap_runtime.projection.checked_payload import (
    TextCheckedPayload,
    _is_text_walk,
    _without_text_walk,
    validator_without_text_walk,
)
from ap_runtime.projection.runner import _decode_record


def _nodes(node: Any) -> list[dict[str, Any]]:
    if isinstance(node, list):
        return [n for item in node for n in _nodes(item)]
    if not isinstance(node, dict):
        return []
    return [node, *(n for value in node.values() for n in _nodes(value))]


def _functions(schema: Any) -> list[object]:
    return [n["function"]["function"] for n in _nodes(schema) if isinstance(n.get("function"), dict)
            and not _is_text_walk(n)]


def test_every_event_loses_its_text_walks_and_keeps_every_other_validator() -> None:
    assert SlaVersionAgreed in registered_events().values()  # nested contract models, each with its own walk
    for model in registered_events().values():
        original = model.__pydantic_core_schema__
        stripped = _without_text_walk(original)
        assert validator_without_text_walk(model).title == model.__pydantic_validator__.title
        assert any(_is_text_walk(n) for n in _nodes(original)), model
        assert not any(_is_text_walk(n) for n in _nodes(stripped)), model
        assert _functions(stripped) == _functions(original), model


def _registration(**changes: object) -> dict[str, Any]:
    event = PupilRegistered(pupil_ref=uuid4(), record_id=uuid4(), home_school_id="h", display_name="pd1:sealed",
                            date_of_birth=None, sex="female", year_group=YearGroup.Y3, key_stage=KeyStage.KS2,
                            has_ehcp=False, sen_status=SenStatus.NONE, fsm_eligible=None, ethnicity=None,
                            looked_after=None)
    return {**event.model_dump(mode="json"), **changes}


def _read(payload: dict[str, Any]) -> tuple[str, Any]:
    try:
        event = clear_event("PupilRegistered", 1, payload)
    except ValidationError as exc:
        return f"refused: {exc.title}", [(e["loc"], e["type"], e["msg"]) for e in exc.errors()]
    assert event is not None
    return type(event).__name__, event.model_dump()


_STORABLE = st.text(max_size=12).filter(lambda t: text_problem(t) is None)
_VALUES = st.one_of(_STORABLE, st.integers(), st.none(), st.booleans(), st.lists(_STORABLE, max_size=2))


@settings(derandomize=True, max_examples=300)
@given(st.dictionaries(st.sampled_from(["home_school_id", "sex", "year_group", "has_ehcp", "extra", "pupil_ref"]),
                       _VALUES, max_size=3))
def test_a_checked_payload_reads_as_the_contract_reads_it_or_is_refused_alike(changes: dict[str, object]) -> None:
    payload = _registration(**changes)
    assert _read(TextCheckedPayload(payload)) == _read(payload)


def _walk_forbidden(monkeypatch: pytest.MonkeyPatch) -> None:
    def walked(_data: object) -> bool:
        raise AssertionError("the text walk ran")

    monkeypatch.setattr(ap_contracts.text, "is_storable", walked)


def test_a_plain_payload_is_still_walked_and_unstorable_text_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValidationError) as caught:
        clear_event("PupilRegistered", 1, _registration(home_school_id="h\x00"))
    assert caught.value.errors()[0]["loc"] == ("home_school_id",)
    payload = _registration()
    _walk_forbidden(monkeypatch)
    with pytest.raises(ValidationError, match="the text walk ran"):
        clear_event("PupilRegistered", 1, payload)


def _record(payload: dict[str, Any]) -> ConsumerRecord[bytes, bytes]:
    value = EventEnvelope(
        event_type="PupilRegistered", schema_version=1, stream_id="pupil-1", stream_version=1,
        occurred_at=datetime(2026, 9, 7, 9, tzinfo=UTC), actor=Actor(user_id="u-1", organisation_id="org-1"),
        organisation_id="org-1", correlation_id=uuid4(), payload=payload,
    ).model_dump_json().encode()
    return ConsumerRecord("t", 0, 5, 0, 0, b"pupil-1", value, None, len(value), 0, ())


def test_the_runner_hands_out_its_decoded_payload_as_checked_and_it_is_not_walked_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    payload = _registration()
    decoded = _decode_record(_record(payload))
    assert decoded.event is not None and isinstance(decoded.event.payload, TextCheckedPayload)
    assert decoded.event.payload == payload == json.loads(json.dumps(decoded.event.payload))
    _walk_forbidden(monkeypatch)
    event = clear_event("PupilRegistered", 1, decoded.event.payload)
    assert isinstance(event, PupilRegistered) and type(event) is PupilRegistered
    assert event.display_name is None and event.home_school_id == "h"


def test_a_record_with_unstorable_text_never_reaches_a_reader() -> None:
    decoded = _decode_record(_record({**_registration(), "home_school_id": "placeholder"}))
    assert decoded.event is not None
    assert decoded.record.value is not None
    bad = decoded.record.value.replace(b'"placeholder"', json.dumps("h\x00").encode())
    refused = _decode_record(ConsumerRecord("t", 0, 6, 0, 0, b"pupil-1", bad, None, len(bad), 0, ()))
    assert refused.event is None and "payload.home_school_id" in (refused.error or "")
