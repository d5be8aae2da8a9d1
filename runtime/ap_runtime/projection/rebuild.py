"""Rebuild a read model from the beginning of its topics while the old one keeps serving.

The new generation is filled in its own schema from offset 0 (event topics keep records forever).
Once it has caught up, the rebuild takes the registry row FOR UPDATE, which waits for the live
runner's batch in progress and holds the next one; it applies whatever reached the topics in the
meantime, switches the serving schema, and commits. The live runner then continues on the new
generation, whose processed_events make anything already applied a no-op. The previous
generations are dropped in the same transaction: nothing would keep them up to date, so erasure
(and every later correction) would miss them.

The first catch-up may be shared by several processes (``CatchUpWorkers``: the rebuild's own and
``count - 1`` workers), each reading some of the partitions up to the ends taken when the rebuild
began (issue 11: one Python process decodes and copies about 40,000 events/s; a region's history
should use every core). A stream's events are in one partition, so each stream is still applied in
order by one process, and an event the relay published twice has both copies in the same partition,
where ``processed_events`` applies it once. A process that fails fails the rebuild; nothing serves
from the new generation until the switch.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass

import asyncpg
from aiokafka import AIOKafkaConsumer, TopicPartition
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from ap_runtime.kafka import client_security, topic_partitions
from ap_runtime.projection.base import Projection
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


@dataclass(frozen=True, slots=True)
class CatchUpWorkers:
    """Processes sharing a rebuild's first catch-up by partition: the rebuild's own and ``count - 1`` workers.

    ``command`` is the argument list after the Python interpreter that starts one worker for this
    projection, as ``ap projections catch-up`` takes it (``-m ap_runtime.projection catch-up`` with the
    projection, ``--dsn`` and ``--topic`` options); the rebuild adds ``--schema`` and the partitions.
    """

    count: int
    command: tuple[str, ...]


class RebuildWorkerFailed(RuntimeError):
    """A catch-up worker exited with an error: the rebuild stops and the serving generation stays."""


_GENERATION = re.compile(r"^rm_[a-z][a-z0-9_]{0,50}_g[0-9]+$")


def generation_schema(value: str) -> str:
    """``value`` if it names a read-model generation (``rm_<projection>_g<N>``); it is used in SQL."""
    if not _GENERATION.match(value):
        raise ValueError(f"{value!r} is not a read-model generation schema (rm_<projection>_g<N>)")
    return value


def partition_ends(specs: Sequence[str]) -> dict[TopicPartition, int]:
    """``topic:partition:end`` specifications (a worker's command line) as end offsets by partition."""
    ends: dict[TopicPartition, int] = {}
    for spec in specs:
        topic, partition, end = spec.rsplit(":", 2)
        ends[TopicPartition(topic, int(partition))] = int(end)
    return ends


async def catch_up_partitions(runner: ProjectionRunner, bootstrap: str, schema: str,
                              end: dict[TopicPartition, int]) -> int:
    """A worker's share: apply the given partitions from their beginning up to ``end`` into ``schema``."""
    consumer = _rebuild_consumer(bootstrap)
    await consumer.start()
    try:
        parts = list(end)
        consumer.assign(parts)
        await consumer.seek_to_beginning(*parts)
        return await _catch_up(runner, consumer, parts, generation_schema(schema), None, None, end)
    finally:
        await consumer.stop()


def _rebuild_consumer(bootstrap: str) -> AIOKafkaConsumer:
    return AIOKafkaConsumer(bootstrap_servers=bootstrap, **client_security(), enable_auto_commit=False,
                            group_id=None, max_partition_fetch_bytes=8 * 1024 * 1024,
                            fetch_max_bytes=64 * 1024 * 1024)


async def _start_workers(workers: CatchUpWorkers, schema: str, end: dict[TopicPartition, int],
                         shares: list[list[TopicPartition]]) -> list[asyncio.subprocess.Process]:
    return [
        await asyncio.create_subprocess_exec(
            sys.executable, *workers.command, "--schema", schema,
            *[f"--until={tp.topic}:{tp.partition}:{end[tp]}" for tp in share])
        for share in shares if share]


async def _catch_up_in_workers(workers: CatchUpWorkers, runner: ProjectionRunner, pool: asyncpg.Pool, bootstrap: str,
                               schema: str, end: dict[TopicPartition, int], progress: Progress, task: object) -> None:
    """This process and ``count - 1`` workers share the partitions; the progress bar follows the new generation.

    This process takes the first share itself: it has imported the projection already, so its share
    starts at once and goes on while the workers import theirs (1.2-1.8 s of CPU each, measured here), and one
    interpreter fewer is started (issue 11: a rebuild's CPU per event counts its workers').
    """
    parts = sorted(end, key=lambda tp: (tp.topic, tp.partition))
    shares = [parts[i::workers.count] for i in range(workers.count)]
    started = await _start_workers(workers, schema, end, shares[1:])
    own = asyncio.ensure_future(catch_up_partitions(runner, bootstrap, schema, {tp: end[tp] for tp in shares[0]}))
    waits = [own, *[asyncio.ensure_future(worker.wait()) for worker in started]]
    try:
        while not all(w.done() for w in waits):
            await asyncio.wait(waits, timeout=0.5, return_when=asyncio.FIRST_EXCEPTION)
            if own.done() and own.exception() is not None:
                break
            if any(worker.returncode not in (None, 0) for worker in started):
                break
            applied = await pool.fetchval("SELECT events_applied + duplicates FROM public.projection_status"
                                          " WHERE name = $1 AND schema_name = $2", runner.projection.name, schema)
            progress.update(task, completed=int(applied or 0))  # type: ignore[arg-type]
        failed = [worker.returncode for worker in started if worker.returncode not in (None, 0)]
        if failed:
            raise RebuildWorkerFailed(f"a catch-up worker of {runner.projection.name} exited with {failed[0]}")
        await own  # re-raises what ended this process's share, if anything did
    finally:
        await _stop_all(own, started)


async def _stop_all(own: asyncio.Future[int], started: list[asyncio.subprocess.Process]) -> None:
    """Cancel this process's share and kill the workers still running (the rebuild has failed)."""
    if not own.done():
        own.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await own
    for worker in started:
        if worker.returncode is None:
            worker.kill()
            await worker.wait()


async def _catch_up(runner: ProjectionRunner, consumer: AIOKafkaConsumer, parts: list[TopicPartition],
                    schema: str, progress: Progress | None, task: object,
                    end: dict[TopicPartition, int] | None = None) -> int:
    """Apply everything up to ``end`` (the topics' current ends by default) into ``schema``; returns how many.

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


async def _new_generation(pool: asyncpg.Pool, projection: Projection) -> tuple[int, str]:
    """The next generation's number and its schema, created empty (an interrupted rebuild's leftovers dropped)."""
    await ensure_registered(pool, projection)
    generation = int(await pool.fetchval(
        "SELECT generation FROM public.projection_registry WHERE name = $1", projection.name)) + 1
    schema = schema_name(projection.name, generation)
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")  # leftovers of an interrupted rebuild
        await prepare_schema(conn, projection, schema)
    return generation, schema


async def rebuild(runner: ProjectionRunner, pool: asyncpg.Pool, bootstrap: str, show_progress: bool = True,
                  workers: CatchUpWorkers | None = None) -> str:
    """Rebuild ``runner.projection`` into a new generation and switch to it; returns the new schema.

    With ``workers`` (more than one) the first catch-up runs in that many processes; the final one,
    under the registry's lock, in this one.
    """
    projection = runner.projection
    generation, schema = await _new_generation(pool, projection)
    consumer = _rebuild_consumer(bootstrap)
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
            if workers is not None and workers.count > 1:
                await _catch_up_in_workers(workers, runner, pool, bootstrap, schema, end, progress, task)
                for tp in parts:
                    consumer.seek(tp, end[tp])  # the final catch-up goes on from where the workers stopped
            else:
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
