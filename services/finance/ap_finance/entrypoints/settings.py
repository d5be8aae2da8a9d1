"""Settings of the finance processes (API and projections), from the environment.

The shared part (``DATABASE_URL``, ``KAFKA_BOOTSTRAP_SERVERS``, ``AP_LOG_LEVEL``, ``AP_HTTP_HOST`` /
``AP_HTTP_PORT``) is ``ap_runtime.settings.PlatformSettings``; finance adds:

  AP_FINANCE_READ_DSN   read-model database (default: the finance event store's, ap_finance)

Rule served: issue 10, one typed settings object per service, built by ``load_settings``; a bad value
stops the process at start naming the variable.
"""

from __future__ import annotations

from collections.abc import Mapping

from ap_runtime.settings import PlatformSettings, env_field, load_settings

READ_MODEL_DSN_ENV = "AP_FINANCE_READ_DSN"


class FinanceSettings(PlatformSettings):
    """Everything a finance process reads from its environment."""

    # Containers publish the port; the bind address is the operator's choice (AP_HTTP_HOST).
    http_host: str = env_field("AP_HTTP_HOST", "0.0.0.0")  # noqa: S104  # nosec B104 - containers publish the port
    read_dsn: str | None = env_field(READ_MODEL_DSN_ENV)


def finance_settings(env: Mapping[str, str] | None = None) -> FinanceSettings:
    """The finance settings of this process (or of ``env``); ``InvalidSetting`` names a bad variable."""
    return load_settings(FinanceSettings, env)
