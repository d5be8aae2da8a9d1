"""A rebuild's catch-up keeps a partition's fetched records before its end offset, and only those (issue 11).

``_below`` tests the last record of a partition's fetch instead of each one: a fetch wholly before the end
comes back as it is, one reaching past it is cut at the end, so the next round's records are never applied.
"""

from __future__ import annotations

from aiokafka import ConsumerRecord

from ap_runtime.projection.catch_up import _below


def _fetched(first: int, count: int) -> list[ConsumerRecord[bytes, bytes]]:
    return [ConsumerRecord("t", 0, offset, 0, 0, b"k", b"v", None, 1, 1, ()) for offset in range(first, first + count)]


def test_a_fetch_before_the_end_is_kept_whole() -> None:
    records = _fetched(10, 5)
    assert _below(records, 15) is records
    assert _below([], 3) == []


def test_a_fetch_reaching_the_end_is_cut_there() -> None:
    assert [r.offset for r in _below(_fetched(10, 5), 12)] == [10, 11]
    assert [r.offset for r in _below(_fetched(10, 5), 14)] == [10, 11, 12, 13]
    assert _below(_fetched(10, 5), 10) == []
