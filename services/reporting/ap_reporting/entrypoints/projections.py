"""Run the reporting projection: ``python -m ap_reporting.entrypoints.projections`` (until SIGTERM).

Rebuild from the start of the topic with ``python -m ap_runtime.projection rebuild --projection
ap_reporting.projections.facts:ReportingFactsProjection --dsn <AP_DSN_AP_REPORTING>``.
"""

from __future__ import annotations

import asyncio

import asyncpg

from ap_reporting.entrypoints.settings import ReportingSettings
from ap_reporting.projections.facts import ReportingFactsProjection
from ap_runtime.logging import configure_logging
from ap_runtime.projection import ProjectionRunner
from ap_runtime.projection.runner import build_app
from ap_runtime.worker import run_until_stopped


def runner(pool: asyncpg.Pool, settings: ReportingSettings) -> ProjectionRunner:
    projection = ReportingFactsProjection(topics=(settings.topic,))
    return ProjectionRunner(projection, pool, settings.kafka_bootstrap,
                            group_id=f"{settings.group_prefix}.{projection.name}")


async def run() -> None:
    settings = ReportingSettings.from_env()
    pool = await asyncpg.create_pool(settings.dsn, min_size=2, max_size=8)
    await run_until_stopped(build_app([runner(pool, settings)], settings.kafka_bootstrap), pool.close)


def main() -> None:
    configure_logging(ReportingSettings.from_env().log_level)  # a bad value stops here, naming the variable
    asyncio.run(run())


if __name__ == "__main__":
    main()
