"""Reading everything a PostgreSQL event store holds, in a test, without racing the commit horizon.

``EventStore.read_all`` holds back events while an older transaction anywhere on the (shared) server
is still running (it never skips one that commits late). A test that reads once right after writing
can then see fewer events than it wrote when another session keeps a transaction open, so it waits
until every stored row is readable.
"""

from __future__ import annotations

import asyncio

from ap_runtime.eventstore import Checkpoint, EventStore, StoredEvent


async def read_everything_stored(store: EventStore, timeout_seconds: float = 30.0) -> list[StoredEvent]:
    """``read_all`` from the start once it returns every event in the store's table."""
    deadline = asyncio.get_running_loop().time() + timeout_seconds
    while True:
        stored = int(await store.pool.fetchval("SELECT count(*) FROM events"))
        readable = await store.read_all(Checkpoint(), limit=stored + 1)
        if len(readable) >= stored:
            return readable
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"only {len(readable)} of {stored} stored events became readable")
        await asyncio.sleep(0.05)
