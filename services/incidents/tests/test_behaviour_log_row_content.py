"""The behaviour log's rows do not change when their building gets cheaper (issue 11).

A seeded mix of every event type the log summarises (and the safeguarding entry shown by title
only), with personal fields, corrections, an erased payload, lists, numbers, a 70-bit integer and
payload keys the contract does not know, is turned into rows and compared column by column with
rows stored in ``data/behaviour_log_rows.json`` (written by the row builder before issue 11's
speed-up). Any change to a single row's content fails here, naming the event and the column. A type
summarised later (``_ADDED``) has stored rows of its own after those, so the first rows stay as written.
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

from ap_contracts.envelope import Actor, EventEnvelope
from ap_incidents.projections.behaviour_log import _COLUMNS, _row
from ap_incidents.projections.entry_fields import _SUMMARY_FIELDS, ENTRY_CLASS, personal_map, summary
from ap_runtime.projection import ReceivedEvent

EXPECTED = Path(__file__).parent / "data" / "behaviour_log_rows.json"
_ACTOR = Actor(user_id="staff-1", organisation_id="prov-1", roles=("provision_staff",))
_TYPES = sorted({*_SUMMARY_FIELDS, *ENTRY_CLASS})
# Types summarised since the stored rows were first written (in the order added): each gets stored rows of its own
# after the first 240, so adding a type leaves every earlier row, and the draws that made it, as they were.
_ADDED = ("ExclusionUpheld", "EngagementScoreAmended", "SuspensionReinstated")
_FIRST_TYPES = sorted(set(_TYPES) - set(_ADDED))
_PER_ADDED = 6
_VALUES: tuple[Any, ...] = ("AM", "/", 3, 0, True, False, None, ["a", "b"], [1, 2], "é — x", 2**70, {"n": [1, None]})


def _uuid(rng: random.Random) -> str:
    return str(UUID(int=rng.getrandbits(128)))


def _payload(rng: random.Random, event_type: str) -> dict[str, Any]:
    payload: dict[str, Any] = {"pupil_ref": _uuid(rng), "record_id": _uuid(rng)}
    if rng.random() < 0.8:
        payload["placement_id"] = _uuid(rng)
    for name in _SUMMARY_FIELDS.get(event_type, ()):
        if rng.random() < 0.9:
            payload[name] = rng.choice(_VALUES)
    for name in personal_map(event_type, 1):
        if rng.random() < 0.9:
            payload[name] = rng.choice(("sealed:v1:AAAA", None, ["sealed:v1:BB"]))
    if event_type in ("RecordAmended", "RecordWithdrawnInError"):
        payload["target_record_id"] = _uuid(rng)
        payload["target_event_type"] = rng.choice(("IncidentRecorded", "SafeguardingConcernRaised"))
    if event_type == "RewardRedeemed":
        payload["cost_pence"] = rng.choice((1250, 7, "12"))
    payload[rng.choice(("extra_code", "notes_count"))] = rng.choice(_VALUES)
    if rng.random() < 0.1:
        payload["_erased"] = True
    return payload


def seeded_events(count: int = 240, seed: int = 11) -> list[ReceivedEvent]:
    """``count`` events cycling through the first types, then ``_PER_ADDED`` of each type added since, their
    payloads drawn from ``seed``."""
    rng = random.Random(seed)
    at = datetime(2026, 9, 7, 9, tzinfo=UTC)
    types = [_FIRST_TYPES[i % len(_FIRST_TYPES)] for i in range(count)]
    types += [added for added in _ADDED for _ in range(_PER_ADDED)]
    events = []
    for i, event_type in enumerate(types):
        envelope = EventEnvelope(
            event_id=UUID(int=rng.getrandbits(128)), event_type=event_type, schema_version=1,
            stream_id=f"pupil-{i % 7}", stream_version=i + 1, occurred_at=at + timedelta(minutes=i),
            recorded_at=at + timedelta(minutes=i, seconds=5), actor=_ACTOR, organisation_id="prov-1",
            correlation_id=UUID(int=i), pii_subject=str(i % 7), payload=_payload(rng, event_type))
        events.append(ReceivedEvent(envelope, envelope.payload, "ap.incidents.events", 0, i))
    return events


def row_text(event: ReceivedEvent) -> list[str]:
    """A row's columns as text that keeps their types (``repr``), as stored in the expected file."""
    return [repr(value) for value in _row(event)]


def test_every_row_is_column_for_column_what_it_was() -> None:
    expected = json.loads(EXPECTED.read_text())
    events = seeded_events()
    assert len(expected) == len(events)
    for event, stored in zip(events, expected, strict=True):
        for column, got, want in zip(_COLUMNS, row_text(event), stored, strict=True):
            assert got == want, f"{event.event_type} at offset {event.offset}: column {column} changed"


def test_the_mix_covers_every_type_and_the_awkward_values() -> None:
    events = seeded_events()
    assert {e.event_type for e in events} == set(_TYPES)
    assert any(e.erased for e in events)
    assert any(2**70 in e.payload.values() for e in events)
    assert any(isinstance(v, list) for e in events for v in e.payload.values())


def test_a_score_amendment_is_summarised_like_its_neighbours() -> None:
    # Issue 16: the log names the amended score and the correction reason, as a record amendment names its reason;
    # the explanation is narrative and stays out of the clear summary.
    facts = {"score_record_id": "s-1", "score": 2, "scale_max": 5, "reason": "wrong_value"}
    assert summary("EngagementScoreAmended", facts) == "Engagement score amended: score 2, reason wrong_value"
    assert summary("EngagementScoreRecorded", {"score": 4}) == "Engagement score recorded: score 4"
