"""The relay's encoded read is written once (``eventstore/encoded_rows.py``): the store's ``read_all_encoded``
and the leader's ``relay_reads.read_batch`` select the same envelope JSON and decode rows the same way
(issue 10, "Copies")."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import UTC, datetime
from uuid import UUID

import asyncpg
import pytest

from ap_runtime.eventstore import Checkpoint, EventStore
from ap_runtime.eventstore.encoded_rows import encoded_event
from ap_runtime.eventstore.models import EncodedEvent
from ap_runtime.relay_reads import read_batch

from .conftest import counter_events

EVENT_ID = UUID("00000000-0000-4000-8000-00000000000e")
CORRELATION_ID = UUID("00000000-0000-4000-8000-00000000000c")


def test_a_row_becomes_the_event_the_relay_publishes() -> None:
    at = datetime(2026, 12, 5, 9, 30, tzinfo=UTC)
    row = {"t": 7, "position": 3, "stream_id": "c-1", "event_type": "CounterIncremented", "schema_version": 1,
           "event_id": EVENT_ID, "correlation_id": CORRELATION_ID, "causation_id": None,
           "envelope": '{"event_id": "e"}', "occurred_at": at}

    assert encoded_event(row) == EncodedEvent(7, 3, "c-1", "CounterIncremented", 1, EVENT_ID, CORRELATION_ID,
                                              None, b'{"event_id": "e"}', at)


async def _visible(store: EventStore, count: int) -> None:
    """Wait until the store's commit horizon shows ``count`` events: it is also held back by transactions
    open in other databases (other tests'), so it may see them a little after they are committed."""
    deadline = time.monotonic() + 60
    while len(await store.read_all(Checkpoint())) < count:
        assert time.monotonic() < deadline, f"fewer than {count} events visible after 60 s"
        await asyncio.sleep(0.05)


@pytest.mark.integration
async def test_the_store_and_the_relay_leader_read_the_same_encoded_events(
    store: EventStore, store_db: tuple[str, asyncpg.Pool],
) -> None:
    await store.append("c-1", 0, counter_events("c-1", 0, 3))
    async with store_db[1].acquire() as conn:
        by_leader = await read_batch(conn, Checkpoint(), 100)
    await _visible(store, 3)
    by_store = await store.read_all_encoded(Checkpoint())

    assert by_leader == by_store
    assert [json.loads(e.envelope_json)["stream_version"] for e in by_store] == [1, 2, 3]


@pytest.mark.integration
async def test_the_store_reads_the_same_events_in_the_same_order_as_models_and_encoded(
    store: EventStore,
) -> None:
    """``read_all`` and ``read_all_encoded`` share one commit-safe selection (checkpoint, horizon, order, limit)."""
    for counter in ("c-1", "c-2", "c-1"):
        version = len(await store.read_stream(counter))
        await store.append(counter, version, counter_events(counter, version, 2))
    await _visible(store, 6)
    first = await store.read_all(Checkpoint())
    after = Checkpoint(first[1].transaction_id, first[1].position)

    models = await store.read_all(after, limit=3)
    encoded = await store.read_all_encoded(after, limit=3)

    assert [(e.transaction_id, e.position, e.event_id) for e in models] == [
        (e.transaction_id, e.position, e.event_id) for e in encoded]
    assert [e.stream_id for e in encoded] == ["c-2", "c-2", "c-1"]
