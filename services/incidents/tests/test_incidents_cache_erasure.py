"""Caches of decrypted history forget an erased pupil in every process, and hold nothing for long.

Rules served: erasure reaches what a process holds in memory (UK GDPR Art. 17). The process that
erases drops its caches at once; another process (here a second application on the same servers,
with caches of its own) drops them when it reads ``PupilDataErased`` from the event topic; and no
cache holds decrypted history longer than its maximum age, even when idle.
"""

from __future__ import annotations

import asyncio
from uuid import uuid4

import pytest

from ap_incidents.adapters.erased_record_codec import ErasedRecordTolerantCodec
from ap_incidents.adapters.history_cache import HistoryCachingStore
from ap_incidents.application.stream_folds import StreamFolds
from ap_runtime.privacy.codec import PersonalDataCodec

from .conftest import ApiStory, ServiceUnderTest, Story


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.integration
async def test_another_process_drops_an_erased_pupils_history_when_it_reads_the_erasure(
        api_story: ApiStory, service: ServiceUnderTest) -> None:
    await api_story.placed()
    description = f"Threw the stapler {uuid4().hex[:8]}"
    await api_story.incident(description=description)
    other = service.deps.application()  # a second process's application: caches of its own
    history = await other.store.load(api_story.stream)
    await other.commands.load_view(api_story.pupil_ref)
    assert description in [getattr(e, "description", None) for e in history]
    assert other.store.holds(api_story.stream) and other.commands._folds.holds(api_story.pupil_ref)

    listener = other.erasure_listener(service.bootstrap, [service.events_topic])
    await listener.start()
    try:
        erase = {"command_id": str(uuid4()), "reason": "erasure_request_upheld",
                 "legal_basis": "UK GDPR Art. 17(1)(a)", "requested_by": "parent_or_carer"}
        response = await service.client.post(f"/v1/pupils/{api_story.pupil_ref}/erasure", json=erase,
                                             headers=service.headers("home_dpo", purpose="request upheld"))
        assert response.status_code == 201, response.text
        assert other.store.holds(api_story.stream), "the other process learns of it from Kafka, not by magic"
        await service.relay_to_head()
        for _ in range(400):
            if not other.store.holds(api_story.stream):
                break
            await asyncio.sleep(0.05)
        assert not other.store.holds(api_story.stream), "the erased pupil's history is still cached"
        assert not other.commands._folds.holds(api_story.pupil_ref)
        assert listener.erasures_seen >= 1
    finally:
        await listener.stop()
    reread = await other.store.load(api_story.stream)
    assert [getattr(e, "description", None) for e in reread if hasattr(e, "description")] == [None]


@pytest.mark.integration
async def test_cached_history_is_dropped_once_older_than_its_maximum_age(
        api_story: ApiStory, service: ServiceUnderTest) -> None:
    await api_story.placed()
    clock = FakeClock()
    store = HistoryCachingStore(service.deps.events_pool,
                                ErasedRecordTolerantCodec(PersonalDataCodec(service.deps.keystore)),
                                max_age_seconds=60, clock=clock)
    first = await store.load(api_story.stream)
    clock.now += 30
    await api_story.incident()
    extended = await store.load(api_story.stream)  # the new row is added; the prefix is as old as before
    assert extended[0] is first[0] and store.holds(api_story.stream)
    clock.now += 31
    assert store.sweep() == 1 and not store.holds(api_story.stream)
    again = await store.load(api_story.stream)
    assert again[0] is not first[0], "read and decrypted again, not served from the expired entry"
    clock.now += 61
    reread = await store.load(api_story.stream)  # an expired entry is not served even without a sweep
    assert reread[0] is not again[0]


def test_folds_are_dropped_once_older_than_their_maximum_age() -> None:
    story = Story().placed()
    clock = FakeClock()
    folds = StreamFolds(max_age_seconds=60, clock=clock)
    folds.of(story.pupil_ref, story.events)
    clock.now += 59
    assert folds.sweep() == 0 and folds.holds(story.pupil_ref)
    clock.now += 1
    assert folds.sweep() == 1 and not folds.holds(story.pupil_ref)
