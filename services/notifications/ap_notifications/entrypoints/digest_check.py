"""Scheduled sending of daily digests and of messages held for quiet hours:
``python -m ap_notifications.entrypoints.digest_check``.

Sends every batch due by now (``application/digests.py``) once. Run it every few minutes (a Kubernetes
CronJob) when ``AP_NOTIFY_SCHEDULE_FILE`` names a schedule; it is idempotent, so an overlapping run or a run
after a restart sends nothing twice. ``--now`` fixes the time (catching up after an outage); without it, the
process's clock (``AP_CLOCK_FILE`` in tests, ``ap_runtime.clock``).
"""

from __future__ import annotations

import argparse
import asyncio
from datetime import datetime
from uuid import uuid4

from ap_notifications.application.digests import Released
from ap_notifications.entrypoints.bootstrap import NotificationServices, with_services
from ap_notifications.entrypoints.escalation_check import aware_time
from ap_notifications.entrypoints.settings import NotificationSettings
from ap_runtime.clock import clock_from_settings
from ap_runtime.logging import configure_logging, get_logger

log = get_logger("ap.notifications.digest_check")


async def send_due(services: NotificationServices, now: datetime) -> list[Released]:
    """The check itself, on open services, at the given time."""
    released = await services.release.release(now, uuid4())
    for item in released:
        log.info("held alerts sent", batch_id=str(item.batch.batch_id), kind=item.batch.kind,
                 alerts=len(item.notification_ids), delivered_now=item.delivered_now)
    return released


async def run(now: datetime) -> int:
    return len(await with_services(lambda services: send_due(services, now)))


def main() -> None:
    parser = argparse.ArgumentParser(description="Send the daily digests and the messages held for quiet hours.")
    parser.add_argument("--now", type=aware_time, default=None, help="ISO 8601 time with offset (default: now)")
    args = parser.parse_args()
    settings = NotificationSettings.from_env()  # a bad value stops here, naming the variable
    configure_logging(settings.log_level)
    # Without --now, the process's clock: the wall's, or the clock file's in a test (``ap_runtime.clock``).
    print(f"{asyncio.run(run(args.now or clock_from_settings(settings)()))} digest(s) or held message(s) sent")


if __name__ == "__main__":
    main()
