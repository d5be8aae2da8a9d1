"""Settings of the incidents processes (API, command consumer, projections, retention), from the environment.

The shared part (``DATABASE_URL``, ``KAFKA_BOOTSTRAP_SERVERS``, ``AP_LOG_LEVEL``, ``AP_HTTP_HOST`` /
``AP_HTTP_PORT``) is ``ap_runtime.settings.PlatformSettings``; the incidents service adds:

  AP_INCIDENTS_READ_DSN                 read-model database (default: the event store's, ap_incidents)
  AP_INCIDENTS_EVENTS_TOPIC             topic the projections and the cache eviction read (default ap.incidents.events)
  AP_INCIDENTS_COMMANDS_TOPIC           command topic the consumer reads (default ap.incidents.commands)
  AP_INCIDENTS_RESULTS_TOPIC            topic of command results (default ap.incidents.command-results)
  AP_INCIDENTS_COMMANDS_PURGE_SECONDS   how often processed commands are deleted from the command topic
  AP_HTTP_WORKERS                       API worker processes sharing the one port (default 1)

Rule served: issue 10, one typed settings object per service, built by ``load_settings``; a bad value
stops the process at start naming the variable.
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import Field

from ap_contracts.topics import INCIDENTS_COMMAND_RESULTS, INCIDENTS_COMMANDS, INCIDENTS_EVENTS
from ap_incidents.adapters.command_topic_retention import DEFAULT_PURGE_INTERVAL_SECONDS
from ap_runtime.settings import PlatformSettings, env_field, load_settings

READ_DSN_ENV = "AP_INCIDENTS_READ_DSN"
EVENTS_TOPIC_ENV = "AP_INCIDENTS_EVENTS_TOPIC"
COMMANDS_TOPIC_ENV = "AP_INCIDENTS_COMMANDS_TOPIC"
RESULTS_TOPIC_ENV = "AP_INCIDENTS_RESULTS_TOPIC"
PURGE_SECONDS_ENV = "AP_INCIDENTS_COMMANDS_PURGE_SECONDS"
HTTP_WORKERS_ENV = "AP_HTTP_WORKERS"


class IncidentsSettings(PlatformSettings):
    """Everything an incidents process reads from its environment."""

    # Containers publish the port; the bind address is the operator's choice (AP_HTTP_HOST).
    http_host: str = env_field("AP_HTTP_HOST", "0.0.0.0")  # noqa: S104  # nosec B104 - containers publish the port
    read_dsn: str | None = env_field(READ_DSN_ENV)
    events_topic: str = env_field(EVENTS_TOPIC_ENV, INCIDENTS_EVENTS)
    commands_topic: str = env_field(COMMANDS_TOPIC_ENV, INCIDENTS_COMMANDS)
    results_topic: str = env_field(RESULTS_TOPIC_ENV, INCIDENTS_COMMAND_RESULTS)
    purge_interval_seconds: float = Field(DEFAULT_PURGE_INTERVAL_SECONDS, gt=0, validation_alias=PURGE_SECONDS_ENV)
    # Several processes behind one port: idempotency, stream versions and the token ledger live in
    # PostgreSQL, so any worker may take any request.
    http_workers: int = Field(1, ge=1, le=64, validation_alias=HTTP_WORKERS_ENV)


def incidents_settings(env: Mapping[str, str] | None = None) -> IncidentsSettings:
    """The incidents settings of this process (or of ``env``); ``InvalidSetting`` names a bad variable."""
    return load_settings(IncidentsSettings, env)
