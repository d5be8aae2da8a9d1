"""Operator commands for projections: list, run, rebuild, status.

    ap projections list
    ap projections rebuild notification_alerts [--topic ap.incidents.events] [--dsn ...]
    ap projections run incidents_behaviour_log incidents_placement_register
    ap projections status reporting_facts

A projection is named as the registry knows it (``ap projections list``; each is built with its
collaborators from the environment, see ``ap_runtime.projection.registry``), or as ``module:Class``
for a projection outside the registry (then ``--dsn`` is required). ``--topic`` (repeatable)
replaces the topics the projection reads; ``--dsn`` its read-model database.
"""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

import asyncpg
import typer
import uvloop
from rich.console import Console
from rich.table import Table

from ap_runtime.eventstore.codec import EventCodec
from ap_runtime.logging import configure_logging
from ap_runtime.projection.base import Projection
from ap_runtime.projection.catch_up import catch_up_partitions
from ap_runtime.projection.collector import freeze_startup_objects
from ap_runtime.projection.deferred_indexes import DuplicatesLoaded
from ap_runtime.projection.rebuild import DUPLICATES_LOADED_EXIT, CatchUpWorkers, partition_ends, rebuild
from ap_runtime.projection.registry import (
    BuiltProjection,
    ProjectionOptions,
    UnknownProjection,
    projection_named,
    registered_projections,
)
from ap_runtime.projection.runner import ProjectionRunner, build_app
from ap_runtime.projection.status import projection_health
from ap_runtime.projection.worker_process import die_with_parent
from ap_runtime.settings import platform_settings
from ap_runtime.worker import run_until_stopped

app = typer.Typer(help="Run, rebuild and inspect read-model projections.", no_args_is_help=True)

NamesArg = typer.Argument(None, help="registered projection names (see `list`)", show_default=False)
ProjectionOpt = typer.Option([], "--projection", help="module:Class of a projection outside the registry")
DsnOpt = typer.Option(None, "--dsn", help="PostgreSQL DSN of the read model database (default: the service's)")
TopicOpt = typer.Option([], "--topic", help="topic to read instead of the projection's own (repeatable)")


async def _codec_for(projection: Projection) -> EventCodec | None:
    if not projection.needs_personal_data:
        return None
    from ap_runtime.privacy.factory import codec_from_env

    codec: EventCodec = await codec_from_env()
    return codec


@asynccontextmanager
async def _by_class(spec: str, options: ProjectionOptions) -> AsyncIterator[BuiltProjection]:
    if not options.dsn:
        raise typer.BadParameter(f"{spec}: a projection named as module:Class needs --dsn")
    module, _, attr = spec.partition(":")
    cls = getattr(importlib.import_module(module), attr)
    projection: Projection = cls(topics=options.topics) if options.topics else cls()
    pool = await asyncpg.create_pool(options.dsn, min_size=1, max_size=8)
    try:
        yield BuiltProjection(projection, pool, await _codec_for(projection))
    finally:
        await pool.close()


async def _open_all(stack: AsyncExitStack, names: list[str] | None, classes: list[str], dsn: str | None,
                    topics: list[str]) -> list[BuiltProjection]:
    if not names and not classes:
        raise typer.BadParameter("name at least one projection (see `ap projections list`)")
    options = ProjectionOptions(topics=tuple(topics) or None, dsn=dsn)
    built: list[BuiltProjection] = []
    for name in names or []:
        try:
            entry = projection_named(name)
        except UnknownProjection as exc:
            raise typer.BadParameter(str(exc)) from None
        one = await stack.enter_async_context(entry.open(options))
        if one.codec is None:
            one.codec = await _codec_for(one.projection)
        built.append(one)
    for spec in classes:
        built.append(await stack.enter_async_context(_by_class(spec, options)))
    return built


def _bootstrap() -> str:
    return platform_settings().kafka_bootstrap


@app.command(name="list")
def list_cmd() -> None:
    """The projections the registry knows, by service."""
    table = Table("projection", "service")
    for entry in sorted(registered_projections().values(), key=lambda e: (e.service, e.name)):
        table.add_row(entry.name, entry.service)
    Console().print(table)


@app.command()
def run(names: list[str] = NamesArg, projection: list[str] = ProjectionOpt, dsn: str | None = DsnOpt,
        topic: list[str] = TopicOpt) -> None:
    """Consume and apply until stopped (SIGTERM/SIGINT)."""
    configure_logging(platform_settings().log_level)

    async def main() -> None:
        async with AsyncExitStack() as stack:
            built = await _open_all(stack, names, projection, dsn, topic)
            runners = [ProjectionRunner(b.projection, b.pool, _bootstrap(), codec=b.codec) for b in built]
            await run_until_stopped(build_app(runners, _bootstrap()))

    uvloop.run(main())  # the event loop the services run on: less per-record overhead than asyncio's


WorkersOpt = typer.Option(1, "--workers", min=1,
                          help="processes sharing the first catch-up by partition, this one included")


def _worker_command(name: str | None, spec: str | None, dsn: str | None, topics: list[str]) -> tuple[str, ...]:
    """How a catch-up worker names the projection, its database and topics: as this command was told."""
    named = [name] if name is not None else ["--projection", str(spec)]
    return ("-m", "ap_runtime.rebuild_worker", "catch-up", *named, *(["--dsn", dsn] if dsn else []),
            *[part for t in topics for part in ("--topic", t)])


@app.command(name="rebuild")
def rebuild_cmd(names: list[str] = NamesArg, projection: list[str] = ProjectionOpt, dsn: str | None = DsnOpt,
                topic: list[str] = TopicOpt, workers: int = WorkersOpt) -> None:
    """Fill a new generation from the start of the topics, then switch serving to it (and drop the old one)."""
    configure_logging("WARNING")
    specs: list[tuple[str | None, str | None]] = [(n, None) for n in names or []] + [(None, p) for p in projection]

    async def main() -> None:
        async with AsyncExitStack() as stack:
            for b, (name, spec) in zip(await _open_all(stack, names, projection, dsn, topic), specs, strict=True):
                runner = ProjectionRunner(b.projection, b.pool, _bootstrap(), codec=b.codec,
                                          group_id=f"rebuild.{b.projection.name}")
                await runner.start()
                freeze_startup_objects()
                try:
                    schema = await rebuild(runner, b.pool, _bootstrap(), workers=CatchUpWorkers(
                        workers, _worker_command(name, spec, dsn, topic)))
                finally:
                    await runner.stop()
                Console().print(f"[green]{b.projection.name}[/] now served from [bold]{schema}[/]")

    uvloop.run(main())


@app.command(name="catch-up", hidden=True)
def catch_up_cmd(names: list[str] = NamesArg, projection: list[str] = ProjectionOpt, dsn: str | None = DsnOpt,
                 topic: list[str] = TopicOpt, schema: str = typer.Option(..., "--schema"),
                 until: list[str] = typer.Option(..., "--until", help="topic:partition:end offset"),
                 parent: int | None = typer.Option(None, "--parent", help="the rebuild's process id")) -> None:
    """A rebuild's worker: apply the given partitions up to the given offsets into the generation being filled."""
    configure_logging("WARNING")
    die_with_parent(parent)

    async def main() -> None:
        async with AsyncExitStack() as stack:
            (b,) = await _open_all(stack, names, projection, dsn, topic)
            runner = ProjectionRunner(b.projection, b.pool, _bootstrap(), codec=b.codec,
                                      group_id=f"rebuild.{b.projection.name}")
            await runner.start()
            freeze_startup_objects()
            try:
                await catch_up_partitions(runner, b.pool, _bootstrap(), schema, partition_ends(until))
            finally:
                await runner.stop()

    try:
        uvloop.run(main())
    except DuplicatesLoaded:
        raise typer.Exit(DUPLICATES_LOADED_EXIT) from None  # the rebuild starts again with every index


@app.command()
def status(names: list[str] = NamesArg, projection: list[str] = ProjectionOpt, dsn: str | None = DsnOpt,
           topic: list[str] = TopicOpt, sample_seconds: float = 2.0) -> None:
    """Events applied, events/s over a short sample, consumer lag and last activity of each projection."""

    async def main() -> None:
        table = Table("projection", "schema", "applied", "events/s", "lag", "dead-lettered", "last applied")
        async with AsyncExitStack() as stack:
            for b in await _open_all(stack, names, projection, dsn, topic):
                rows = await projection_health(b.pool, _bootstrap(), {b.projection.name: b.projection.topics},
                                               sample_seconds)
                for r in rows:
                    table.add_row(r.name, r.schema, str(r.events_applied), str(r.events_per_second),
                                  "unknown" if r.consumer_lag is None else str(r.consumer_lag),
                                  str(r.dead_lettered), str(r.last_applied_at))
        Console().print(table)

    asyncio.run(main())


if __name__ == "__main__":
    app()
