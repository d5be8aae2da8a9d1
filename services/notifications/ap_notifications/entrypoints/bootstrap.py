"""The notifications service's bootstrap: its handlers on real adapters, from the settings.

``bootstrap(settings)`` opens everything from the service's settings (``entrypoints.settings``);
``open_services`` takes the replacements the integration tests pass (their own codec and delivery).
Rule served: issue 10, one bootstrap per service that builds its dependencies from the settings and
accepts replacements.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import asyncpg

from ap_notifications.adapters.file_outbox import FileOutbox
from ap_notifications.adapters.ledger import PostgresDeliveryLedger, migrate_ledger
from ap_notifications.adapters.smtp import SmtpDelivery, load_directory
from ap_notifications.application.dispatch import AlertDispatcher
from ap_notifications.application.ports import Delivery
from ap_notifications.application.transfers import TransferService
from ap_notifications.domain.declarations import NOTIFICATIONS_ACTIONS
from ap_notifications.domain.rulebook import DEFAULT_RULE_BOOK, AlertRuleBook
from ap_notifications.entrypoints.settings import NotificationSettings
from ap_runtime.access import Policy, default_policy_store
from ap_runtime.commands import CommandExecutor, migrate_commands
from ap_runtime.eventstore import EventCodec, EventStore, migrate
from ap_runtime.privacy import KeyStore, PersonalDataCodec
from ap_runtime.privacy.factory import keystore_from_env
from ap_runtime.school_days import EXAMPLE_CALENDARS, SchoolCalendars


def delivery_from_settings(settings: NotificationSettings) -> Delivery:
    """The channel the environment chooses: the file outbox, or email through SMTP."""
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
    calendars: SchoolCalendars = EXAMPLE_CALENDARS,
) -> NotificationServices:
    """Pools, migrations and handlers; without ``codec`` the key store comes from the environment.

    ``calendars`` defaults to the packaged EXAMPLE calendar of the demo LA (issue 13): until term
    dates are maintained as events, every other setting's transfer deadline counts weekdays.
    """
    keystore = None
    if codec is None:
        keystore = await keystore_from_env()
        codec = PersonalDataCodec(keystore)
    pool = await asyncpg.create_pool(settings.dsn, min_size=2, max_size=10)
    await migrate(pool)
    await migrate_commands(pool)
    await migrate_ledger(pool)
    store = EventStore(pool, codec)
    executor = CommandExecutor(store)
    dispatcher = AlertDispatcher(executor, delivery or delivery_from_settings(settings), PostgresDeliveryLedger(pool))
    transfers = TransferService(store, executor, dispatcher, book, calendars)
    return NotificationServices(pool, store, executor, dispatcher, transfers, book, keystore, codec=codec)


def check_notifications_actions(policy: Policy | None = None) -> None:
    """Stop at start-up when the access policy (``$AP_ACCESS_POLICY`` or the packaged one) lacks an action
    notifications names: a typo in an id fails here, naming it, instead of denying every call (issue 10)."""
    (policy or default_policy_store().current()).check_known(NOTIFICATIONS_ACTIONS, "notifications")


async def bootstrap(settings: NotificationSettings | None = None) -> NotificationServices:
    """The services of one notifications process, from ``settings`` (default: this process's environment)."""
    check_notifications_actions()
    return await open_services(settings or NotificationSettings.from_env())
