"""The notifications service's projections, as ``ap projections`` builds them, collaborators included.

The alert projections dispatch alerts and offer safeguarding files through the service's own
command executor, delivery channel and rule book (``bootstrap.open_services``, from the environment
as the worker has it); a rebuild records and delivers nothing twice (idempotent commands). See
``ap_runtime.projection.registry``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from ap_notifications.application.early_warnings import EarlyWarnings
from ap_notifications.entrypoints.bootstrap import NotificationServices, open_services
from ap_notifications.entrypoints.settings import NotificationSettings
from ap_notifications.projections.access_alerting import AccessAlertProjection
from ap_notifications.projections.alerting import AlertingProjection
from ap_notifications.projections.inbox import InboxProjection
from ap_notifications.projections.school_calendars import SchoolCalendarProjection, StoredCalendars
from ap_notifications.projections.self_audits import SelfAuditsProjection
from ap_notifications.projections.sla_reviews import SlaReviewsProjection
from ap_notifications.projections.trends import TrendsProjection
from ap_runtime.projection.base import Projection
from ap_runtime.projection.registry import (
    BuiltProjection,
    ProjectionOpener,
    ProjectionOptions,
    RegisteredProjection,
    pooled,
)

Build = Callable[[NotificationServices, NotificationSettings, tuple[str, ...] | None], Projection]


def _with_services(build: Build) -> ProjectionOpener:
    @asynccontextmanager
    async def opened(options: ProjectionOptions) -> AsyncIterator[BuiltProjection]:
        settings = NotificationSettings.from_env()
        if options.dsn:
            settings = settings.model_copy(update={"dsn": options.dsn})
        services = await open_services(settings)
        try:
            yield BuiltProjection(build(services, settings, options.topics), services.pool)
        finally:
            await services.close()

    return opened


def _alerts(services: NotificationServices, settings: NotificationSettings,
            topics: tuple[str, ...] | None) -> Projection:
    return AlertingProjection(services.dispatcher, services.transfers, services.book,
                              topics=topics or (settings.incidents_topic, settings.commissioning_topic),
                              codec=services.codec)


def _access_alerts(services: NotificationServices, settings: NotificationSettings,
                   topics: tuple[str, ...] | None) -> Projection:
    return AccessAlertProjection(services.dispatcher, topics=topics or (settings.privacy_topic,))


def _inbox(_services: NotificationServices, settings: NotificationSettings,
           topics: tuple[str, ...] | None) -> Projection:
    return InboxProjection(topics=topics or (settings.notifications_topic,))


def _calendars(_services: NotificationServices, settings: NotificationSettings,
               topics: tuple[str, ...] | None) -> Projection:
    return SchoolCalendarProjection(topics=topics or (settings.incidents_topic,))


def _trends(services: NotificationServices, settings: NotificationSettings,
            topics: tuple[str, ...] | None) -> Projection:
    return TrendsProjection(EarlyWarnings(services.executor, services.dispatcher), StoredCalendars(services.pool),
                            topics=topics or (settings.incidents_topic,))


PROJECTIONS = (
    RegisteredProjection(AlertingProjection.name, "notifications", _with_services(_alerts)),
    RegisteredProjection(AccessAlertProjection.name, "notifications", _with_services(_access_alerts)),
    RegisteredProjection(InboxProjection.name, "notifications", _with_services(_inbox)),
    RegisteredProjection(SchoolCalendarProjection.name, "notifications", _with_services(_calendars)),
    RegisteredProjection(TrendsProjection.name, "notifications", _with_services(_trends)),  # issue 14
    RegisteredProjection(SlaReviewsProjection.name, "notifications", pooled(  # issue 13
        SlaReviewsProjection, lambda: NotificationSettings.from_env().dsn)),
    RegisteredProjection(SelfAuditsProjection.name, "notifications", pooled(  # issue 14
        SelfAuditsProjection, lambda: NotificationSettings.from_env().dsn)),
)
