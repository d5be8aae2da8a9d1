"""The projections' envelope decoder refuses exactly what the contract refuses, and decodes the rest alike.

Rule served: no NUL or unpaired surrogate is accepted anywhere (issue 9), while a projection pays
only for validation (issue 11: the text walk was half the decoding cost of a rebuild).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from ap_contracts.envelope import Actor, EventEnvelope
from ap_runtime.projection.decoding import decode_envelope_json, may_hold_unstorable_text


def _envelope_json(**payload: object) -> bytes:
    return EventEnvelope(
        event_type="CounterIncremented", schema_version=1, stream_id="s-1", stream_version=3,
        occurred_at=datetime(2026, 9, 7, 9, tzinfo=UTC), actor=Actor(user_id="u-1", organisation_id="org-1"),
        organisation_id="org-1", correlation_id=uuid4(), payload=dict(payload),
    ).model_dump_json().encode()


def _contract_error(value: bytes) -> list[tuple[object, str]]:
    with pytest.raises(ValidationError) as caught:
        EventEnvelope.model_validate_json(value)
    return [(e["loc"], e["msg"]) for e in caught.value.errors()]


@pytest.mark.parametrize("text", ["a\x00b", "\ud800", "x\udfff", "\x00"])
def test_unstorable_text_anywhere_is_refused_naming_the_field_as_the_contract_does(text: str) -> None:
    value = _envelope_json(note="placeholder").replace(b'"placeholder"', _json_string(text))
    with pytest.raises(ValidationError) as caught:
        decode_envelope_json(value)
    assert [(e["loc"], e["msg"]) for e in caught.value.errors()] == _contract_error(value)
    if "\x00" in text:  # (a lone surrogate escape is refused by the JSON parser itself, before any field)
        assert caught.value.errors()[0]["loc"] == ("payload", "note")


@pytest.mark.parametrize("raw", [b"a\xed\xa0\x80b", b"\xed\xbf\xbf", b"a\x00b", b"\x00"])
@pytest.mark.parametrize("where", ["value", "key", "between"])
def test_a_nul_or_surrogate_as_raw_bytes_is_refused_as_the_contract_refuses_it(raw: bytes, where: str) -> None:
    """Raw, they never reach a field: the JSON parser refuses them, so a record without ``\\u`` skips the walk."""
    value = _envelope_json(note="placeholder")
    if where == "value":
        value = value.replace(b"placeholder", raw)
    elif where == "key":
        value = value.replace(b'"note"', b'"' + raw + b'"')
    else:
        value = value.replace(b'"note":', raw + b'"note":')
    assert not may_hold_unstorable_text(value)
    with pytest.raises(ValidationError) as caught:
        decode_envelope_json(value)
    assert [(e["type"], e["loc"], e["msg"]) for e in caught.value.errors()] == [
        (e["type"], e["loc"], e["msg"]) for e in _contract_errors(value)]


def _contract_errors(value: bytes) -> list[Any]:
    with pytest.raises(ValidationError) as caught:
        EventEnvelope.model_validate_json(value)
    return list(caught.value.errors())


_RAW = st.sampled_from([b"\x00", b"\xed\xa0\x80", b"\xed\xb0\x80", b"\xed", b"\xed\x9f\xbf", b"\xc3\xa9", b"\x07",
                        b"\\", b"\\u0000", b"\\ud800", b"\\u00e9", b"\\n", b" ", b'"', b"u", b"0"])


@settings(derandomize=True, max_examples=400)
@given(st.lists(st.tuples(st.integers(min_value=0), _RAW), min_size=1, max_size=3))
def test_bytes_put_anywhere_in_an_envelope_decode_or_are_refused_as_the_contract_does(
        insertions: list[tuple[int, bytes]]) -> None:
    """Raw control and non-UTF-8 bytes, escapes and quotes at any place: the contract's outcome, error for error."""
    value = _envelope_json(note="plain", n=1)
    for at, raw in insertions:
        at %= len(value) + 1
        value = value[:at] + raw + value[at:]
    try:
        expected = EventEnvelope.model_validate_json(value)
    except ValidationError as refused:
        with pytest.raises(ValidationError) as caught:
            decode_envelope_json(value)
        assert [(e["type"], e["loc"], e["msg"]) for e in caught.value.errors()] == [
            (e["type"], e["loc"], e["msg"]) for e in refused.errors()]
        return
    assert decode_envelope_json(value).model_dump() == expected.model_dump()


def test_unknown_fields_and_bad_types_are_refused_as_before() -> None:
    value = _envelope_json(n=1).replace(b'"stream_version":3', b'"stream_version":"three","extra":1')
    with pytest.raises(ValidationError) as caught:
        decode_envelope_json(value)
    assert {e["loc"] for e in caught.value.errors()} == {("stream_version",), ("extra",)}


_TEXT = st.text(st.characters(codec=None, exclude_categories=()), max_size=20)


def _json_string(text: str) -> bytes:
    import json

    return json.dumps(text).encode()  # escapes NUL and lone surrogates as \\u sequences


@settings(derandomize=True, max_examples=300)
@given(st.dictionaries(st.text(max_size=8), st.one_of(_TEXT, st.integers(), st.none()), max_size=4))
def test_any_payload_decodes_to_what_the_contract_decodes_or_is_refused_alike(payload: dict[str, object]) -> None:
    value = _envelope_json(p="placeholder").replace(b'"placeholder"', _json_dict(payload))
    try:
        expected = EventEnvelope.model_validate_json(value)
    except ValidationError:
        with pytest.raises(ValidationError):
            decode_envelope_json(value)
        return
    got = decode_envelope_json(value)
    assert isinstance(got, EventEnvelope) and isinstance(got.actor, Actor)
    assert got.model_dump() == expected.model_dump()


def test_only_records_that_could_hold_unstorable_text_take_the_walk() -> None:
    assert not may_hold_unstorable_text(_envelope_json(note="plain text, accents é"))
    assert may_hold_unstorable_text(_envelope_json(note="bell\x07"))  # any \\u escape is looked at closely


def _json_dict(payload: dict[str, object]) -> bytes:
    """Non-ASCII as raw UTF-8 (the path without the walk), lone surrogates as their raw bytes."""
    import json

    return json.dumps(payload, ensure_ascii=False).encode("utf-8", "surrogatepass")


def test_a_record_without_escapes_is_validated_without_the_text_walk(monkeypatch: pytest.MonkeyPatch) -> None:
    import ap_contracts.text

    def walked(_data: object) -> bool:
        raise AssertionError("the text walk ran")

    value = _envelope_json(note="plain")
    monkeypatch.setattr(ap_contracts.text, "is_storable", walked)
    assert decode_envelope_json(value).payload == {"note": "plain"}
    with pytest.raises(ValidationError, match="the text walk ran"):
        decode_envelope_json(value.replace(b"plain", b"pl\\u0061in"))  # an escape: the contract's own path
