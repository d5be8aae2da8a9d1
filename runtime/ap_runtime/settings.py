"""Process settings, read from the environment in one place (issue 10, "one way to configure").

Every service describes its settings as a pydantic model that extends ``PlatformSettings`` (the part
every process shares: database server, Kafka, log level, HTTP bind address and port) and builds it with
``load_settings``, the only function that reads the environment for it. Each field names its variable
with ``env_field``; an old name kept for compatibility is listed as a deprecated alias. A value that
does not parse stops the process at start with ``InvalidSetting`` naming the variable, never the value
(it may be a secret).

The same things have the same names in every service: ``DATABASE_URL``, ``KAFKA_BOOTSTRAP_SERVERS``,
``AP_LOG_LEVEL``, and one port scheme per process, ``AP_HTTP_HOST`` / ``AP_HTTP_PORT``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypeVar
from urllib.parse import quote, urlsplit, urlunsplit

from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

DEFAULT_PG = "postgresql://postgres@127.0.0.1:55432"
DEFAULT_KAFKA = "127.0.0.1:59092"

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]


class InvalidSetting(ValueError):
    """A setting in the environment does not parse; the message names each variable and what is wrong."""

    def __init__(self, problems: Mapping[str, str]) -> None:
        self.problems = dict(problems)
        super().__init__("invalid settings: " + "; ".join(f"{name}: {why}" for name, why in self.problems.items()))


def env_field(variable: str, default: Any = None, *, deprecated: tuple[str, ...] = (), description: str = "") -> Any:
    """A settings field read from ``variable`` (then from each ``deprecated`` old name, in order)."""
    return Field(default, validation_alias=AliasChoices(variable, *deprecated), description=description)


class PlatformSettings(BaseModel):
    """What every process of the platform reads, under the same names in every service."""

    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True)

    database_url: str = env_field("DATABASE_URL", DEFAULT_PG + "/postgres",
                                  description="PostgreSQL server; each service uses its own database on it")
    kafka_bootstrap: str = env_field("KAFKA_BOOTSTRAP_SERVERS", DEFAULT_KAFKA)
    log_level: LogLevel = env_field("AP_LOG_LEVEL", "INFO")
    http_host: str = env_field("AP_HTTP_HOST", "127.0.0.1", description="address an API process binds")
    http_port: int = Field(8000, ge=1, le=65535, validation_alias=AliasChoices("AP_HTTP_PORT"))
    # The HTTP edge's limits (``ap_runtime.http``); runtime/tests/test_runtime_http_edge.py pins that
    # these defaults are EdgeLimits()'s.
    http_max_body_bytes: int = Field(1024 * 1024, gt=0, validation_alias=AliasChoices("AP_HTTP_MAX_BODY_BYTES"))
    http_rate_per_second: float = Field(500.0, gt=0, validation_alias=AliasChoices("AP_HTTP_RATE_PER_SECOND"))
    http_rate_burst: int = Field(1000, gt=0, validation_alias=AliasChoices("AP_HTTP_RATE_BURST"))
    # This process's Kafka principal (``ap_runtime.kafka.KafkaSecurity``, which checks they go together).
    kafka_security_protocol: Literal["PLAINTEXT", "SASL_PLAINTEXT", "SASL_SSL"] | None = env_field(
        "AP_KAFKA_SECURITY_PROTOCOL")
    kafka_username: str | None = env_field("AP_KAFKA_USERNAME")
    kafka_password: SecretStr | None = env_field("AP_KAFKA_PASSWORD")
    # The access audit's published chain heads (``ap_runtime.access.audit_heads``; defaults there).
    audit_heads_topic: str | None = env_field("AP_AUDIT_HEADS_TOPIC")
    audit_head_interval_seconds: float | None = Field(
        None, gt=0, le=3600, validation_alias=AliasChoices("AP_AUDIT_HEAD_INTERVAL_SECONDS"))
    access_policy: Path | None = env_field("AP_ACCESS_POLICY", description="policy file instead of the packaged one")
    key_cache_ttl_seconds: float | None = Field(None, ge=0, validation_alias=AliasChoices("AP_KEY_CACHE_TTL_SECONDS"),
                                                description="how long unwrapped data keys stay cached (0: not)")
    projection_catalogues: str | None = env_field("AP_PROJECTION_CATALOGUES",
                                                  description="comma-separated modules declaring projections")
    # Keys, parsed and checked by the component that uses them (which names the variable it refuses):
    # the pupil data keys' master keys (``privacy.masterkeys``), the access audit's chain keys
    # (``access.chain_keys``) and the bearer tokens' keys (``access.keys`` / ``access.tokens``).
    master_keys: SecretStr | None = env_field("AP_MASTER_KEYS", description="'id:base64,id:base64'")
    active_master_key: str | None = env_field("AP_ACTIVE_MASTER_KEY")
    audit_chain_key: SecretStr | None = env_field("AP_AUDIT_CHAIN_KEY", description="'<key id>:<base64>'")
    audit_chain_retired_keys: SecretStr | None = env_field("AP_AUDIT_CHAIN_RETIRED_KEYS")
    token_public_key: str | None = env_field("AP_TOKEN_PUBLIC_KEY", description="PEM, or base64 of PEM/DER/raw")
    token_private_key: SecretStr | None = env_field("AP_TOKEN_PRIVATE_KEY", description="identity provider only")
    token_issuer: str | None = env_field("AP_TOKEN_ISSUER")
    token_audience: str | None = env_field("AP_TOKEN_AUDIENCE", description="service a minted token is for")
    # Set by ``ap_runtime.http.serve`` for its own uvicorn worker processes (the app factory each builds); not
    # configuration: a deployment leaves it unset.
    http_app_factory: str | None = env_field("AP_HTTP_APP_FACTORY", description="set by serve_api for its workers")
    # A worker's liveness file for its Kubernetes exec probe (``ap_runtime.health``); unset: none written.
    heartbeat_file: Path | None = env_field("AP_HEARTBEAT_FILE", description="file a worker touches while live")
    # Issue 14: a clock a file sets, for tests and demos only (``ap_runtime.clock``); refused in production, which
    # is what a process is unless told otherwise, so a stray clock file stops a real deployment at start.
    deployment: Literal["production", "development", "test"] = env_field("AP_DEPLOYMENT", "production")
    clock_file: Path | None = env_field("AP_CLOCK_FILE", description="file holding the time (not in production)")

    @field_validator("log_level", "kafka_security_protocol", mode="before")
    @classmethod
    def _in_any_case(cls, value: Any) -> Any:
        # "debug" works as well as "DEBUG", "sasl_ssl" as "SASL_SSL", as they did before settings.
        return value.upper() if isinstance(value, str) else value

    @field_validator("clock_file")
    @classmethod
    def _no_clock_file_in_production(cls, value: Path | None, info: ValidationInfo) -> Path | None:
        if value is not None and info.data.get("deployment", "production") == "production":
            raise ValueError("a clock set by a file is refused in production; AP_DEPLOYMENT=test (or development) "
                             "allows it")
        return value


def hand_to_child_processes(variable: str, value: str) -> None:
    """Put ``variable`` in this process's environment for the processes it starts (uvicorn's workers) to read
    through their settings: the one place outside the settings models that touches the environment."""
    os.environ[variable] = value


def platform_settings(env: Mapping[str, str] | None = None) -> PlatformSettings:
    """The shared settings alone, for runtime components and the operator CLI."""
    return load_settings(PlatformSettings, env)


ROLE_PASSWORD_PREFIX = "AP_PG_PASSWORD_"  # noqa: S105  # nosec B105  # a variable name, not a password


class DeployJobSettings(PlatformSettings):
    """What the deploy jobs read besides the shared part: ``ap_runtime.pg_roles`` (the admin DSN and each
    database role's ``AP_PG_PASSWORD_<DATABASE>``) and ``ap_runtime.kafka_acls`` (``JAVA``)."""

    pg_admin_dsn: SecretStr | None = env_field("AP_PG_ADMIN_DSN", description="superuser DSN of the roles job")
    java: str = env_field("JAVA", "java", description="java executable that runs Kafka's AclCommand")
    # Every AP_PG_PASSWORD_<DATABASE> variable, by variable name: the names follow the databases.
    role_passwords: dict[str, SecretStr] = Field(default_factory=dict)
    # Whether DATABASE_URL came from the environment (its default is no admin's DSN).
    database_url_given: bool = False

    @model_validator(mode="before")
    @classmethod
    def _collect_derived_variables(cls, data: Any) -> Any:
        if not isinstance(data, Mapping):
            return data
        passwords = {name: value for name, value in data.items() if name.startswith(ROLE_PASSWORD_PREFIX)}
        return {**data, "role_passwords": passwords, "database_url_given": "DATABASE_URL" in data}

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> DeployJobSettings:
        """The deploy job's settings from this process's environment (or ``env``)."""
        return load_settings(cls, env)

    def admin_dsn(self) -> str | None:
        """``AP_PG_ADMIN_DSN``, else ``DATABASE_URL`` when the environment sets it, else None."""
        if self.pg_admin_dsn is not None:
            return self.pg_admin_dsn.get_secret_value()
        return self.database_url if self.database_url_given else None

    def role_password(self, database: str) -> str | None:
        """``AP_PG_PASSWORD_<DATABASE>`` (None when unset or empty)."""
        value = self.role_passwords.get(ROLE_PASSWORD_PREFIX + database.upper())
        return None if value is None else value.get_secret_value()


def port_field(default: int, *, deprecated: tuple[str, ...] = ()) -> Any:
    """``AP_HTTP_PORT`` with a service's default port (and the service's old port variables, deprecated)."""
    return Field(default, ge=1, le=65535, validation_alias=AliasChoices("AP_HTTP_PORT", *deprecated))


SettingsT = TypeVar("SettingsT", bound=BaseModel)


def load_settings(model: type[SettingsT], env: Mapping[str, str] | None = None) -> SettingsT:
    """Build ``model`` from ``env`` (default: this process's environment); refuse a bad value by name.

    An empty variable counts as unset, as the deploy scripts export empty values for optional ones.
    """
    source = os.environ if env is None else env
    present = {name: value for name, value in source.items() if value != ""}
    try:
        return model.model_validate(present)
    except ValidationError as exc:
        raise InvalidSetting({_variable(model, error["loc"]): error["msg"] for error in exc.errors()}) from None


def _variable(model: type[BaseModel], loc: tuple[int | str, ...]) -> str:
    """The variable an error is about: pydantic reports the alias it read, or the field name."""
    head = str(loc[0]) if loc else "?"
    field = model.model_fields.get(head)
    if field is not None and isinstance(field.validation_alias, AliasChoices):
        first = field.validation_alias.choices[0]
        return first if isinstance(first, str) else head
    return head


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
        return cls(kafka_bootstrap=load_settings(PlatformSettings).kafka_bootstrap, service=service)

    @property
    def events_dsn(self) -> str:
        return database_dsn(f"ap_{self.service}")
