"""Settings of the notifications processes (worker, API, transfer check), from the environment.

The shared part (``DATABASE_URL``, ``KAFKA_BOOTSTRAP_SERVERS``, ``AP_LOG_LEVEL``, ``AP_HTTP_HOST`` /
``AP_HTTP_PORT``, default 127.0.0.1:8030; ``AP_NOTIFY_API_HOST`` / ``_PORT`` are deprecated old names,
still read) is ``ap_runtime.settings.PlatformSettings``; notifications adds:

  AP_DSN_AP_NOTIFICATIONS        event store and read models (default: database ap_notifications on
                                 the DATABASE_URL server)
  KAFKA_BOOTSTRAP_SERVERS        Kafka (default 127.0.0.1:59092)
  AP_NOTIFY_INCIDENTS_TOPIC      topic the alert worker reads (default ap.incidents.events)
  AP_NOTIFY_NOTIFICATIONS_TOPIC  topic the inbox reads (default ap.notifications.events)
  AP_NOTIFY_COMMISSIONING_TOPIC  topic of the service level agreements the alert worker reads for attendance
                                 thresholds (default ap.commissioning.events)
  AP_NOTIFY_PRIVACY_TOPIC        topic of break-glass reads (default ap.privacy.events; when only
                                 AP_NOTIFY_INCIDENTS_TOPIC is set, that topic: a relay run with --topic
                                 publishes every incidents-store event, privacy ones included, to one topic)
  AP_NOTIFY_GROUP_PREFIX         consumer group prefix (default ap.projection; tests isolate with it)
  AP_NOTIFY_DELIVERY             file (default), smtp, or notify (GOV.UK Notify, issue 14)
  AP_NOTIFY_OUTBOX_DIR           file outbox directory (default var/notifications-outbox)
  AP_NOTIFY_SMTP_HOST / _PORT / _FROM / _STARTTLS / _USER / _PASSWORD   SMTP relay (delivery smtp)
  AP_NOTIFY_RECIPIENTS_FILE      JSON directory organisation -> role -> email address (delivery smtp or notify;
                                 mobile numbers for Notify's sms)
  AP_NOTIFY_GOVUK_*              GOV.UK Notify's API key, base URL, channel, templates file and retries (delivery
                                 notify; ``adapters/notify_settings.py``)
  AP_NOTIFY_SCHEDULE_FILE        JSON digest and quiet-hours rule book (``domain.digest.DeliverySchedule``); unset:
                                 every alert goes at once (issue 14)
  AP_MASTER_KEYS, AP_ACTIVE_MASTER_KEY, AP_DSN_AP_KEYS   personal-data keys (ap_runtime.privacy.factory)

Rule served: issue 10, one typed settings object per service, built by ``load_settings``; a bad value
stops the process at start naming the variable.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ap_contracts.topics import COMMISSIONING_EVENTS, INCIDENTS_EVENTS, NOTIFICATIONS_EVENTS, PRIVACY_EVENTS
from ap_notifications.adapters.notify_settings import GovukNotifySettings
from ap_notifications.adapters.smtp import SmtpSettings
from ap_runtime.settings import PlatformSettings, database_dsn, env_field, load_settings, port_field

DATABASE = "ap_notifications"


class _SmtpEnvironment(BaseModel):
    """The SMTP relay's variables, read only when delivery is smtp."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    host: str = Field(validation_alias="AP_NOTIFY_SMTP_HOST")
    port: int = Field(25, ge=1, le=65535, validation_alias="AP_NOTIFY_SMTP_PORT")
    sender: str = Field("alerts@ap-platform.invalid", validation_alias="AP_NOTIFY_SMTP_FROM")
    starttls: bool = Field(False, validation_alias="AP_NOTIFY_SMTP_STARTTLS")
    username: str | None = Field(None, validation_alias="AP_NOTIFY_SMTP_USER")
    password: str | None = Field(None, validation_alias="AP_NOTIFY_SMTP_PASSWORD")


class NotificationSettings(PlatformSettings):
    """Everything a notifications process reads from its environment."""

    dsn: str = Field(default_factory=lambda: database_dsn(DATABASE), validation_alias="AP_DSN_AP_NOTIFICATIONS")
    incidents_topic: str = env_field("AP_NOTIFY_INCIDENTS_TOPIC", INCIDENTS_EVENTS)
    notifications_topic: str = env_field("AP_NOTIFY_NOTIFICATIONS_TOPIC", NOTIFICATIONS_EVENTS)
    privacy_topic: str = env_field("AP_NOTIFY_PRIVACY_TOPIC", PRIVACY_EVENTS)
    commissioning_topic: str = env_field("AP_NOTIFY_COMMISSIONING_TOPIC", COMMISSIONING_EVENTS)
    group_prefix: str = env_field("AP_NOTIFY_GROUP_PREFIX", "ap.projection")
    delivery: Literal["file", "smtp", "notify"] = env_field("AP_NOTIFY_DELIVERY", "file")
    outbox_dir: Path = env_field("AP_NOTIFY_OUTBOX_DIR", Path("var/notifications-outbox"))
    smtp: SmtpSettings | None = None
    govuk_notify: GovukNotifySettings | None = None
    recipients_file: Path | None = env_field("AP_NOTIFY_RECIPIENTS_FILE")
    schedule_file: Path | None = env_field("AP_NOTIFY_SCHEDULE_FILE")
    http_host: str = env_field("AP_HTTP_HOST", "127.0.0.1", deprecated=("AP_NOTIFY_API_HOST",))
    http_port: int = port_field(8030, deprecated=("AP_NOTIFY_API_PORT",))

    @model_validator(mode="before")
    @classmethod
    def _privacy_topic_follows_incidents_topic(cls, data: Any) -> Any:
        # A relay run with --topic publishes every incidents-store event, privacy ones included, to one
        # topic: when only the incidents topic is named, break-glass reads come from it too.
        if isinstance(data, Mapping) and "AP_NOTIFY_PRIVACY_TOPIC" not in data and "AP_NOTIFY_INCIDENTS_TOPIC" in data:
            return {**data, "AP_NOTIFY_PRIVACY_TOPIC": data["AP_NOTIFY_INCIDENTS_TOPIC"]}
        return data

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> NotificationSettings:
        """The settings of this process (or of ``env``); ``InvalidSetting`` names a bad variable."""
        settings = load_settings(cls, env)
        if settings.delivery == "notify":
            return settings.model_copy(update={"govuk_notify": load_settings(GovukNotifySettings, env)})
        if settings.delivery != "smtp":
            return settings
        relay = load_settings(_SmtpEnvironment, env)
        return settings.model_copy(update={"smtp": SmtpSettings(
            host=relay.host, port=relay.port, sender=relay.sender, starttls=relay.starttls,
            username=relay.username, password=relay.password)})
