"""A batch's event ids recorded in ``processed_events``: exactly the ids never recorded before come back.

Rule served: each event is applied once (``runner.py``). The live insert answers in one value (NULL
when every id was new), so the cases where it is not are the ones that matter: a batch redelivered
whole (none new), in part, and an id twice in one batch.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from uuid import UUID, uuid4

import asyncpg
import pytest
import pytest_asyncio

from ap_runtime.projection.batch_steps import record_processed

pytestmark = pytest.mark.integration


@pytest_asyncio.fixture
async def conn(new_database: Callable[[str], object]) -> AsyncIterator[asyncpg.Connection]:
    connection = await asyncpg.connect(await new_database("batchsteps"))  # type: ignore[misc]
    await connection.execute("CREATE TABLE processed_events (event_id uuid PRIMARY KEY)")
    yield connection
    await connection.close()


def ints(ids: list[UUID]) -> set[int]:
    return {event_id.int for event_id in ids}


async def test_only_ids_never_recorded_come_back_as_fresh(conn: asyncpg.Connection) -> None:
    first = [uuid4() for _ in range(5)]
    assert await record_processed(conn, first, None) == ints(first)  # all new
    assert await record_processed(conn, first, None) == set()  # redelivered whole: none new
    later = [uuid4() for _ in range(3)]
    assert await record_processed(conn, [*first[:2], *later], None) == ints(later)  # in part
    twice = uuid4()
    assert await record_processed(conn, [twice, twice], None) == {twice.int}  # twice in one batch
    assert await record_processed(conn, [], None) == set()
    recorded = {r["event_id"].int for r in await conn.fetch("SELECT event_id FROM processed_events")}
    assert recorded == ints([*first, *later, twice])
