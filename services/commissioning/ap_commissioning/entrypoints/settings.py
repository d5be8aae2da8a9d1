"""Settings of the commissioning API, from the environment: the shared ``PlatformSettings`` (``DATABASE_URL``,
``KAFKA_BOOTSTRAP_SERVERS``, ``AP_LOG_LEVEL``, ``AP_HTTP_HOST`` / ``AP_HTTP_PORT``, ...) and nothing more; the
event store is ``$AP_DSN_AP_COMMISSIONING`` or the ``ap_commissioning`` database on ``DATABASE_URL``'s server.

Rule served: issue 10, one typed settings object per service; a bad value stops the process naming the variable.
"""

from __future__ import annotations

from collections.abc import Mapping

from ap_runtime.settings import PlatformSettings, env_field, load_settings


class CommissioningSettings(PlatformSettings):
    # Containers publish the port; the bind address is the operator's choice (AP_HTTP_HOST).
    http_host: str = env_field("AP_HTTP_HOST", "0.0.0.0")  # noqa: S104  # nosec B104 - containers publish the port


def commissioning_settings(env: Mapping[str, str] | None = None) -> CommissioningSettings:
    return load_settings(CommissioningSettings, env)
