"""Reading everything an event store holds, in a test, without racing the commit horizon.

``EventStore.read_all`` holds back events while an older transaction anywhere on the (shared) server
is still running (it never skips one that commits late). A test that reads once right after writing
can then see fewer events than it wrote when another session keeps a transaction open, so it waits
until the events it expects are readable.
"""

from __future__ import annotations

import asyncio

from ap_runtime.eventstore import Checkpoint, EventStore, EventStorePort, StoredEvent


async def read_all_settled(store: EventStorePort, count: int, timeout_seconds: float = 60.0) -> list[StoredEvent]:
    """``read_all`` from the start once at least ``count`` events are readable."""
    deadline = asyncio.get_running_loop().time() + timeout_seconds
    while len(everything := await store.read_all(Checkpoint(), limit=max(count, 10_000))) < count:
        assert asyncio.get_running_loop().time() < deadline, f"only {len(everything)} of {count} readable"
        await asyncio.sleep(0.05)
    return everything


async def read_everything_stored(store: EventStore, timeout_seconds: float = 30.0) -> list[StoredEvent]:
    """``read_all`` from the start once it returns every event in the PostgreSQL store's table."""
    stored = int(await store.pool.fetchval("SELECT count(*) FROM events"))
    return await read_all_settled(store, stored, timeout_seconds)
