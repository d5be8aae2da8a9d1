"""Operator commands for projections: run, rebuild, status.

    python -m ap_runtime.projection run --projection ap_runtime.testing.projections:CounterProjection --dsn ...
    python -m ap_runtime.projection rebuild --projection ... --dsn ...
    python -m ap_runtime.projection status --projection ... --dsn ...
"""

from __future__ import annotations

import asyncio
import importlib
import os
import signal

import asyncpg
import typer
from rich.console import Console
from rich.table import Table

from ap_runtime.eventstore.codec import EventCodec
from ap_runtime.logging import configure_logging
from ap_runtime.projection.base import Projection
from ap_runtime.projection.rebuild import rebuild
from ap_runtime.projection.runner import ProjectionRunner, build_app
from ap_runtime.projection.status import projection_health
from ap_runtime.settings import DEFAULT_KAFKA

app = typer.Typer(help="Run, rebuild and inspect read-model projections.", no_args_is_help=True)

ProjectionOpt = typer.Option(..., "--projection", help="module:Class of the projection(s)")
DsnOpt = typer.Option(..., "--dsn", help="PostgreSQL DSN of the read model database")


def _load(specs: list[str]) -> list[Projection]:
    found: list[Projection] = []
    for spec in specs:
        module, _, attr = spec.partition(":")
        cls = getattr(importlib.import_module(module), attr)
        found.append(cls())
    return found


async def _codec_for(projections: list[Projection]) -> EventCodec | None:
    if not any(p.needs_personal_data for p in projections):
        return None
    from ap_runtime.privacy.factory import codec_from_env

    codec: EventCodec = await codec_from_env()
    return codec


def _bootstrap() -> str:
    return os.environ.get("KAFKA_BOOTSTRAP_SERVERS", DEFAULT_KAFKA)


@app.command()
def run(projection: list[str] = ProjectionOpt, dsn: str = DsnOpt) -> None:
    """Consume and apply until stopped (SIGTERM/SIGINT)."""
    configure_logging(os.environ.get("AP_LOG_LEVEL", "INFO"))

    async def main() -> None:
        projections = _load(projection)
        pool = await asyncpg.create_pool(dsn, min_size=2, max_size=8)
        codec = await _codec_for(projections)
        runners = [ProjectionRunner(p, pool, _bootstrap(), codec=codec) for p in projections]
        stream_app = build_app(runners, _bootstrap())
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stream_app.exit)
        try:
            await stream_app.run()
        finally:
            await pool.close()

    asyncio.run(main())


@app.command(name="rebuild")
def rebuild_cmd(projection: list[str] = ProjectionOpt, dsn: str = DsnOpt) -> None:
    """Fill a new generation from the start of the topics, then switch serving to it."""
    configure_logging("WARNING")

    async def main() -> None:
        projections = _load(projection)
        pool = await asyncpg.create_pool(dsn, min_size=2, max_size=8)
        codec = await _codec_for(projections)
        try:
            for p in projections:
                runner = ProjectionRunner(p, pool, _bootstrap(), codec=codec, group_id=f"rebuild.{p.name}")
                await runner.start()
                try:
                    schema = await rebuild(runner, pool, _bootstrap())
                finally:
                    await runner.stop()
                Console().print(f"[green]{p.name}[/] now served from [bold]{schema}[/]")
        finally:
            await pool.close()

    asyncio.run(main())


@app.command()
def status(projection: list[str] = ProjectionOpt, dsn: str = DsnOpt, sample_seconds: float = 2.0) -> None:
    """Events applied, events/s over a short sample, consumer lag and last activity of each projection."""

    async def main() -> None:
        projections = _load(projection)
        pool = await asyncpg.create_pool(dsn, min_size=1, max_size=2)
        try:
            rows = await projection_health(pool, _bootstrap(), {p.name: p.topics for p in projections},
                                           sample_seconds)
        finally:
            await pool.close()
        table = Table("projection", "schema", "applied", "events/s", "lag", "dead-lettered", "last applied")
        for r in rows:
            table.add_row(r.name, r.schema, str(r.events_applied), str(r.events_per_second),
                          "unknown" if r.consumer_lag is None else str(r.consumer_lag), str(r.dead_lettered),
                          str(r.last_applied_at))
        Console().print(table)

    asyncio.run(main())


if __name__ == "__main__":
    app()
