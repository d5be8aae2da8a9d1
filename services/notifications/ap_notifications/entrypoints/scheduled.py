"""The day in England for the scheduled checks: school days are English school days, whatever the server's clock
zone; and the command line every check that alerts shares. (Opening and closing the services for one run is
``bootstrap.with_services``.)"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Callable, Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from ap_notifications.application.dispatch import Dispatched
from ap_notifications.entrypoints.bootstrap import NotificationServices, with_services
from ap_notifications.entrypoints.settings import NotificationSettings
from ap_runtime.logging import configure_logging

DayCheck = Callable[[NotificationServices, date], Awaitable[Sequence[Dispatched]]]


def today_in_england() -> date:
    return datetime.now(ZoneInfo("Europe/London")).date()


def run_alert_check(description: str, check: DayCheck, alerts: str) -> None:
    """One run of a daily check that alerts: ``--today`` fixes the day (tests, catching up after an outage; default
    today in England), the check runs on this process's services, and the alerts newly recorded are counted."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--today", type=date.fromisoformat, default=None, help="YYYY-MM-DD (default: today)")
    args = parser.parse_args()
    configure_logging(NotificationSettings.from_env().log_level)  # a bad value stops here, naming the variable
    today = args.today or today_in_england()
    dispatched = asyncio.run(with_services(lambda services: check(services, today)))
    print(f"{sum(d.newly_recorded for d in dispatched)} {alerts} recorded")
