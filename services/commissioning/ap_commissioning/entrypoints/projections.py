"""Run the commissioning read models: ``python -m ap_commissioning.entrypoints.projections``.

Consumes, from the incidents service's events, the register's term dates and organisations
(``commissioning_calendars``: the LA calendars Fair Access waits and referral decision times are counted with)
into the commissioning database, each event applied exactly once. Only those clear organisation facts are
kept; this process holds no pupil key and needs none.

Environment: AP_DSN_AP_COMMISSIONING (default database ap_commissioning on DATABASE_URL's server),
KAFKA_BOOTSTRAP_SERVERS, AP_LOG_LEVEL. Option --incidents-topic replaces the contract topic, and --group-suffix
gives the consumer group its own name (tests give each run its own topics and groups).
"""

from __future__ import annotations

import argparse
import asyncio

import asyncpg

from ap_commissioning.adapters.event_store import commissioning_dsn
from ap_commissioning.entrypoints.settings import commissioning_settings
from ap_commissioning.projections.calendars import CommissioningCalendarProjection
from ap_runtime.logging import configure_logging
from ap_runtime.projection import ProjectionRunner
from ap_runtime.projection.runner import build_app
from ap_runtime.worker import run_until_stopped


async def run(dsn: str, incidents_topic: str | None, group_suffix: str | None) -> None:
    bootstrap = commissioning_settings().kafka_bootstrap
    pool: asyncpg.Pool = await asyncpg.create_pool(dsn, min_size=1, max_size=4)
    projection = CommissioningCalendarProjection(topics=[incidents_topic] if incidents_topic else None)
    group = f"ap.projection.{projection.name}.{group_suffix}" if group_suffix else None
    runner = ProjectionRunner(projection, pool, bootstrap, group_id=group)
    await run_until_stopped(build_app([runner], bootstrap), pool.close)


def main() -> None:
    parser = argparse.ArgumentParser(description="Run the commissioning calendars projection.")
    parser.add_argument("--dsn", help="read-model database (default the commissioning database)")
    parser.add_argument("--incidents-topic", help="consume the register's events from this topic instead (tests)")
    parser.add_argument("--group-suffix", help="suffix for the consumer group id (tests)")
    args = parser.parse_args()
    settings = commissioning_settings()  # a bad value stops here, naming the variable
    configure_logging(settings.log_level)
    asyncio.run(run(args.dsn or commissioning_dsn(), args.incidents_topic, args.group_suffix))


if __name__ == "__main__":
    main()
