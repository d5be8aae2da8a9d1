"""The behaviour log's row for an event: JSON of the clear facts and sealed values, whatever they hold.

The row builder encodes with orjson for speed (issue 11: a rebuild writes a million rows); what
orjson cannot encode (an integer beyond 64 bits) is still stored, through the standard library.
"""

from __future__ import annotations

import json

from ap_incidents.projections.behaviour_log import _jsonb


def test_payload_parts_encode_to_the_same_json_as_before() -> None:
    facts = {"session": "AM", "code": "/", "n": 3, "nested": {"a": [1, None, "é"]}}
    assert json.loads(_jsonb(facts)) == facts


def test_an_integer_beyond_64_bits_is_still_encoded() -> None:
    assert json.loads(_jsonb({"n": 2**70})) == {"n": 2**70}
