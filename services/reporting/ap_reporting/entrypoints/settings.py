"""Process settings of the reporting service, from the environment.

  AP_DSN_AP_REPORTING         read model database (default: database ap_reporting on the DATABASE_URL server)
  KAFKA_BOOTSTRAP_SERVERS     Kafka (default 127.0.0.1:59092)
  AP_REPORTING_TOPIC          topic the projection reads (default ap.incidents.events)
  AP_REPORTING_GROUP_PREFIX   consumer group prefix (default ap.projection)
  AP_TOKEN_PUBLIC_KEY, AP_DSN_AP_AUDIT, AP_REPORTING_API_HOST / _PORT   the API
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from ap_contracts.topics import INCIDENTS_EVENTS
from ap_runtime.settings import DEFAULT_KAFKA, database_dsn

DATABASE = "ap_reporting"


@dataclass(frozen=True, slots=True)
class ReportingSettings:
    dsn: str
    kafka_bootstrap: str
    topic: str = INCIDENTS_EVENTS
    group_prefix: str = "ap.projection"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> ReportingSettings:
        e = os.environ if env is None else env
        return cls(
            dsn=e.get("AP_DSN_AP_REPORTING") or database_dsn(DATABASE),
            kafka_bootstrap=e.get("KAFKA_BOOTSTRAP_SERVERS", DEFAULT_KAFKA),
            topic=e.get("AP_REPORTING_TOPIC", INCIDENTS_EVENTS),
            group_prefix=e.get("AP_REPORTING_GROUP_PREFIX", "ap.projection"),
        )
