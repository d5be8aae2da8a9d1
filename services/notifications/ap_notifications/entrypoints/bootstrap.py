"""The notifications service's bootstrap: its handlers on real adapters, from the settings.

``bootstrap(settings)`` opens everything from the service's settings (``entrypoints.settings``);
``open_services`` takes the replacements the integration tests pass (their own codec and delivery).
Rule served: issue 10, one bootstrap per service that builds its dependencies from the settings and
accepts replacements.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

import asyncpg

from ap_notifications.adapters.file_outbox import FileOutbox
from ap_notifications.adapters.held_messages import PostgresHeldMessages, migrate_held_messages
from ap_notifications.adapters.ledger import PostgresDeliveryLedger, migrate_ledger
from ap_notifications.adapters.notify import NotifyDelivery
from ap_notifications.adapters.notify_settings import load_templates
from ap_notifications.adapters.smtp import SmtpDelivery, load_directory
from ap_notifications.application.digests import HeldRelease
from ap_notifications.application.dispatch import AlertDispatcher
from ap_notifications.application.escalation import EscalationService
from ap_notifications.application.ports import Delivery
from ap_notifications.application.transfers import TransferService
from ap_notifications.domain.declarations import NOTIFICATIONS_ACTIONS
from ap_notifications.domain.digest import DeliverySchedule
from ap_notifications.domain.escalation import DEFAULT_ESCALATION_BOOK, EscalationRuleBook
from ap_notifications.domain.rulebook import DEFAULT_RULE_BOOK, AlertRuleBook
from ap_notifications.entrypoints.settings import NotificationSettings
from ap_notifications.projections.school_calendars import StoredCalendars
from ap_runtime.access import Policy, default_policy_store
from ap_runtime.clock import clock_from_settings, wall_clock
from ap_runtime.commands import CommandExecutor, migrate_commands
from ap_runtime.eventstore import EventCodec, EventStore, migrate
from ap_runtime.privacy import KeyStore, PersonalDataCodec
from ap_runtime.privacy.factory import keystore_from_env
from ap_runtime.school_days import NO_CALENDARS, SchoolCalendars


def delivery_from_settings(settings: NotificationSettings) -> Delivery:
    """The channel the environment chooses: the file outbox, email through SMTP, or GOV.UK Notify."""
    if settings.delivery == "notify":
        if settings.govuk_notify is None or settings.recipients_file is None:
            raise ValueError("notify delivery needs AP_NOTIFY_GOVUK_API_KEY and AP_NOTIFY_RECIPIENTS_FILE")
        notify = settings.govuk_notify
        return NotifyDelivery(notify, load_templates(notify.templates_file), load_directory(settings.recipients_file))
    if settings.delivery == "smtp":
        if settings.smtp is None or settings.recipients_file is None:
            raise ValueError("smtp delivery needs AP_NOTIFY_SMTP_HOST and AP_NOTIFY_RECIPIENTS_FILE")
        return SmtpDelivery(settings.smtp, load_directory(settings.recipients_file))
    return FileOutbox(settings.outbox_dir)


@dataclass
class NotificationServices:
    pool: asyncpg.Pool
    store: EventStore
    executor: CommandExecutor
    dispatcher: AlertDispatcher
    transfers: TransferService
    book: AlertRuleBook
    escalation: EscalationService  # issue 14: escalation chains and the periodic check
    release: HeldRelease  # issue 14: digests and messages held for quiet hours, sent when due
    # The time the API stamps on acknowledgements, receipts and offers (issue 14: ``AP_CLOCK_FILE`` in tests).
    clock: Callable[[], datetime] = field(default=wall_clock, repr=False)
    _keystore: KeyStore | None = field(default=None, repr=False)
    # Reveals personal fields for subject access (the alert worker itself never needs it).
    codec: EventCodec | None = field(default=None, repr=False)

    async def close(self) -> None:
        await self.pool.close()
        if self._keystore is not None:
            await self._keystore.close()


async def open_services(
    settings: NotificationSettings,
    codec: EventCodec | None = None,
    delivery: Delivery | None = None,
    book: AlertRuleBook = DEFAULT_RULE_BOOK,
    calendars: SchoolCalendars = NO_CALENDARS,
    escalation_book: EscalationRuleBook = DEFAULT_ESCALATION_BOOK,
    clock: Callable[[], datetime] = wall_clock,
    schedule: DeliverySchedule | None = None,
) -> NotificationServices:
    """Pools, migrations and handlers; without ``codec`` the key store comes from the environment.

    Transfer deadlines count with the term dates recorded through the incidents API (issue 13: the
    ``notification_calendars`` read model the worker keeps); ``calendars`` are used for an area that has
    recorded none (none by default: a setting in no recorded calendar counts weekdays).
    ``clock`` stamps each notification sent and acknowledgement (escalation deadlines count from them; ``clock.py``).
    ``schedule`` gathers non-urgent alerts into daily digests and holds messages in quiet hours (issue 14);
    without it every alert goes at once.
    """
    keystore = None
    if codec is None:
        keystore = await keystore_from_env()
        codec = PersonalDataCodec(keystore)
    pool = await asyncpg.create_pool(settings.dsn, min_size=2, max_size=10)
    await migrate(pool)
    await migrate_commands(pool)
    await migrate_ledger(pool)
    await migrate_held_messages(pool)
    store = EventStore(pool, codec)
    executor = CommandExecutor(store)
    held = PostgresHeldMessages(pool)
    dispatcher = AlertDispatcher(executor, delivery or delivery_from_settings(settings), PostgresDeliveryLedger(pool),
                                 clock, schedule, held, book)
    transfers = TransferService(store, executor, dispatcher, book, calendars, StoredCalendars(pool))
    escalation = EscalationService(store, executor, dispatcher, escalation_book)
    return NotificationServices(pool, store, executor, dispatcher, transfers, book, escalation,
                                HeldRelease(dispatcher, held, (schedule or DeliverySchedule()).delivery_attempts,
                                            (schedule or DeliverySchedule()).retry_backoff_minutes,
                                            still_due=escalation.still_due),
                                clock, keystore, codec=codec)


def check_notifications_actions(policy: Policy | None = None) -> None:
    """Stop at start-up when the access policy (``$AP_ACCESS_POLICY`` or the packaged one) lacks an action
    notifications names: a typo in an id fails here, naming it, instead of denying every call (issue 10)."""
    (policy or default_policy_store().current()).check_known(NOTIFICATIONS_ACTIONS, "notifications")


async def bootstrap(settings: NotificationSettings | None = None) -> NotificationServices:
    """The services of one notifications process, from ``settings`` (default: this process's environment)."""
    check_notifications_actions()
    settings = settings or NotificationSettings.from_env()
    return await open_services(settings, schedule=schedule_from_settings(settings), clock=clock_from_settings(settings))


def schedule_from_settings(settings: NotificationSettings) -> DeliverySchedule | None:
    """The digest and quiet-hours rule book the environment names (``AP_NOTIFY_SCHEDULE_FILE``), or none."""
    if settings.schedule_file is None:
        return None
    return DeliverySchedule.model_validate_json(settings.schedule_file.read_text(encoding="utf-8"))


T = TypeVar("T")


async def with_services(work: Callable[[NotificationServices], Awaitable[T]]) -> T:
    """Open this process's services, do ``work`` on them and close them: one run of a periodic check."""
    services = await bootstrap()
    try:
        return await work(services)
    finally:
        await services.close()
