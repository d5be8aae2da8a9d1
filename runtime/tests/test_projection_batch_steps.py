"""A batch's event ids recorded in ``processed_events``: exactly the ids never recorded before come back.

Rule served: each event is applied once (``runner.py``). The live insert answers in one value (NULL
when every id was new), so the cases where it is not are the ones that matter: a batch redelivered
whole (none new), in part, and an id twice in one batch. The usual live batch (every record decoded,
every id new and once) is counted as applied by the same statement (issue 11: a round trip fewer);
any other is left for the runner to count once applied.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import asyncpg
import pytest
import pytest_asyncio

from ap_contracts.envelope import Actor, EventEnvelope
from ap_runtime.projection.base import ReceivedEvent
from ap_runtime.projection.batch_steps import Mode, record_batch, record_processed
from ap_runtime.projection.store import REGISTRY_DDL

pytestmark = pytest.mark.integration


@pytest_asyncio.fixture
async def conn(new_database: Callable[[str], object]) -> AsyncIterator[asyncpg.Connection]:
    connection = await asyncpg.connect(await new_database("batchsteps"))  # type: ignore[misc]
    await connection.execute("CREATE TABLE processed_events (event_id uuid PRIMARY KEY)")
    await connection.execute(REGISTRY_DDL)
    await connection.execute("INSERT INTO public.projection_status (name, schema_name) VALUES ('p', 'g1')")
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


_START = datetime(2026, 9, 7, 9, tzinfo=UTC)


def events(ids: list[UUID]) -> list[ReceivedEvent]:
    return [ReceivedEvent(EventEnvelope(
        event_id=event_id, event_type="Noted", schema_version=1, stream_id="s-1", stream_version=n + 1,
        occurred_at=_START, recorded_at=_START + timedelta(seconds=n), actor=Actor(user_id="u", organisation_id="o"),
        organisation_id="o", correlation_id=event_id, payload={}), {}, "t", 0, n) for n, event_id in enumerate(ids)]


async def status(conn: asyncpg.Connection) -> tuple[int, int, datetime | None]:
    row = await conn.fetchrow("SELECT events_applied, duplicates, last_event_at FROM public.projection_status")
    return row["events_applied"], row["duplicates"], row["last_event_at"]


async def test_the_usual_batch_is_counted_as_applied_with_its_ids_and_no_other_is(conn: asyncpg.Connection) -> None:
    first = [uuid4() for _ in range(4)]
    assert await record_batch(conn, events(first), 4, "p", "g1", Mode.BATCH) is None  # all new, all decoded
    assert await status(conn) == (4, 0, _START + timedelta(seconds=3))
    later = [uuid4() for _ in range(2)]
    assert await record_batch(conn, events([first[0], *later]), 3, "p", "g1", Mode.BATCH) == ints(later)  # in part
    twice = uuid4()
    assert await record_batch(conn, events([twice, twice]), 2, "p", "g1", Mode.BATCH) == {twice.int}
    undecodable = uuid4()
    assert await record_batch(conn, events([undecodable]), 2, "p", "g1", Mode.BATCH) == {undecodable.int}
    careful = uuid4()
    assert await record_batch(conn, events([careful]), 1, "p", "g1", Mode.CAREFUL) == {careful.int}
    assert await record_batch(conn, [], 0, "p", "g1", Mode.BATCH) == set()
    assert await status(conn) == (4, 0, _START + timedelta(seconds=3))  # the others are the runner's to count
    recorded = {r["event_id"].int for r in await conn.fetch("SELECT event_id FROM processed_events")}
    assert recorded == ints([*first, *later, twice, undecodable, careful])
