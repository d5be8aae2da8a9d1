"""Process settings read from the environment, with local-development defaults."""

from __future__ import annotations

import os
from dataclasses import dataclass
from urllib.parse import quote, urlsplit, urlunsplit

DEFAULT_PG = "postgresql://postgres@127.0.0.1:55432"
DEFAULT_KAFKA = "127.0.0.1:59092"


def _base_dsn() -> str:
    url = os.environ.get("DATABASE_URL", DEFAULT_PG + "/postgres")
    # DATABASE_URL names a server; each service uses its own database on it.
    return url.rsplit("/", 1)[0] if url.count("/") > 2 else url


def database_dsn(database: str) -> str:
    """DSN of one of the platform's databases (ap_incidents, ap_keys, ...) on the configured server.

    ``AP_DSN_<DATABASE>`` names it whole. Otherwise the DATABASE_URL server, logged in as the
    database's least-privilege role (``ap_runtime.pg_roles``) when ``AP_PG_USER_<DATABASE>`` /
    ``AP_PG_PASSWORD_<DATABASE>`` give its credentials, so that a process holds the credentials of
    exactly the databases it needs and never the superuser's.
    """
    key = database.upper()
    override = os.environ.get(f"AP_DSN_{key}")
    if override:
        return override
    base = _base_dsn()
    user = os.environ.get(f"AP_PG_USER_{key}")
    if user:
        password = os.environ.get(f"AP_PG_PASSWORD_{key}")
        parts = urlsplit(base)
        server = parts.netloc.rsplit("@", 1)[-1]
        login = quote(user, safe="") + (":" + quote(password, safe="") if password else "")
        base = urlunsplit(parts._replace(netloc=f"{login}@{server}"))
    return f"{base}/{database}"


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
