"""Process settings read from the environment, with local-development defaults."""

from __future__ import annotations

import os
from dataclasses import dataclass

DEFAULT_PG = "postgresql://postgres@127.0.0.1:55432"
DEFAULT_KAFKA = "127.0.0.1:59092"


def _base_dsn() -> str:
    url = os.environ.get("DATABASE_URL", DEFAULT_PG + "/postgres")
    # DATABASE_URL names a server; each service uses its own database on it.
    return url.rsplit("/", 1)[0] if url.count("/") > 2 else url


def database_dsn(database: str) -> str:
    """DSN of one of the platform's databases (ap_incidents, ap_keys, ...) on the configured server."""
    override = os.environ.get(f"AP_DSN_{database.upper()}")
    return override or f"{_base_dsn()}/{database}"


@dataclass(frozen=True, slots=True)
class Settings:
    kafka_bootstrap: str
    service: str

    @classmethod
    def from_env(cls, service: str) -> Settings:
        return cls(kafka_bootstrap=os.environ.get("KAFKA_BOOTSTRAP_SERVERS", DEFAULT_KAFKA), service=service)

    @property
    def events_dsn(self) -> str:
        return database_dsn(f"ap_{self.service}")
