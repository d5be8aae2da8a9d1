"""Scheduled sending of the weekly home-school report (issue 15; seed 002 section 5):
``python -m ap_notifications.entrypoints.weekly_report_check``.

Tells each home school with a pupil placed during the week that the week's report is ready, with the link
(``domain/weekly_report_alerts.py``). Run it once a week, at the end of the school week (a Kubernetes CronJob);
each message's id is derived from (school, week, rule, recipient), so a second run, an overlapping run or a run
after a restart sends nothing twice. ``--today`` fixes the day whose week is reported (tests, catching up). It
reads the alert worker's placements: a placement the worker has not yet read is found on a later run of the week.
"""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import asyncpg

from ap_notifications.application.dispatch import Dispatched
from ap_notifications.domain.weekly_report_alerts import week_of, weekly_report_alerts
from ap_notifications.entrypoints.bootstrap import NotificationServices
from ap_notifications.entrypoints.scheduled import run_alert_check
from ap_notifications.projections.alerting import AlertingProjection
from ap_runtime.logging import get_logger
from ap_runtime.projection.store import ReadModelNotReady, read_model

log = get_logger("ap.notifications.weekly_report_check")


async def schools_with_placements(conn: asyncpg.Connection, first: date, last: date) -> list[str]:
    """Home schools with a placement running on any day from ``first`` to ``last``."""
    rows = await conn.fetch("SELECT DISTINCT home_school_id FROM placements WHERE start_date <= $2"
                            " AND (ended_on IS NULL OR ended_on >= $1) ORDER BY home_school_id", first, last)
    return [r["home_school_id"] for r in rows]


async def send_weekly_reports(services: NotificationServices, today: date) -> list[Dispatched]:
    """The check itself, on open services, for the week holding ``today``."""
    monday, sunday = week_of(today)
    try:
        async with read_model(services.pool, AlertingProjection.name) as conn:
            schools = await schools_with_placements(conn, monday, sunday)
    except ReadModelNotReady:
        log.warning("the alert worker has not started: no placements known yet")
        return []
    correlation_id = uuid4()
    dispatched = [await services.dispatcher.dispatch(alert, correlation_id)
                  for alert in weekly_report_alerts(schools, today)]
    log.info("weekly reports sent", week=monday.isoformat(), schools=len(schools))
    return dispatched


def main() -> None:
    run_alert_check("Tell each home school its weekly report is ready.", send_weekly_reports,
                    "weekly report message(s)")


if __name__ == "__main__":
    main()
