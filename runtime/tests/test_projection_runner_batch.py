"""The runner's batch: each new event applied once, a repeat counted as a duplicate, an undecodable record
dead-lettered, whichever way the batch is sorted (issue 11: the usual batch, every record decoded and new
once, is handed to the projection as it came; any other takes the record-by-record sorting)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from uuid import UUID, uuid4

import asyncpg
import pytest
from aiokafka.structs import ConsumerRecord

from ap_contracts.envelope import Actor, EventEnvelope
from ap_contracts.topics import dead_letter_topic
from ap_runtime.kafka import ensure_topics
from ap_runtime.projection import ProjectionRunner, read_model
from ap_runtime.projection.base import Projection, ReceivedEvent

pytestmark = pytest.mark.integration


class SeenProjection(Projection):
    """One row per applied event; a second row for one event id fails (the table's key)."""

    name = "seen_events"
    ddl = "CREATE TABLE IF NOT EXISTS seen (event_id uuid PRIMARY KEY)"

    async def apply_batch(self, conn: asyncpg.Connection, events: Sequence[ReceivedEvent]) -> None:
        await conn.executemany("INSERT INTO seen VALUES ($1)", [(e.envelope.event_id,) for e in events])


def record(topic: str, offset: int, event_id: UUID | None) -> ConsumerRecord[bytes, bytes]:
    """A record of an envelope with ``event_id``, or of an undecodable one (None)."""
    value = b'{"event_type": "X"}'
    if event_id is not None:
        value = EventEnvelope(
            event_id=event_id, event_type="Noted", schema_version=1, stream_id="pupil-1", stream_version=offset + 1,
            occurred_at=datetime(2026, 9, 7, tzinfo=UTC), actor=Actor(user_id="u", organisation_id="p"),
            organisation_id="p", correlation_id=event_id, payload={}).model_dump_json().encode()
    return ConsumerRecord(topic, 0, offset, 0, 0, b"pupil-1", value, None, 0, len(value), [])


async def test_new_repeated_and_undecodable_records_are_applied_counted_and_dead_lettered(
        new_database: Callable[[str], object], new_topic: Callable[..., object], kafka_bootstrap: str) -> None:
    topic = await new_topic("runner-batch", partitions=1)  # type: ignore[misc]
    await ensure_topics(kafka_bootstrap, [dead_letter_topic(topic)], partitions=1)
    pool = await asyncpg.create_pool(await new_database("runner_batch"), min_size=1, max_size=2)  # type: ignore[misc]
    runner = ProjectionRunner(SeenProjection((topic,)), pool, kafka_bootstrap)
    a, b, c, d, e = (uuid4() for _ in range(5))
    await runner.start()
    try:
        applied = [
            await runner.apply_records([record(topic, 0, a), record(topic, 1, b)]),  # every record new, once
            await runner.apply_records([record(topic, 2, c), record(topic, 3, None), record(topic, 4, d)]),
            await runner.apply_records([record(topic, 5, e), record(topic, 6, e), record(topic, 7, a)]),
        ]
    finally:
        await runner.stop()
    async with read_model(pool, "seen_events") as conn:
        rows = {r["event_id"] for r in await conn.fetch("SELECT event_id FROM seen")}
        status = await conn.fetchrow("SELECT events_applied, dead_lettered, duplicates FROM public.projection_status"
                                     " WHERE name = 'seen_events'")
        dead = await conn.fetchval("SELECT count(*) FROM dead_letters")
    await pool.close()

    assert applied == [2, 2, 1]
    assert rows == {a, b, c, d, e}
    assert dict(status) == {"events_applied": 5, "dead_lettered": 1, "duplicates": 2}
    assert dead == 0  # an undecodable record has no event id to note; it went to the dead-letter topic
