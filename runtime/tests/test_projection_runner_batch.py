"""The runner's batch: each new event applied once, a repeat counted as a duplicate, an undecodable record
dead-lettered, whichever way the batch is sorted (issue 11: the usual batch, every record decoded and new
once, is handed to the projection as it came; any other takes the record-by-record sorting). Through
FastStream, the handler takes the batch's records as its body with nothing resolved in a worker thread
(issue 11: ``Context("message")`` had fast_depends resolve it in one per batch)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import fast_depends.utils
import pytest
from aiokafka.structs import ConsumerRecord

from ap_contracts.envelope import Actor, EventEnvelope
from ap_contracts.topics import dead_letter_topic
from ap_runtime.kafka import ensure_topics, idempotent_producer
from ap_runtime.projection import ProjectionRunner, read_model
from ap_runtime.projection.base import Projection, ReceivedEvent
from ap_runtime.projection.runner import LIVE_BATCH_RECORDS, build_app

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


class BatchSizes(SeenProjection):
    """``SeenProjection`` noting how many events each batch brought."""

    def __init__(self, topics: Sequence[str]) -> None:
        super().__init__(topics)
        self.sizes: list[int] = []

    async def apply_batch(self, conn: asyncpg.Connection, events: Sequence[ReceivedEvent]) -> None:
        self.sizes.append(len(events))
        await super().apply_batch(conn, events)


async def _through_faststream(pool: asyncpg.Pool, topic: str, kafka_bootstrap: str, ids: list[UUID],
                              before_start: bool = False) -> BatchSizes:
    """Records of ``ids`` produced to ``topic`` (before the runner starts, or after), applied by a runner in
    FastStream; returns its projection once every one was applied and they are all in the read model."""
    projection = BatchSizes((topic,))
    runner = ProjectionRunner(projection, pool, kafka_bootstrap)
    producer = idempotent_producer(kafka_bootstrap)
    app = build_app([runner], kafka_bootstrap)
    assert app.broker is not None
    await producer.start()

    async def produce() -> None:
        sent = [await producer.send(topic, value=r.value, key=r.key)
                for r in (record(topic, offset, event_id) for offset, event_id in enumerate(ids))]
        await asyncio.gather(*sent)

    try:
        if before_start:
            await produce()
        async with app.broker:
            await runner.start()
            await app.broker.start()
            if not before_start:
                await produce()
            async with asyncio.timeout(60):
                while runner.applied < len(ids):  # noqa: ASYNC110 - the runner's counter is what is awaited
                    await asyncio.sleep(0.05)
            await runner.stop()
    finally:
        await producer.stop()
    async with read_model(pool, "seen_events") as conn:
        assert {r["event_id"] for r in await conn.fetch("SELECT event_id FROM seen")} == set(ids)
    return projection


async def test_records_reach_the_projection_through_faststream_without_a_worker_thread(
        new_database: Callable[[str], object], new_topic: Callable[..., object], kafka_bootstrap: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    hops: list[Any] = []
    real = fast_depends.utils.run_in_threadpool

    async def counted(func: Any, *args: Any, **kwargs: Any) -> Any:
        hops.append(func)
        return await real(func, *args, **kwargs)

    monkeypatch.setattr(fast_depends.utils, "run_in_threadpool", counted)
    topic = await new_topic("runner-handler", partitions=1)  # type: ignore[misc]
    pool = await asyncpg.create_pool(await new_database("runner_handler"), min_size=1, max_size=2)  # type: ignore[misc]
    await _through_faststream(pool, topic, kafka_bootstrap, [uuid4() for _ in range(3)])
    await pool.close()
    assert hops == []  # with Context("message") fast_depends resolved it through run_in_threadpool per batch


async def test_a_runner_behind_catches_up_in_batches_of_more_than_five_hundred_records(
        new_database: Callable[[str], object], new_topic: Callable[..., object], kafka_bootstrap: str) -> None:
    topic = await new_topic("runner-backlog", partitions=1)  # type: ignore[misc]
    pool = await asyncpg.create_pool(await new_database("runner_backlog"), min_size=1, max_size=2)  # type: ignore[misc]
    projection = await _through_faststream(pool, topic, kafka_bootstrap, [uuid4() for _ in range(1500)],
                                           before_start=True)
    await pool.close()
    assert sum(projection.sizes) == 1500
    assert max(projection.sizes) > 500  # the backlog was there at the first poll: 500 a batch before issue 11
    assert max(projection.sizes) <= LIVE_BATCH_RECORDS == 2000
