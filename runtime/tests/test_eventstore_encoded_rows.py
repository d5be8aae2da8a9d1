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


@pytest.mark.integration
async def test_the_store_and_the_relay_leader_read_the_same_encoded_events(
    store: EventStore, store_db: tuple[str, asyncpg.Pool],
) -> None:
    await store.append("c-1", 0, counter_events("c-1", 0, 3))
    async with store_db[1].acquire() as conn:
        by_leader = await read_batch(conn, Checkpoint(), 100)
    # The store's horizon is also held back by transactions open in other databases (other tests'), so it
    # may see the events a little later than the leader does.
    deadline = time.monotonic() + 60
    by_store = await store.read_all_encoded(Checkpoint())
    for _ in range(1200):
        if len(by_store) == 3 or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.05)
        by_store = await store.read_all_encoded(Checkpoint())

    assert by_leader == by_store
    assert [json.loads(e.envelope_json)["stream_version"] for e in by_store] == [1, 2, 3]
