"""An append's payload and actor columns: the same JSON values as before, cheaper (issue 11).

PostgreSQL stores these columns as jsonb, so the values must be what ``json.dumps`` wrote, including
for what the fast encoder refuses (an integer beyond 64 bits) or writes differently (an infinite float,
which ``json.dumps`` writes as ``Infinity`` for PostgreSQL to refuse), which are written as before.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from ap_contracts.envelope import Actor
from ap_contracts.events.base import event_model, registered_events
from ap_contracts.events.catalogue import load_all
from ap_contracts.personal import personal_fields
from ap_runtime.eventstore.codec import PlaintextCodec
from ap_runtime.eventstore.json_columns import actors_json, payload_json, payloads_json, plain_payloads_json

_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=12)


@settings(derandomize=True, max_examples=300)
@given(st.dictionaries(st.text(max_size=8), _JSON, max_size=5))
def test_any_payload_is_written_as_the_same_json_values(payload: dict[str, object]) -> None:
    assert json.loads(payload_json(payload)) == json.loads(json.dumps(payload))


def test_an_integer_beyond_64_bits_is_written_as_json_dumps_writes_it() -> None:
    payload = {"count": 2**70, "note": "é"}
    assert payload_json(payload) == json.dumps(payload, separators=(",", ":"))


def test_text_that_is_not_utf8_is_written_as_json_dumps_writes_it_for_postgresql_to_refuse() -> None:
    payload = {"note": "a\ud800b"}
    assert payload_json(payload) == json.dumps(payload, separators=(",", ":"))


class _WithFloat(BaseModel):
    score: float


class _WithoutFloat(BaseModel):
    count: int


def test_an_event_whose_contract_has_a_float_is_written_by_json_dumps_so_infinity_stays_refused() -> None:
    payloads = [{"score": float("inf")}, {"count": 3}]
    assert payloads_json([_WithFloat(score=float("inf")), _WithoutFloat(count=3)], payloads) == [
        '{"score":Infinity}', '{"count":3}']


def test_the_contracts_with_floats_are_found() -> None:
    load_all()
    names = ("RecordAmended", "AttendanceRecorded")
    written = payloads_json([event_model(name, 1).model_construct() for name in names],
                            [{"v": float("nan")}, {"v": float("nan")}])
    assert written == ['{"v":NaN}', '{"v":null}']  # RecordAmended's JSON values may hold floats


def test_each_actor_object_is_rendered_once_and_each_event_gets_its_actors_json() -> None:
    one = Actor(user_id="u-1", organisation_id="prov-1", roles=("provision_admin",))
    other = Actor(user_id="u-2", organisation_id="la-1")
    rendered = actors_json([one, one, other, one])
    assert rendered == [one.model_dump_json(), one.model_dump_json(), other.model_dump_json(), one.model_dump_json()]
    assert rendered[0] is rendered[1] is rendered[3]


@pytest.mark.parametrize("actors", [[], [Actor(user_id="u", organisation_id="o")]])
def test_no_actor_or_one_gives_one_text_per_event(actors: list[Actor]) -> None:
    assert len(actors_json(actors)) == len(actors)


class _Texts(BaseModel):
    note: str
    count: int
    tags: list[str]


@settings(derandomize=True, max_examples=200)
@given(st.text(), st.integers(), st.lists(st.text(max_size=4), max_size=3))
def test_a_payload_written_from_its_model_has_the_values_of_its_dictionary_written(
        note: str, count: int, tags: list[str]) -> None:
    model = _Texts(note=note, count=count, tags=tags)
    assert [json.loads(t) for t in plain_payloads_json([model])] == [
        json.loads(t) for t in payloads_json([model], [model.model_dump(mode="json")])]


def test_a_payload_from_its_model_keeps_json_dumps_for_floats_and_what_pydantic_will_not_write() -> None:
    models = [_WithFloat(score=float("inf")), _Texts(note="a\ud800b", count=2**70, tags=[])]
    assert plain_payloads_json(models) == payloads_json(models, [m.model_dump(mode="json") for m in models]) == [
        '{"score":Infinity}', json.dumps({"note": "a\ud800b", "count": 2**70, "tags": []}, separators=(",", ":"))]


async def test_the_plaintext_codec_refuses_an_event_with_personal_fields_in_a_batch_as_alone() -> None:
    load_all()
    personal = next(model for model in registered_events().values() if personal_fields(model))
    event = personal.model_construct()
    with pytest.raises(TypeError, match="use PersonalDataCodec"):
        await PlaintextCodec().seal(event)
    with pytest.raises(TypeError, match="use PersonalDataCodec"):
        PlaintextCodec().seal_json_many([event])
