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
from the new generation until the switch. The first catch-up loads without the generation's unique
indexes, built before the switch (``deferred_indexes.py``); the catch-up itself is ``catch_up.py``.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass

import asyncpg
from aiokafka import AIOKafkaConsumer, TopicPartition
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from ap_runtime.kafka import topic_partitions
from ap_runtime.logging import get_logger
from ap_runtime.projection.base import Projection
from ap_runtime.projection.catch_up import (
    applying,
    catch_up,
    catch_up_partitions,
    first_catch_up,
    rebuild_consumer,
)
from ap_runtime.projection.deferred_indexes import (
    DuplicatesLoaded,
    build_deferred_indexes,
    defer_projection_indexes,
)
from ap_runtime.projection.runner import ProjectionRunner
from ap_runtime.projection.store import (
    drop_retired_generations,
    ensure_registered,
    prepare_schema,
    schema_name,
)

log = get_logger("ap.projection.rebuild")


@dataclass(frozen=True, slots=True)
class CatchUpWorkers:
    """Processes sharing a rebuild's first catch-up by partition: the rebuild's own and ``count - 1`` workers.

    ``command`` is the argument list after the Python interpreter that starts one worker for this
    projection, as ``ap projections catch-up`` takes it (``-m ap_runtime.rebuild_worker catch-up`` with the
    projection, ``--dsn`` and ``--topic`` options); the rebuild adds ``--schema`` and the partitions.
    """

    count: int
    command: tuple[str, ...]


class RebuildWorkerFailed(RuntimeError):
    """A catch-up worker exited with an error: the rebuild stops and the serving generation stays."""


# A catch-up worker's exit status when building the deferred indexes found an event loaded twice
# (``DuplicatesLoaded``): the rebuild starts again with every index, not fails.
DUPLICATES_LOADED_EXIT = 75


def partition_ends(specs: Sequence[str]) -> dict[TopicPartition, int]:
    """``topic:partition:end`` specifications (a worker's command line) as end offsets by partition."""
    ends: dict[TopicPartition, int] = {}
    for spec in specs:
        topic, partition, end = spec.rsplit(":", 2)
        ends[TopicPartition(topic, int(partition))] = int(end)
    return ends


async def _start_workers(workers: CatchUpWorkers, schema: str, end: dict[TopicPartition, int],
                         shares: list[list[TopicPartition]]) -> list[asyncio.subprocess.Process]:
    return [
        await asyncio.create_subprocess_exec(
            sys.executable, *workers.command, "--schema", schema, f"--parent={os.getpid()}",
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
    own = asyncio.ensure_future(catch_up_partitions(runner, pool, bootstrap, schema,
                                                    {tp: end[tp] for tp in shares[0]}))
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
        if DUPLICATES_LOADED_EXIT in failed:
            raise DuplicatesLoaded(f"a catch-up worker of {runner.projection.name} found events loaded twice")
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


async def _new_generation(pool: asyncpg.Pool, projection: Projection, defer: bool) -> tuple[int, str]:
    """The next generation's number and its schema, created empty (an interrupted rebuild's leftovers dropped).

    With ``defer`` its deferred indexes are dropped until it has been loaded (``deferred_indexes.py``).
    """
    await ensure_registered(pool, projection)
    generation = int(await pool.fetchval(
        "SELECT generation FROM public.projection_registry WHERE name = $1", projection.name)) + 1
    schema = schema_name(projection.name, generation)
    async with pool.acquire() as conn, conn.transaction():
        # Leftovers of an interrupted rebuild, its counts too (they would add to this one's).
        await conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        await conn.execute("DELETE FROM public.projection_status WHERE name = $1 AND schema_name = $2",
                           projection.name, schema)
        await prepare_schema(conn, projection, schema)
        if defer:
            await defer_projection_indexes(conn, schema, projection)
    return generation, schema


async def rebuild(runner: ProjectionRunner, pool: asyncpg.Pool, bootstrap: str, show_progress: bool = True,
                  workers: CatchUpWorkers | None = None, defer: bool = True) -> str:
    """Rebuild ``runner.projection`` into a new generation and switch to it; returns the new schema.

    With ``workers`` (more than one) the first catch-up runs in that many processes; the final one,
    under the registry's lock, in this one. With ``defer`` the first catch-up loads without the unique
    indexes on event ids and the projection's ``deferred_indexes``, built before the final catch-up; if
    they find an event loaded twice, the rebuild starts again with every index in place.
    """
    try:
        return await _rebuild(runner, pool, bootstrap, show_progress, workers, defer)
    except DuplicatesLoaded as exc:
        if not defer:
            raise
        log.warning("an event was loaded twice without the indexes; rebuilding with them",
                    projection=runner.projection.name, error=str(exc))
        return await _rebuild(runner, pool, bootstrap, show_progress, workers, False)


async def _rebuild(runner: ProjectionRunner, pool: asyncpg.Pool, bootstrap: str, show_progress: bool,
                   workers: CatchUpWorkers | None, defer: bool) -> str:
    projection = runner.projection
    generation, schema = await _new_generation(pool, projection, defer)
    consumer = rebuild_consumer(bootstrap)
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
                await catch_up(runner, await first_catch_up(runner, pool, schema), consumer, parts, progress, task)
            await build_deferred_indexes(pool, schema)  # outside the registry's lock: the live runner goes on
            await _switch(runner, pool, consumer, parts, schema, generation)
    finally:
        await consumer.stop()
    return schema


async def _switch(runner: ProjectionRunner, pool: asyncpg.Pool, consumer: AIOKafkaConsumer,
                  parts: list[TopicPartition], schema: str, generation: int) -> None:
    """Under the registry's row lock: apply what arrived meanwhile, serve from ``schema``, drop the others."""
    name = runner.projection.name
    async with pool.acquire() as lock_conn, lock_conn.transaction():
        await lock_conn.execute("SELECT 1 FROM public.projection_registry WHERE name = $1 FOR UPDATE", name)
        await catch_up(runner, applying(runner, schema), consumer, parts, None, None)
        await lock_conn.execute(
            "UPDATE public.projection_registry SET active_schema = $2, generation = $3, switched_at = now()"
            " WHERE name = $1", name, schema, generation)
        await drop_retired_generations(lock_conn, name, schema)
