"""Scheduled check of safeguarding file transfers: ``python -m ap_notifications.entrypoints.transfer_check``.

Records ``SafeguardingFileTransferOverdue`` for every transfer whose receipt was not confirmed by
its due date and alerts both DSLs. Run it once each school day (cron, a Kubernetes CronJob); it is
idempotent, so running it twice the same day records and alerts nothing more. ``--today`` fixes
the date (tests, catching up after an outage).
"""

from __future__ import annotations

import argparse
import asyncio
from datetime import date
from uuid import uuid4

from ap_notifications.adapters.transfer_index import StoreTransferIndex
from ap_notifications.application.transfers import OverdueFound
from ap_notifications.entrypoints.bootstrap import NotificationServices, with_services
from ap_notifications.entrypoints.scheduled import today_in_england
from ap_notifications.entrypoints.settings import NotificationSettings
from ap_runtime.logging import configure_logging, get_logger

log = get_logger("ap.notifications.transfer_check")


async def check_transfers(services: NotificationServices, today: date) -> list[OverdueFound]:
    """The check itself, on open services, for the given day."""
    found = await services.transfers.check_overdue(StoreTransferIndex(services.pool), today, uuid4())
    for item in found:
        log.warning("safeguarding file transfer overdue", transfer_id=str(item.transfer_id),
                    newly_recorded=item.newly_recorded, notifications=len(item.notification_ids))
    return found


async def run(today: date) -> int:
    return len(await with_services(lambda services: check_transfers(services, today)))


def main() -> None:
    parser = argparse.ArgumentParser(description="Record overdue safeguarding file transfers and alert the DSLs.")
    parser.add_argument("--today", type=date.fromisoformat, default=None, help="YYYY-MM-DD (default: today)")
    args = parser.parse_args()
    configure_logging(NotificationSettings.from_env().log_level)  # a bad value stops here, naming the variable
    overdue = asyncio.run(run(args.today or today_in_england()))
    print(f"{overdue} overdue safeguarding file transfer(s)")


if __name__ == "__main__":
    main()
