"""The alert worker: ``python -m ap_notifications.entrypoints.worker``.

Consumes incidents events (alerts, safeguarding file offers), privacy events (break-glass reads,
which alert the pupil's DSLs) and the service's own notification events (the inbox behind the API)
until SIGTERM or SIGINT. Run the notifications relay beside it
(``python -m ap_runtime.relay --service notifications``) so the inbox sees what the worker records.
"""

from __future__ import annotations

import asyncio

from ap_notifications.application.early_warnings import EarlyWarnings
from ap_notifications.entrypoints.bootstrap import NotificationServices, bootstrap
from ap_notifications.entrypoints.settings import NotificationSettings
from ap_notifications.projections.access_alerting import AccessAlertProjection
from ap_notifications.projections.alerting import AlertingProjection
from ap_notifications.projections.inbox import InboxProjection
from ap_notifications.projections.school_calendars import SchoolCalendarProjection, StoredCalendars
from ap_notifications.projections.self_audits import SelfAuditsProjection
from ap_notifications.projections.sla_reviews import SlaReviewsProjection
from ap_notifications.projections.trends import TrendsProjection
from ap_runtime.logging import configure_logging
from ap_runtime.projection import ProjectionRunner
from ap_runtime.projection.runner import build_app
from ap_runtime.worker import run_until_stopped


def runners(services: NotificationServices, settings: NotificationSettings) -> list[ProjectionRunner]:
    """The worker's consumers, on the service's own database."""
    alerting = AlertingProjection(services.dispatcher, services.transfers, services.book,
                                  topics=(settings.incidents_topic, settings.commissioning_topic),
                                  codec=services.codec)
    access = AccessAlertProjection(services.dispatcher, topics=(settings.privacy_topic,))
    inbox = InboxProjection(topics=(settings.notifications_topic,))
    calendars = SchoolCalendarProjection(topics=(settings.incidents_topic,))  # issue 13: term dates
    trends = TrendsProjection(EarlyWarnings(services.executor, services.dispatcher), StoredCalendars(services.pool),
                              topics=(settings.incidents_topic,))  # issue 14: early-warning flags
    return [
        ProjectionRunner(p, services.pool, settings.kafka_bootstrap, group_id=f"{settings.group_prefix}.{p.name}")
        for p in (alerting, access, inbox, calendars, trends,
                  SlaReviewsProjection(topics=(settings.commissioning_topic,)),  # issue 13: SLA reviews due
                  SelfAuditsProjection(topics=(settings.commissioning_topic,)))  # issue 14: self-audits due
    ]


async def run() -> None:
    settings = NotificationSettings.from_env()
    services = await bootstrap(settings)
    await run_until_stopped(build_app(runners(services, settings), settings.kafka_bootstrap), services.close)


def main() -> None:
    configure_logging(NotificationSettings.from_env().log_level)  # a bad value stops here, naming the variable
    asyncio.run(run())


if __name__ == "__main__":
    main()
