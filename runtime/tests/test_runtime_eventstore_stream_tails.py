"""Many streams' new events in one statement (``ap_runtime.eventstore.stream_tails``, issue 11).

Concurrent commands' catch-up reads share a round trip; each answer is what ``EventStore.read_stream`` reads for
its stream after its version, a stream asked for twice in one batch answered for each version, an unknown stream
or one with nothing new answered with nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from uuid import UUID, uuid4

import asyncpg
import pytest

from ap_runtime.eventstore import EventStore, StoredEvent
from ap_runtime.eventstore.stream_tails import StreamTails, read_tails

from .conftest import counter_events

pytestmark = pytest.mark.integration


def _versions_and_ids(events: Sequence[StoredEvent]) -> list[tuple[int, UUID]]:
    return [(e.stream_version, e.event_id) for e in events]


async def test_each_tail_is_the_streams_events_after_its_version(counted: tuple[asyncpg.Pool, list[str]]) -> None:
    pool, _ = counted
    store = EventStore(pool)
    for stream, count in (("tail-a", 3), ("tail-b", 1), ("tail-c", 5)):
        await store.append_command(uuid4(), stream, 0, counter_events(stream, 0, count))
    wanted = [("tail-c", 2), ("tail-a", 0), ("tail-b", 1), ("tail-unknown", 0), ("tail-c", 4), ("tail-a", 3)]
    tails = await read_tails(pool, wanted)
    assert [len(t) for t in tails] == [3, 3, 0, 0, 1, 0]
    for (stream, after), tail in zip(wanted, tails, strict=True):
        assert _versions_and_ids(tail) == _versions_and_ids(await store.read_stream(stream, after)), (stream, after)
        assert all(e.stream_id == stream for e in tail)
    assert [e.payload for e in tails[0]] == [e.payload for e in (await store.read_stream("tail-c"))[2:]]


async def test_concurrent_reads_share_statements_and_a_lone_one_goes_at_once(
        counted: tuple[asyncpg.Pool, list[str]]) -> None:
    pool, sent = counted
    store = EventStore(pool)
    streams = [f"tails-{n}" for n in range(12)]
    for n, stream in enumerate(streams):
        await store.append_command(uuid4(), stream, 0, counter_events(stream, 0, 1 + n % 3))
    tails = StreamTails(pool)
    sent.clear()
    answers = await asyncio.gather(*(tails.read(stream, n % 2) for n, stream in enumerate(streams)))
    reads = [q for q in sent if "unnest" in q]
    assert 1 <= len(reads) < len(streams), sent  # one statement for the first, one for those asked meanwhile
    for n, (stream, answer) in enumerate(zip(streams, answers, strict=True)):
        assert _versions_and_ids(answer) == _versions_and_ids(await store.read_stream(stream, n % 2))
    sent.clear()
    assert [e.stream_version for e in await tails.read("tails-2", 1)] == [2, 3]
    assert len([q for q in sent if "unnest" in q]) == 1
