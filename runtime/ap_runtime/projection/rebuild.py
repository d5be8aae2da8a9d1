"""Rebuild a read model from the beginning of its topics while the old one keeps serving.

The new generation is filled in its own schema from offset 0 (event topics keep records forever).
Once it has caught up, the rebuild takes the registry row FOR UPDATE, which waits for the live
runner's batch in progress and holds the next one; it applies whatever reached the topics in the
meantime, switches the serving schema, and commits. The live runner then continues on the new
generation, whose processed_events make anything already applied a no-op. The previous
generations are dropped in the same transaction: nothing would keep them up to date, so erasure
(and every later correction) would miss them.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc

import asyncpg
from aiokafka import AIOKafkaConsumer, TopicPartition
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from ap_runtime.kafka import client_security, topic_partitions
from ap_runtime.projection.collector import collector_paused
from ap_runtime.projection.runner import DecodedRecord, ProjectionRunner
from ap_runtime.projection.store import (
    drop_retired_generations,
    ensure_registered,
    prepare_schema,
    schema_name,
)

# One transaction per this many records: large enough that the per-batch round trips (registry,
# status, commit) vanish next to the rows, small enough that a batch's memory stays modest.
REBUILD_BATCH_RECORDS = 5000


# The collector is paused while catching up (``collector.py``) and run in full once every this many
# records, which bounds what the odd reference cycle can hold during a long rebuild.
FULL_COLLECTION_EVERY_RECORDS = 500_000


async def _fetch(consumer: AIOKafkaConsumer, parts: list[TopicPartition], end: dict[TopicPartition, int],
                 runner: ProjectionRunner, out: asyncio.Queue[list[DecodedRecord] | None]) -> None:
    """Read every partition up to ``end`` (never past it: the rest belongs to the next round), decode, hand on."""
    while [tp for tp in parts if await consumer.position(tp) < end[tp]]:
        batches = await consumer.getmany(*parts, timeout_ms=500, max_records=REBUILD_BATCH_RECORDS)
        records = [r for tp in parts for r in batches.get(tp, []) if r.offset < end[tp]]
        for tp in parts:
            if await consumer.position(tp) > end[tp]:
                consumer.seek(tp, end[tp])
        if records:
            await out.put(await runner.decode(records))
    await out.put(None)


async def _catch_up(runner: ProjectionRunner, consumer: AIOKafkaConsumer, parts: list[TopicPartition],
                    schema: str, progress: Progress | None, task: object) -> int:
    """Apply everything up to the topics' current ends into ``schema``; returns how many records.

    Fetching and decoding the next batch (Python's work) runs while the current batch's transaction
    is in PostgreSQL, so neither waits for the other; batches are still applied one at a time and in
    order, so each partition's records are applied in offset order, as by the live runner.
    """
    end = await consumer.end_offsets(parts)
    ready: asyncio.Queue[list[DecodedRecord] | None] = asyncio.Queue(maxsize=2)
    fetching = asyncio.create_task(_fetch(consumer, parts, end, runner, ready))
    total = uncollected = 0
    try:
        with collector_paused():
            while (batch := await ready.get()) is not None:
                await runner.apply_decoded(batch, schema=schema)
                total += len(batch)
                uncollected += len(batch)
                if uncollected >= FULL_COLLECTION_EVERY_RECORDS:
                    gc.collect()
                    uncollected = 0
                if progress is not None:
                    progress.advance(task, len(batch))  # type: ignore[arg-type]
            await fetching  # re-raises what ended the fetch, if anything did
    finally:
        if not fetching.done():
            fetching.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await fetching
    return total


async def rebuild(runner: ProjectionRunner, pool: asyncpg.Pool, bootstrap: str, show_progress: bool = True) -> str:
    """Rebuild ``runner.projection`` into a new generation and switch to it; returns the new schema."""
    projection = runner.projection
    await ensure_registered(pool, projection)
    generation = int(await pool.fetchval(
        "SELECT generation FROM public.projection_registry WHERE name = $1", projection.name)) + 1
    schema = schema_name(projection.name, generation)
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")  # leftovers of an interrupted rebuild
        await prepare_schema(conn, projection, schema)
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, **client_security(), enable_auto_commit=False,
                                group_id=None, max_partition_fetch_bytes=8 * 1024 * 1024,
                                fetch_max_bytes=64 * 1024 * 1024)
    await consumer.start()
    try:
        parts = await topic_partitions(bootstrap, projection.topics)
        consumer.assign(parts)
        await consumer.seek_to_beginning(*parts)
        begin = await consumer.beginning_offsets(parts)
        end = await consumer.end_offsets(parts)
        with Progress(TextColumn(f"rebuild {projection.name} g{generation}"), BarColumn(), MofNCompleteColumn(),
                      TimeRemainingColumn(), disable=not show_progress) as progress:
            task = progress.add_task("events", total=sum(end[p] - begin[p] for p in parts))
            await _catch_up(runner, consumer, parts, schema, progress, task)
            async with pool.acquire() as lock_conn, lock_conn.transaction():
                await lock_conn.execute(
                    "SELECT 1 FROM public.projection_registry WHERE name = $1 FOR UPDATE", projection.name)
                await _catch_up(runner, consumer, parts, schema, None, task)
                await lock_conn.execute(
                    "UPDATE public.projection_registry SET active_schema = $2, generation = $3, switched_at = now()"
                    " WHERE name = $1", projection.name, schema, generation)
                await drop_retired_generations(lock_conn, projection.name, schema)
    finally:
        await consumer.stop()
    return schema
