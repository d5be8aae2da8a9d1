"""Process settings of the notifications service, from the environment.

  AP_DSN_AP_NOTIFICATIONS        event store and read models (default: database ap_notifications on
                                 the DATABASE_URL server)
  KAFKA_BOOTSTRAP_SERVERS        Kafka (default 127.0.0.1:59092)
  AP_NOTIFY_INCIDENTS_TOPIC      topic the alert worker reads (default ap.incidents.events)
  AP_NOTIFY_NOTIFICATIONS_TOPIC  topic the inbox reads (default ap.notifications.events)
  AP_NOTIFY_PRIVACY_TOPIC        topic of break-glass reads (default ap.privacy.events; when only
                                 AP_NOTIFY_INCIDENTS_TOPIC is set, that topic: a relay run with --topic
                                 publishes every incidents-store event, privacy ones included, to one topic)
  AP_NOTIFY_GROUP_PREFIX         consumer group prefix (default ap.projection; tests isolate with it)
  AP_NOTIFY_DELIVERY             file (default) or smtp
  AP_NOTIFY_OUTBOX_DIR           file outbox directory (default var/notifications-outbox)
  AP_NOTIFY_SMTP_HOST / _PORT / _FROM / _STARTTLS / _USER / _PASSWORD   SMTP relay (delivery smtp)
  AP_NOTIFY_RECIPIENTS_FILE      JSON directory organisation -> role -> email address (delivery smtp)
  AP_MASTER_KEYS, AP_ACTIVE_MASTER_KEY, AP_DSN_AP_KEYS   personal-data keys (ap_runtime.privacy.factory)
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ap_contracts.topics import INCIDENTS_EVENTS, NOTIFICATIONS_EVENTS, PRIVACY_EVENTS
from ap_notifications.adapters.smtp import SmtpSettings
from ap_runtime.settings import DEFAULT_KAFKA, database_dsn

DATABASE = "ap_notifications"


@dataclass(frozen=True, slots=True)
class NotificationSettings:
    dsn: str
    kafka_bootstrap: str
    incidents_topic: str = INCIDENTS_EVENTS
    notifications_topic: str = NOTIFICATIONS_EVENTS
    privacy_topic: str = PRIVACY_EVENTS
    group_prefix: str = "ap.projection"
    delivery: str = "file"
    outbox_dir: Path = Path("var/notifications-outbox")
    smtp: SmtpSettings | None = None
    recipients_file: Path | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> NotificationSettings:
        e = os.environ if env is None else env
        delivery = e.get("AP_NOTIFY_DELIVERY", "file")
        if delivery not in ("file", "smtp"):
            raise ValueError(f"AP_NOTIFY_DELIVERY must be file or smtp, not {delivery!r}")
        smtp = None
        if delivery == "smtp":
            smtp = SmtpSettings(
                host=e["AP_NOTIFY_SMTP_HOST"],
                port=int(e.get("AP_NOTIFY_SMTP_PORT", "25")),
                sender=e.get("AP_NOTIFY_SMTP_FROM", "alerts@ap-platform.invalid"),
                starttls=e.get("AP_NOTIFY_SMTP_STARTTLS", "false").lower() in ("1", "true", "yes"),
                username=e.get("AP_NOTIFY_SMTP_USER") or None,
                password=e.get("AP_NOTIFY_SMTP_PASSWORD") or None,
            )
        recipients = e.get("AP_NOTIFY_RECIPIENTS_FILE")
        return cls(
            dsn=e.get("AP_DSN_AP_NOTIFICATIONS") or database_dsn(DATABASE),
            kafka_bootstrap=e.get("KAFKA_BOOTSTRAP_SERVERS", DEFAULT_KAFKA),
            incidents_topic=e.get("AP_NOTIFY_INCIDENTS_TOPIC", INCIDENTS_EVENTS),
            privacy_topic=e.get("AP_NOTIFY_PRIVACY_TOPIC") or e.get("AP_NOTIFY_INCIDENTS_TOPIC") or PRIVACY_EVENTS,
            notifications_topic=e.get("AP_NOTIFY_NOTIFICATIONS_TOPIC", NOTIFICATIONS_EVENTS),
            group_prefix=e.get("AP_NOTIFY_GROUP_PREFIX", "ap.projection"),
            delivery=delivery,
            outbox_dir=Path(e.get("AP_NOTIFY_OUTBOX_DIR", "var/notifications-outbox")),
            smtp=smtp,
            recipients_file=Path(recipients) if recipients else None,
        )
