"""Scheduled check of overdue work (issue 14): ``python -m ap_notifications.entrypoints.overdue_check``.

Alerts the owner of every placement review, reduced-timetable review, Fair Access case (a school place is expected
within 20 school days) and provider self-audit past its date, and the owner's manager when it is still overdue
``overdue_manager_after_days`` later (``domain/overdue.py``). Run it once each school day (a Kubernetes CronJob);
each message's id is derived from (item, due date, step, recipient), so a second run, an overlapping run or a run
after a restart sends nothing twice. ``--today`` fixes the date (tests, catching up after an outage). It reads the
worker's read models (the alert worker's and ``notification_self_audits``): work the worker has not yet read is
found on a later run.
"""

from __future__ import annotations

from datetime import date
from uuid import uuid4

from ap_notifications.application.dispatch import Dispatched
from ap_notifications.domain.alerts import Alert
from ap_notifications.domain.overdue import overdue_alerts
from ap_notifications.domain.self_audit_due import self_audit_alerts
from ap_notifications.entrypoints.bootstrap import NotificationServices
from ap_notifications.entrypoints.scheduled import run_alert_check
from ap_notifications.projections.alerting import AlertingProjection
from ap_notifications.projections.overdue_items import past_due
from ap_notifications.projections.self_audits import SelfAuditsProjection, audits_not_done
from ap_runtime.logging import get_logger
from ap_runtime.projection.store import ReadModelNotReady, read_model

log = get_logger("ap.notifications.overdue_check")


async def check_overdue(services: NotificationServices, today: date) -> list[Dispatched]:
    """The check itself, on open services, for the given day."""
    correlation_id = uuid4()
    dispatched = []
    for alert in [*await _placement_and_case_alerts(services, today), *await _self_audit_alerts(services, today)]:
        dispatched.append(await services.dispatcher.dispatch(alert, correlation_id))
        log.info("overdue work alerted", rule=alert.rule_name, kind=alert.cause_event_type,
                 recipient=alert.recipient_organisation_id)
    return dispatched


async def _placement_and_case_alerts(services: NotificationServices, today: date) -> list[Alert]:
    calendars = await services.transfers.calendars()  # the school days of Fair Access bands (issue 13)
    try:
        async with read_model(services.pool, AlertingProjection.name) as conn:
            items = await past_due(conn, today, services.book, calendars)
    except ReadModelNotReady:
        log.warning("the alert worker has not started: no placements known yet")
        return []
    return [alert for item in items for alert in overdue_alerts(item, today, services.book)]


async def _self_audit_alerts(services: NotificationServices, today: date) -> list[Alert]:
    try:
        async with read_model(services.pool, SelfAuditsProjection.name) as conn:
            audits = await audits_not_done(conn)
    except ReadModelNotReady:
        log.warning("the worker has not started: no self-audits known yet")
        return []
    return [alert for audit in audits for alert in self_audit_alerts(audit, today, services.book)]


def main() -> None:
    run_alert_check("Alert owners, then their managers, of overdue reviews.", check_overdue, "overdue-work alert(s)")


if __name__ == "__main__":
    main()
