"""A rebuild's catch-up: records read from the beginning of partitions up to given ends, decoded, applied.

Split from ``rebuild.py`` (which creates the generation, shares the partitions among processes and
switches): this is what each of those processes runs over its partitions (``catch_up_partitions``).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import re
from collections.abc import Awaitable, Callable

import asyncpg
from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from rich.progress import Progress

from ap_runtime.kafka import client_security
from ap_runtime.projection.collector import collector_paused
from ap_runtime.projection.deferred_indexes import indexes_deferred
from ap_runtime.projection.first_load import FirstLoad
from ap_runtime.projection.runner import DecodedRecord, ProjectionRunner

# One transaction per this many records: large enough that the per-batch round trips (registry,
# status, commit) vanish next to the rows, small enough that a batch's memory stays modest.
REBUILD_BATCH_RECORDS = 5000


# The collector is paused while catching up (``collector.py``) and run in full once every this many
# records, which bounds what the odd reference cycle can hold during a long rebuild.
FULL_COLLECTION_EVERY_RECORDS = 500_000


_GENERATION = re.compile(r"^rm_[a-z][a-z0-9_]{0,50}_g[0-9]+$")


def generation_schema(value: str) -> str:
    """``value`` if it names a read-model generation (``rm_<projection>_g<N>``); it is used in SQL."""
    if not _GENERATION.match(value):
        raise ValueError(f"{value!r} is not a read-model generation schema (rm_<projection>_g<N>)")
    return value


async def _fetch(consumer: AIOKafkaConsumer, parts: list[TopicPartition], end: dict[TopicPartition, int],
                 runner: ProjectionRunner, out: asyncio.Queue[list[DecodedRecord] | None]) -> None:
    """Read every partition up to ``end`` (never past it: the rest belongs to the next round), decode, hand on."""
    while [tp for tp in parts if await consumer.position(tp) < end[tp]]:
        batches = await consumer.getmany(*parts, timeout_ms=500, max_records=REBUILD_BATCH_RECORDS)
        records = [r for tp in parts for r in _below(batches.get(tp, []), end[tp])]
        for tp in parts:
            if await consumer.position(tp) > end[tp]:
                consumer.seek(tp, end[tp])
        if records:
            await out.put(await runner.decode(records))
    await out.put(None)


def _below(records: list[ConsumerRecord[bytes, bytes]], end: int) -> list[ConsumerRecord[bytes, bytes]]:
    """A partition's fetched ``records`` (in offset order) before offset ``end``: all of them but near the end.

    Tested once on the last record, not on each (issue 11: a ``TopicPartition`` hashed per record of a rebuild).
    """
    if not records or records[-1].offset < end:
        return records
    return [r for r in records if r.offset < end]


async def catch_up_partitions(runner: ProjectionRunner, pool: asyncpg.Pool, bootstrap: str, schema: str,
                              end: dict[TopicPartition, int]) -> int:
    """A worker's share: apply the given partitions from their beginning up to ``end`` into ``schema``.

    While the generation waits for its deferred indexes the share is loaded as ``FirstLoad`` does.
    """
    schema = generation_schema(schema)
    apply = await first_catch_up(runner, pool, schema)
    consumer = rebuild_consumer(bootstrap)
    await consumer.start()
    try:
        parts = list(end)
        consumer.assign(parts)
        await consumer.seek_to_beginning(*parts)
        return await catch_up(runner, apply, consumer, parts, None, None, end)
    finally:
        await consumer.stop()


Apply = Callable[[list[DecodedRecord]], Awaitable[int]]


async def first_catch_up(runner: ProjectionRunner, pool: asyncpg.Pool, schema: str) -> Apply:
    """How the first catch-up applies a batch: ``FirstLoad`` without the deferred indexes, else as usual."""
    if await indexes_deferred(pool, schema):
        return FirstLoad(runner, pool, schema).apply
    return applying(runner, schema)


def applying(runner: ProjectionRunner, schema: str) -> Apply:
    """A batch applied into ``schema`` as the runner applies it (copied in, or applied if it cannot be)."""

    async def apply(batch: list[DecodedRecord]) -> int:
        return await runner.apply_decoded(batch, schema=schema)

    return apply


def rebuild_consumer(bootstrap: str) -> AIOKafkaConsumer:
    return AIOKafkaConsumer(bootstrap_servers=bootstrap, **client_security(), enable_auto_commit=False,
                            group_id=None, max_partition_fetch_bytes=8 * 1024 * 1024,
                            fetch_max_bytes=64 * 1024 * 1024)


async def catch_up(runner: ProjectionRunner, apply: Apply, consumer: AIOKafkaConsumer, parts: list[TopicPartition],
                   progress: Progress | None, task: object, end: dict[TopicPartition, int] | None = None) -> int:
    """Apply everything up to ``end`` (the topics' current ends by default) by ``apply``; returns how many.

    Fetching and decoding the next batch (Python's work) runs while the current batch's transaction
    is in PostgreSQL, so neither waits for the other; batches are still applied one at a time and in
    order, so each partition's records are applied in offset order, as by the live runner.
    """
    end = end or await consumer.end_offsets(parts)
    ready: asyncio.Queue[list[DecodedRecord] | None] = asyncio.Queue(maxsize=2)
    fetching = asyncio.create_task(_fetch(consumer, parts, end, runner, ready))
    total = uncollected = 0
    try:
        with collector_paused():
            while (batch := await ready.get()) is not None:
                await apply(batch)
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
