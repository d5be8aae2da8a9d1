"""Settings of the reporting processes (API and projection), from the environment.

The shared part (``DATABASE_URL``, ``KAFKA_BOOTSTRAP_SERVERS``, ``AP_LOG_LEVEL``, ``AP_HTTP_HOST`` /
``AP_HTTP_PORT``) is ``ap_runtime.settings.PlatformSettings``; reporting adds:

  AP_DSN_AP_REPORTING         read model database (default: database ap_reporting on the DATABASE_URL server)
  AP_REPORTING_TOPIC          topic the projection reads (default ap.incidents.events)
  AP_REPORTING_COMMISSIONING_TOPIC  topic of the commissioning facts projection (default ap.commissioning.events)
  AP_REPORTING_FINANCE_TOPIC  topic of the finance projection (default ap.finance.events)
  AP_REPORTING_GROUP_PREFIX   consumer group prefix (default ap.projection)
  AP_HTTP_HOST / AP_HTTP_PORT the API (default 127.0.0.1:8040; AP_REPORTING_API_HOST / _PORT are
                              deprecated old names, still read)
  AP_TOKEN_PUBLIC_KEY, AP_DSN_AP_AUDIT   the API's token key and audit database

Rule served: issue 10, one typed settings object per service, built by ``load_settings``; a bad value
stops the process at start naming the variable.
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import Field

from ap_contracts.topics import COMMISSIONING_EVENTS, FINANCE_EVENTS, INCIDENTS_EVENTS
from ap_runtime.settings import PlatformSettings, database_dsn, env_field, load_settings, port_field

DATABASE = "ap_reporting"


class ReportingSettings(PlatformSettings):
    """Everything a reporting process reads from its environment."""

    dsn: str = Field(default_factory=lambda: database_dsn(DATABASE), validation_alias="AP_DSN_AP_REPORTING")
    topic: str = env_field("AP_REPORTING_TOPIC", INCIDENTS_EVENTS)
    commissioning_topic: str = env_field("AP_REPORTING_COMMISSIONING_TOPIC", COMMISSIONING_EVENTS)
    finance_topic: str = env_field("AP_REPORTING_FINANCE_TOPIC", FINANCE_EVENTS)
    group_prefix: str = env_field("AP_REPORTING_GROUP_PREFIX", "ap.projection")
    http_host: str = env_field("AP_HTTP_HOST", "127.0.0.1", deprecated=("AP_REPORTING_API_HOST",))
    http_port: int = port_field(8040, deprecated=("AP_REPORTING_API_PORT",))

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> ReportingSettings:
        """The settings of this process (or of ``env``); ``InvalidSetting`` names a bad variable."""
        return load_settings(cls, env)
