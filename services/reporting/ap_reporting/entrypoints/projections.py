"""Run the reporting projection: ``python -m ap_reporting.entrypoints.projections`` (until SIGTERM).

Rebuild from the start of the topic with ``python -m ap_runtime.projection rebuild --projection
ap_reporting.projections.facts:ReportingFactsProjection --dsn <AP_DSN_AP_REPORTING>``.
"""

from __future__ import annotations

import asyncio

import asyncpg

from ap_reporting.entrypoints.settings import ReportingSettings
from ap_reporting.projections.commissioning_facts import ReportingCommissioningFactsProjection
from ap_reporting.projections.exclusion_reasons import ExclusionReasonsProjection
from ap_reporting.projections.facts import ReportingFactsProjection
from ap_reporting.projections.finance_ledger import ReportingFinanceProjection
from ap_runtime.logging import configure_logging
from ap_runtime.projection import Projection, ProjectionRunner
from ap_runtime.projection.runner import build_app
from ap_runtime.worker import run_until_stopped


def _runner(projection: Projection, pool: asyncpg.Pool, settings: ReportingSettings) -> ProjectionRunner:
    return ProjectionRunner(projection, pool, settings.kafka_bootstrap,
                            group_id=f"{settings.group_prefix}.{projection.name}")


def runner(pool: asyncpg.Pool, settings: ReportingSettings) -> ProjectionRunner:
    return _runner(ReportingFactsProjection(topics=(settings.topic,)), pool, settings)


def commissioning_runner(pool: asyncpg.Pool, settings: ReportingSettings) -> ProjectionRunner:
    """Panel referrals and Fair Access cases for the Schools Forum tables (issue 15, seed 004)."""
    return _runner(ReportingCommissioningFactsProjection(topics=(settings.commissioning_topic,)), pool, settings)


async def run() -> None:
    settings = ReportingSettings.from_env()
    pool = await asyncpg.create_pool(settings.dsn, min_size=2, max_size=8)
    runners = [runner(pool, settings), commissioning_runner(pool, settings),
               _runner(ExclusionReasonsProjection(topics=(settings.topic,)), pool, settings),
               _runner(ReportingFinanceProjection(topics=(settings.finance_topic,)), pool, settings)]
    await run_until_stopped(build_app(runners, settings.kafka_bootstrap), pool.close)


def main() -> None:
    configure_logging(ReportingSettings.from_env().log_level)  # a bad value stops here, naming the variable
    asyncio.run(run())


if __name__ == "__main__":
    main()
