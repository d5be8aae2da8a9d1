"""Scheduled check of SLA reviews (issue 13): ``python -m ap_notifications.entrypoints.sla_review_check``.

Alerts the commissioner and the provision of every service level agreement whose next review date has passed
without a completed review (``domain/sla_review_alerts.py``). Run it once a day (a Kubernetes CronJob); each
message's id is derived from (the event that set the due date, rule, recipient), so a second run, an overlapping
run or a run after a restart sends nothing twice. ``--today`` fixes the date (tests, catching up after an outage).
It reads the worker's ``notification_sla_reviews`` read model: an agreement the worker has not yet read is found on
a later run.
"""

from __future__ import annotations

from datetime import date
from uuid import uuid4

from ap_notifications.application.dispatch import Dispatched
from ap_notifications.domain.sla_review_alerts import overdue_review_alerts
from ap_notifications.entrypoints.bootstrap import NotificationServices
from ap_notifications.entrypoints.scheduled import run_alert_check
from ap_notifications.projections.sla_reviews import SlaReviewsProjection, reviews_past_due
from ap_runtime.logging import get_logger
from ap_runtime.projection.store import ReadModelNotReady, read_model

log = get_logger("ap.notifications.sla_review_check")


async def check_sla_reviews(services: NotificationServices, today: date) -> list[Dispatched]:
    """The check itself, on open services, for the given day."""
    try:
        async with read_model(services.pool, SlaReviewsProjection.name) as conn:
            overdue = await reviews_past_due(conn, today)
    except ReadModelNotReady:
        log.warning("the worker has not started: no agreements known yet")
        return []
    correlation_id = uuid4()
    dispatched = []
    for due in overdue:
        for alert in overdue_review_alerts(due, today):
            dispatched.append(await services.dispatcher.dispatch(alert, correlation_id))
        log.info("SLA review overdue", provision_id=due.provision_id, commissioner_id=due.commissioner_id,
                 due=due.due_on.isoformat())
    return dispatched


def main() -> None:
    run_alert_check("Alert both parties of service level agreement reviews overdue.", check_sla_reviews,
                    "overdue SLA review alert(s)")


if __name__ == "__main__":
    main()
