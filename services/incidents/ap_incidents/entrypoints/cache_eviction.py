"""Wiring of the erasure listener into the incidents processes (API and command consumer).

Rule served: a pupil erased by any process is dropped from this process's caches of decrypted
history (``ap_runtime.privacy.erasure_listener``). Kafka being unreachable at start must not stop
the API: the process then logs it and relies on the caches' maximum age (5 minutes, enforced on
every load).
"""

from __future__ import annotations

from ap_incidents.application.service import IncidentsApplication
from ap_incidents.entrypoints.settings import incidents_settings
from ap_runtime.logging import get_logger
from ap_runtime.privacy.erasure_listener import ErasureListener

log = get_logger("ap.incidents.cache_eviction")


async def start_cache_eviction(application: IncidentsApplication, bootstrap: str | None = None,
                               topic: str | None = None) -> ErasureListener | None:
    """A started listener for the process's event topic, or None (logged) when Kafka cannot be reached."""
    settings = incidents_settings()
    listener = application.erasure_listener(bootstrap or settings.kafka_bootstrap, [topic or settings.events_topic])
    try:
        await listener.start()
    except Exception as exc:  # the caches' maximum age still bounds what stays in memory
        log.warning("erasures elsewhere will reach this process's caches only by their maximum age",
                    error=type(exc).__name__)
        await listener.stop()
        return None
    return listener
