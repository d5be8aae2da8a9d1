"""A rebuild without its unique indexes skips an event id its partition had recently (issue 11).

``RecentEventIds`` keeps each partition's last ``kept``-``2 x kept`` ids: a copy within ``kept`` records
of its first is left out, one in another partition is not confused with it, an undecodable record
(no id) is kept for the runner to dead-letter, and a copy beyond ``2 x kept`` records gets through
(the unique indexes built at the end catch that one: test_projection_rebuild_deferred.py).
"""

from __future__ import annotations

import random
from uuid import UUID

from ap_runtime.projection.recent_ids import RecentEventIds
from ap_runtime.projection.runner import DecodedRecord


class _Envelope:
    def __init__(self, event_id: UUID) -> None:
        self.event_id = event_id


class _Event:
    def __init__(self, event_id: UUID, partition: int, topic: str = "t") -> None:
        self.envelope = _Envelope(event_id)
        self.topic, self.partition = topic, partition


def _record(event_id: UUID | None, partition: int = 0, topic: str = "t") -> DecodedRecord:
    event = None if event_id is None else _Event(event_id, partition, topic)
    return DecodedRecord(record=None, event=event, error=None if event else "undecodable")  # type: ignore[arg-type]


def _ids(kept: list[DecodedRecord]) -> list[UUID | None]:
    return [None if r.event is None else r.event.envelope.event_id for r in kept]


def test_a_copy_within_the_window_is_left_out_in_the_same_batch_and_in_a_later_one() -> None:
    rng = random.Random(11)
    first = [UUID(int=rng.getrandbits(128)) for _ in range(6)]
    recent = RecentEventIds(kept=10)
    kept, left_out = recent.first_copies([_record(i) for i in [*first[:4], first[1]]])
    assert (_ids(kept), left_out) == (first[:4], 1)
    kept, left_out = recent.first_copies([_record(first[0]), _record(first[4]), _record(first[3]), _record(first[5])])
    assert (_ids(kept), left_out) == ([first[4], first[5]], 2)


def test_partitions_and_topics_are_apart_and_an_undecodable_record_is_kept() -> None:
    same = UUID(int=7)
    recent = RecentEventIds(kept=10)
    batch = [_record(same, 0), _record(same, 1), _record(same, 0, topic="u"), _record(None), _record(None)]
    kept, left_out = recent.first_copies(batch)
    assert (_ids(kept), left_out) == ([same, same, same, None, None], 0)
    kept, left_out = recent.first_copies([_record(same, 1)])
    assert (kept, left_out) == ([], 1)


def test_the_window_holds_at_least_kept_ids_and_forgets_beyond_twice_that() -> None:
    rng = random.Random(12)
    ids = [UUID(int=rng.getrandbits(128)) for _ in range(40)]
    recent = RecentEventIds(kept=10)
    recent.first_copies([_record(i) for i in ids[:30]])
    # the last 10 at least are remembered whatever the generation boundary; the first 10 are gone
    kept, left_out = recent.first_copies([_record(i) for i in ids[20:30]])
    assert (kept, left_out) == ([], 10)
    kept, left_out = recent.first_copies([_record(i) for i in ids[:10]])
    assert (_ids(kept), left_out) == (ids[:10], 0)
