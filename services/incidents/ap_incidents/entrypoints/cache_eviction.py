"""Wiring of the erasure listener into the incidents processes (API and command consumer).

Rule served: a pupil erased by any process is dropped from this process's caches of decrypted
history (``ap_runtime.privacy.erasure_listener``). Kafka being unreachable at start must not stop
the API: the process then logs it and relies on the caches' maximum age (5 minutes, enforced on
every load).
"""

from __future__ import annotations

import os

from ap_contracts.topics import INCIDENTS_EVENTS
from ap_incidents.application.service import IncidentsApplication
from ap_runtime.logging import get_logger
from ap_runtime.privacy.erasure_listener import ErasureListener
from ap_runtime.settings import Settings

EVENTS_TOPIC_ENV = "AP_INCIDENTS_EVENTS_TOPIC"

log = get_logger("ap.incidents.cache_eviction")


async def start_cache_eviction(application: IncidentsApplication, bootstrap: str | None = None,
                               topic: str | None = None) -> ErasureListener | None:
    """A started listener for the process's event topic, or None (logged) when Kafka cannot be reached."""
    listener = application.erasure_listener(bootstrap or Settings.from_env("incidents").kafka_bootstrap,
                                            [topic or os.environ.get(EVENTS_TOPIC_ENV, INCIDENTS_EVENTS)])
    try:
        await listener.start()
    except Exception as exc:  # the caches' maximum age still bounds what stays in memory
        log.warning("erasures elsewhere will reach this process's caches only by their maximum age",
                    error=type(exc).__name__)
        await listener.stop()
        return None
    return listener
