"""Concurrent commands' history catch-up reads share one statement (issue 11: a round trip fewer per command).

Each load still reads everything committed before it was asked for: the batch it joins is sent after it joined.
"""

from __future__ import annotations

import asyncio

import pytest

from ap_incidents.adapters.erased_record_codec import ErasedRecordTolerantCodec
from ap_incidents.adapters.history_cache import HistoryCachingStore
from ap_runtime.privacy.codec import PersonalDataCodec

from .conftest import ApiStory, ServiceUnderTest

pytestmark = pytest.mark.integration


async def test_concurrent_loads_share_one_statement_and_each_sees_what_was_committed_before_it(
        api_story: ApiStory, service: ServiceUnderTest) -> None:
    await api_story.placed()
    store = HistoryCachingStore(service.deps.events_pool,
                                ErasedRecordTolerantCodec(PersonalDataCodec(service.deps.keystore)))
    alone = await store.load(api_story.stream)
    before = store._catch_up.batches
    together = await asyncio.gather(*(store.load(api_story.stream) for _ in range(8)),
                                    store.load("pupil-never-written"))
    assert store._catch_up.batches == before + 1, "nine concurrent loads, one statement"
    assert all(loaded == alone for loaded in together[:8]) and together[8] == []
    await api_story.incident(description="Kicked the door")
    grown = await asyncio.gather(store.load(api_story.stream), store.load(api_story.stream))
    assert [len(loaded) for loaded in grown] == [len(alone) + 1] * 2
    assert getattr(grown[0][-1], "description", None) == "Kicked the door"
