"""Run the finance read models: ``python -m ap_finance.entrypoints.projections``.

Consumes the finance events (ledger), and from the incidents service's events the placements
(placement costs), the register of organisations (names for the reports), placements' ends with their pupils'
later exclusions and the register's term dates (the cost per successful reintegration), into the finance
read-model database, each event applied exactly once.

Environment: AP_FINANCE_READ_DSN (default AP_DSN_AP_FINANCE, default database ap_finance on
DATABASE_URL's server), KAFKA_BOOTSTRAP_SERVERS, AP_LOG_LEVEL. Options --finance-topic and
--incidents-topic replace the contract topics, and --group-suffix gives the consumer groups their own
names (tests give each run its own topics and groups, so no run waits on another's group members).
"""

from __future__ import annotations

import argparse
import asyncio

from ap_finance.adapters.event_store import finance_dsn, open_pool
from ap_finance.entrypoints.settings import finance_settings
from ap_finance.projections.directory import OrganisationDirectoryProjection
from ap_finance.projections.ledger import FinanceLedgerProjection
from ap_finance.projections.placements import PlacementCostsProjection
from ap_finance.projections.reintegrations import FinanceCalendarProjection, ReintegrationsProjection
from ap_runtime.logging import configure_logging
from ap_runtime.projection import ProjectionRunner
from ap_runtime.projection.runner import build_app
from ap_runtime.worker import run_until_stopped


async def run(dsn: str, finance_topic: str | None, incidents_topic: str | None, group_suffix: str | None) -> None:
    bootstrap = finance_settings().kafka_bootstrap
    pool = await open_pool(dsn)
    projections = [
        FinanceLedgerProjection(topics=[finance_topic] if finance_topic else None),
        PlacementCostsProjection(topics=[incidents_topic] if incidents_topic else None),
        OrganisationDirectoryProjection(topics=[incidents_topic] if incidents_topic else None),
        ReintegrationsProjection(topics=[incidents_topic] if incidents_topic else None),
        FinanceCalendarProjection(topics=[incidents_topic] if incidents_topic else None),
    ]
    runners = [
        ProjectionRunner(p, pool, bootstrap,
                         group_id=f"ap.projection.{p.name}.{group_suffix}" if group_suffix else None)
        for p in projections
    ]
    await run_until_stopped(build_app(runners, bootstrap), pool.close)


def main() -> None:
    parser = argparse.ArgumentParser(
        description="Run the finance ledger, placement-cost and organisation directory projections.")
    parser.add_argument("--dsn", help="read-model database (default $AP_FINANCE_READ_DSN or the finance database)")
    parser.add_argument("--finance-topic", help="consume finance events from this topic instead (tests)")
    parser.add_argument("--incidents-topic",
                        help="consume placement and organisation events from this topic instead (tests)")
    parser.add_argument("--group-suffix", help="suffix for the consumer group ids (tests)")
    args = parser.parse_args()
    settings = finance_settings()  # a bad value stops here, naming the variable
    configure_logging(settings.log_level)
    dsn = args.dsn or settings.read_dsn or finance_dsn()
    asyncio.run(run(dsn, args.finance_topic, args.incidents_topic, args.group_suffix))


if __name__ == "__main__":
    main()
