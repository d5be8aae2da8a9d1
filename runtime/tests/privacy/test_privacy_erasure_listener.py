"""The erasure listener: which records name an erased pupil, and its age tick runs even with no topic yet."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from uuid import uuid4

import pytest

from ap_contracts.envelope import EventEnvelope
from ap_runtime.privacy.erasure_listener import ErasureListener, erased_subject


def _envelope(event_type: str, pupil: str) -> bytes:
    return EventEnvelope(
        event_id=uuid4(), event_type=event_type, schema_version=1, stream_id=f"pupil-{pupil}", stream_version=3,
        occurred_at=datetime(2025, 3, 1, tzinfo=UTC), recorded_at=datetime(2025, 3, 1, tzinfo=UTC),
        correlation_id=uuid4(), actor={"user_id": "dpo", "organisation_id": "home-school", "roles": ["dpo"]},
        organisation_id="home-school", pii_subject=pupil,
        payload={"pupil_ref": pupil, "reason": "erasure_request_upheld", "legal_basis": "Art. 17",
                 "requested_by": "parent_or_carer"},
    ).model_dump_json().encode()


def test_only_an_erasure_names_a_subject() -> None:
    pupil = str(uuid4())
    assert erased_subject(_envelope("PupilDataErased", pupil), [("ap-event-type", b"PupilDataErased")]) == pupil
    assert erased_subject(_envelope("PupilDataErased", pupil), []) == pupil
    assert erased_subject(_envelope("IncidentRecorded", pupil), [("ap-event-type", b"IncidentRecorded")]) is None
    assert erased_subject(b"not an envelope", []) is None


@pytest.mark.integration
async def test_the_age_tick_runs_although_the_topic_does_not_exist_yet(
        unique_topic: Callable[[str], str], kafka_bootstrap: str) -> None:
    ticks: list[int] = []
    listener = ErasureListener(kafka_bootstrap, [unique_topic("absent-events")], [],
                               on_tick=lambda: ticks.append(1), tick_seconds=0.05)
    await listener.start()
    try:
        for _ in range(100):
            if len(ticks) >= 2:
                break
            await asyncio.sleep(0.05)
    finally:
        await listener.stop()
    assert len(ticks) >= 2
