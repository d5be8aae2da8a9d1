"""Real PostgreSQL and Kafka for tests and benchmarks: found or started, never mocked, never skipped.

Rule served: integration tests prove behaviour against the real servers the platform runs on. When
no server can be had the run fails loudly, naming what is missing; an integration test that was
skipped fails the run too, so a green run always means the integration tests really ran.

Each server is resolved once per process, in this order:
  1. the server named by DATABASE_URL / KAFKA_BOOTSTRAP_SERVERS (what `make test` and CI set);
  2. a throwaway container through testcontainers, when a Docker engine answers;
  3. the local server managed by deploy/local/postgres.sh or deploy/local/kafka.sh (started if needed).

Loaded as a pytest plugin by the root conftest.py. Fixtures: `postgres_admin_dsn`, `kafka_bootstrap`,
`new_database` (await new_database("prefix") -> dsn of a fresh database, dropped at session end),
`unique_topic` (unique_topic("prefix") -> unused topic name) and `new_topic` (await new_topic("prefix",
partitions=6) -> name of a created topic). Plain helpers for the bench: `resolve_infrastructure()`,
`create_topic()`, `dsn_for_database()`.
"""

from __future__ import annotations

import asyncio
import functools
import json
import os
import re
import secrets
import socket
import subprocess  # nosec B404  # runs only deploy/local scripts of this repository
import warnings
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest
import pytest_asyncio
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import for_code

from ap_runtime.access.audit_heads import HEADS_TOPIC_ENV
from ap_runtime.access.chain_keys import CHAIN_KEY_ENV, new_chain_key
from ap_runtime.kafka import client_security
from ap_testing.levels import NO_SERVERS_ENV, SERVER_LEVELS, no_servers

DATABASE_ENV = "DATABASE_URL"
KAFKA_ENV = "KAFKA_BOOTSTRAP_SERVERS"
SUMMARY_FILE_ENV = "AP_TEST_SUMMARY_FILE"
INTEGRATION_MARKER = "integration"
POSTGRES_IMAGE = "postgres:15"
KAFKA_IMAGE = "confluentinc/cp-kafka:7.6.0"  # testcontainers' KafkaContainer drives Confluent images
SCRIPT_TIMEOUT_SECONDS = 900  # a first start may install PostgreSQL or fetch Kafka from Maven Central
TOPIC_ALREADY_EXISTS = 36

NewDatabase = Callable[[str], Awaitable[str]]
UniqueTopic = Callable[[str], str]
NewTopicFactory = Callable[..., Awaitable[str]]


class InfrastructureUnavailable(RuntimeError):
    """No real server could be found or started; the message says what was tried and what is missing."""


@dataclass(frozen=True, slots=True)
class Endpoint:
    """Where a server answers (a DSN or a bootstrap list) and how it was obtained."""

    address: str
    origin: str


# --------------------------------------------------------------------------------------------------
# Resolution
# --------------------------------------------------------------------------------------------------

_started_containers: list[Any] = []


def repository_root() -> Path:
    """The checkout holding deploy/local (AP_REPO_ROOT overrides, for installs outside the checkout)."""
    override = os.environ.get("AP_REPO_ROOT")
    candidates = [Path(override)] if override else []
    candidates += [*Path(__file__).resolve().parents, Path.cwd(), *Path.cwd().parents]
    for candidate in candidates:
        if (candidate / "deploy" / "local" / "common.sh").is_file():
            return candidate
    raise InfrastructureUnavailable(
        "deploy/local scripts not found: run from the repository checkout or set AP_REPO_ROOT"
    )


def _host_port_reachable(host: str, port: int, timeout: float = 3.0) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def _require_reachable(variable: str, value: str, host: str | None, port: int) -> None:
    # A server named explicitly is the operator's choice: never fall back silently to another one.
    if host and not _host_port_reachable(host, port):
        raise InfrastructureUnavailable(f"{variable}={value} names a server that does not answer on {host}:{port}")


def docker_engine_answers(timeout: float = 2.0) -> bool:
    """True when a Docker engine answers a ping within `timeout`; any error means no."""
    if not os.environ.get("DOCKER_HOST") and not Path("/var/run/docker.sock").exists():
        return False
    try:
        import docker

        client = docker.from_env(timeout=int(max(timeout, 1)))
        try:
            return bool(client.ping())
        finally:
            client.close()
    except Exception:
        return False


def _run_deploy_script(name: str) -> str:
    """Start the local server with deploy/local/<name> (idempotent) and return its `url`."""
    script = repository_root() / "deploy" / "local" / name
    try:
        subprocess.run(  # noqa: S603  # nosec B603  # fixed script path in this repository
            [str(script), "start"], check=True, capture_output=True, text=True, timeout=SCRIPT_TIMEOUT_SECONDS
        )
        url = subprocess.run(  # noqa: S603  # nosec B603  # fixed script path in this repository
            [str(script), "url"], check=True, capture_output=True, text=True, timeout=30
        )
    except subprocess.CalledProcessError as error:
        tail = "\n".join((error.stderr or "").strip().splitlines()[-15:])
        raise InfrastructureUnavailable(
            f"deploy/local/{name} start failed (exit {error.returncode}):\n{tail}"
        ) from error
    except (OSError, subprocess.TimeoutExpired) as error:
        raise InfrastructureUnavailable(f"deploy/local/{name} could not be run: {error}") from error
    return url.stdout.strip()


def _start_postgres_container() -> str:
    try:
        from testcontainers.community.postgres import PostgresContainer
    except ImportError:  # testcontainers before the community split
        from testcontainers.postgres import PostgresContainer

    container = PostgresContainer(
        POSTGRES_IMAGE,
        username="postgres",
        password="postgres",  # noqa: S106  # nosec B106  # a throwaway test container
        dbname="postgres",
        driver=None,
    )
    container.start()
    _started_containers.append(container)
    return str(container.get_connection_url(driver=None))


def _start_kafka_container() -> str:
    try:
        from testcontainers.community.kafka import KafkaContainer
    except ImportError:  # testcontainers before the community split
        from testcontainers.kafka import KafkaContainer

    container = KafkaContainer(KAFKA_IMAGE).with_kraft()
    container.with_env("KAFKA_NUM_PARTITIONS", "6")
    container.start(timeout=120)
    _started_containers.append(container)
    return str(container.get_bootstrap_server())


def _resolve(
    kind: str,
    variable: str,
    from_env: Callable[[str], Endpoint],
    container: Callable[[], str],
    script: str,
    local_needs: str,
) -> Endpoint:
    if no_servers():
        # make test-unit promises not to start or reach a server; a test that needs one is not a unit test.
        raise InfrastructureUnavailable(f"{NO_SERVERS_ENV} is set: this run uses no {kind} server")
    value = os.environ.get(variable)
    if value:
        return from_env(value)
    tried = [f"{variable} is not set"]
    if docker_engine_answers():
        try:
            return Endpoint(container(), "testcontainers")
        except Exception as error:  # an image that cannot be pulled must not hide the local fallback
            tried.append(f"a Docker engine answered but the {kind} container did not start: {error}")
    else:
        tried.append("no Docker engine answered (testcontainers unavailable)")
    try:
        return Endpoint(_run_deploy_script(script), f"deploy/local/{script}")
    except InfrastructureUnavailable as error:
        tried.append(str(error))
    raise InfrastructureUnavailable(
        f"No {kind} server for the integration tests. Tried, in order:\n  - "
        + "\n  - ".join(tried)
        + f"\nSet {variable} to a running server, start a Docker engine, or run `make up` ({local_needs})."
    )


def _postgres_from_env(value: str) -> Endpoint:
    parts = urlsplit(value)
    _require_reachable(DATABASE_ENV, value, parts.hostname, parts.port or 5432)
    return Endpoint(value, DATABASE_ENV)


def _kafka_from_env(value: str) -> Endpoint:
    first = value.split(",")[0].strip()
    host, _, port = first.rpartition(":")
    _require_reachable(KAFKA_ENV, value, host.strip("[]") or first, int(port) if port.isdigit() else 9092)
    return Endpoint(value, KAFKA_ENV)


@functools.cache
def postgres_endpoint() -> Endpoint:
    """The PostgreSQL server for this process (superuser DSN on its `postgres` database)."""
    return _resolve(
        "PostgreSQL",
        DATABASE_ENV,
        _postgres_from_env,
        _start_postgres_container,
        "postgres.sh",
        "PostgreSQL is installed with apt-get: needs root",
    )


@functools.cache
def kafka_endpoint() -> Endpoint:
    """The Kafka cluster for this process (bootstrap servers)."""
    endpoint = _resolve(
        "Kafka",
        KAFKA_ENV,
        _kafka_from_env,
        _start_kafka_container,
        "kafka.sh",
        "Kafka is fetched from Maven Central: needs Java 17+ and Maven",
    )
    if endpoint.origin == "deploy/local/kafka.sh":
        _adopt_local_kafka_admin()
    return endpoint


def _adopt_local_kafka_admin() -> None:
    """The local broker runs SASL/SCRAM with ACLs: sign this process (and its children) in as its admin."""
    script = repository_root() / "deploy" / "local" / "kafka.sh"
    printed = subprocess.run(  # noqa: S603  # nosec B603  # fixed script path in this repository
        [str(script), "admin-env"], check=True, capture_output=True, text=True, timeout=30
    ).stdout
    for assignment in printed.split():
        name, _, value = assignment.partition("=")
        os.environ.setdefault(name, value)


def resolve_infrastructure() -> tuple[str, str]:
    """(PostgreSQL admin DSN, Kafka bootstrap servers), found or started; raises InfrastructureUnavailable."""
    return postgres_endpoint().address, kafka_endpoint().address


def stop_started_containers() -> None:
    """Stop the containers this process started (servers found by env or deploy scripts stay up)."""
    while _started_containers:
        container = _started_containers.pop()
        try:
            container.stop()
        except Exception as error:
            warnings.warn(f"could not stop test container {container!r}: {error}", stacklevel=2)


# --------------------------------------------------------------------------------------------------
# Databases and topics
# --------------------------------------------------------------------------------------------------


def _slug(text: str, allowed: str, limit: int) -> str:
    slug = re.sub(f"[^{allowed}]+", "_" if "_" in allowed else "-", text.lower()).strip("_-")
    return slug[:limit] or "x"


def dsn_for_database(dsn: str, database: str) -> str:
    """The same server and credentials as `dsn`, connected to `database` instead."""
    return urlunsplit(urlsplit(dsn)._replace(path="/" + database))


def _quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


async def create_database(admin_dsn: str, prefix: str) -> str:
    """Create `test_<prefix>_<random>` on the admin DSN's server and return its name."""
    name = f"test_{_slug(prefix, 'a-z0-9_', 40)}_{secrets.token_hex(5)}"
    connection = await asyncpg.connect(admin_dsn)
    try:
        for attempt in range(10):
            try:
                await connection.execute(f"CREATE DATABASE {_quote_identifier(name)}")
                return name
            except asyncpg.ObjectInUseError:
                # Another session held template1 for a moment (e.g. a concurrent CREATE DATABASE).
                await asyncio.sleep(0.1 * (attempt + 1))
        raise InfrastructureUnavailable(f"could not create database {name}: template1 stayed in use")
    finally:
        await connection.close()


async def drop_databases(admin_dsn: str, names: list[str]) -> None:
    """Drop test databases, ending any connection a test left open."""
    connection = await asyncpg.connect(admin_dsn)
    try:
        for name in names:
            await connection.execute(f"DROP DATABASE IF EXISTS {_quote_identifier(name)} WITH (FORCE)")
    finally:
        await connection.close()


def topic_name(prefix: str) -> str:
    """A topic name no other test or helper will use: `test-<prefix>-<random>`."""
    return f"test-{_slug(prefix, 'a-z0-9.-', 80)}-{secrets.token_hex(5)}"


async def create_topic(
    bootstrap: str, name: str, partitions: int = 6, replication_factor: int = 1, leader_wait_seconds: float = 30.0
) -> None:
    """Create `name` with `partitions` partitions (no error if it exists) and wait until all have leaders.

    Waiting for leaders lets a test produce at once without racing the controller.
    """
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, **client_security())
    await admin.start()
    try:
        response = await admin.create_topics([NewTopic(name, partitions, replication_factor)])
        # The admin client reports per-topic errors in the response instead of raising them.
        for _topic, code, message, *_rest in response.topic_errors:
            if code not in (0, TOPIC_ALREADY_EXISTS):
                raise for_code(code)(f"could not create topic {name}: {message}")
        for _ in range(max(1, int(leader_wait_seconds * 10))):
            if await _has_leaders(admin, name):
                return
            await asyncio.sleep(0.1)
        raise InfrastructureUnavailable(f"topic {name} has partitions without a leader after {leader_wait_seconds}s")
    finally:
        await admin.close()


async def _has_leaders(admin: AIOKafkaAdminClient, name: str) -> bool:
    described = await admin.describe_topics([name])
    partitions = described[0]["partitions"] if described and described[0]["error_code"] == 0 else []
    return bool(partitions) and all(p["leader"] >= 0 for p in partitions)


async def delete_topics(bootstrap: str, names: list[str]) -> None:
    """Delete those of `names` that exist."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, **client_security())
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        doomed = [name for name in names if name in existing]
        if doomed:
            await admin.delete_topics(doomed)
    finally:
        await admin.close()


# --------------------------------------------------------------------------------------------------
# Fixtures
# --------------------------------------------------------------------------------------------------


def _endpoint_or_fail(resolve: Callable[[], Endpoint]) -> str:
    try:
        return resolve().address
    except InfrastructureUnavailable as error:
        reason = str(error)
    # Fail, never skip: a missing server must turn the run red. (Outside `except`: no chained noise.)
    pytest.fail(reason, pytrace=False)


@pytest.fixture(scope="session")
def _infrastructure_containers() -> Iterator[None]:
    yield
    stop_started_containers()


@pytest.fixture(scope="session")
def postgres_admin_dsn(_infrastructure_containers: None) -> str:
    """Superuser DSN of the real PostgreSQL server (its `postgres` database). Create databases, not tables."""
    return _endpoint_or_fail(postgres_endpoint)


@pytest.fixture(scope="session")
def kafka_bootstrap(_infrastructure_containers: None) -> str:
    """Bootstrap servers of the real Kafka cluster."""
    return _endpoint_or_fail(kafka_endpoint)


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def new_database(postgres_admin_dsn: str) -> AsyncIterator[NewDatabase]:
    """`await new_database("prefix")` -> DSN of a new, empty database; every one is dropped at session end."""
    created: list[str] = []

    async def factory(prefix: str) -> str:
        name = await create_database(postgres_admin_dsn, prefix)
        created.append(name)
        return dsn_for_database(postgres_admin_dsn, name)

    yield factory
    if created and not os.environ.get("AP_KEEP_TEST_DATABASES"):
        await drop_databases(postgres_admin_dsn, created)


RoleDatabases = Callable[..., Awaitable[dict[str, str]]]


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def new_role_databases(postgres_admin_dsn: str) -> AsyncIterator[RoleDatabases]:
    """`await new_role_databases("prefix", "ap_incidents", "ap_audit", ...)` -> {kind: DSN}.

    Fresh databases and fresh login roles made by `ap_runtime.pg_roles.apply`, the same function the
    deploy scripts run: each DSN logs in as that database's least-privilege role, never the superuser.
    Roles are named `t<random>_<kind>` (roles are server-wide); all are dropped at session end.
    """
    import ap_runtime.pg_roles as pg_roles

    plans: list[pg_roles.DatabaseRole] = []

    async def factory(prefix: str, *kinds: str) -> dict[str, str]:
        tag = secrets.token_hex(4)
        names = {kind: f"test_{_slug(prefix, 'a-z0-9_', 30)}_{kind}_{tag}" for kind in kinds}
        plan = pg_roles.platform_roles(names, role_prefix=f"t{tag}_", kinds=kinds or pg_roles.PLATFORM_DATABASES)
        plans.extend(plan)
        await pg_roles.apply(postgres_admin_dsn, plan, {})
        return {item.kind: pg_roles.role_dsn(postgres_admin_dsn, item) for item in plan}

    yield factory
    if plans and not os.environ.get("AP_KEEP_TEST_DATABASES"):
        await pg_roles.drop(postgres_admin_dsn, plans)


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def unique_topic(kafka_bootstrap: str) -> AsyncIterator[UniqueTopic]:
    """`unique_topic("prefix")` -> an unused topic name; topics by that name are deleted at session end.

    The topic is not created: the broker creates it on first use with its default partition count.
    Use `new_topic` (or `create_topic`) when the partition count matters.
    """
    names: list[str] = []

    def factory(prefix: str) -> str:
        name = topic_name(prefix)
        names.append(name)
        return name

    yield factory
    if names:
        try:
            await delete_topics(kafka_bootstrap, names)
        except Exception as error:  # clean-up is a courtesy to the shared broker, not a test result
            warnings.warn(f"could not delete test topics: {error}", stacklevel=1)


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def new_topic(kafka_bootstrap: str, unique_topic: UniqueTopic) -> NewTopicFactory:
    """`await new_topic("prefix", partitions=6)` -> name of a created, leader-elected topic."""

    async def factory(prefix: str, partitions: int = 6) -> str:
        name = unique_topic(prefix)
        await create_topic(kafka_bootstrap, name, partitions=partitions)
        return name

    return factory


# --------------------------------------------------------------------------------------------------
# Integration tally: report, and fail the run when an integration test did not really run
# --------------------------------------------------------------------------------------------------


class IntegrationTally:
    """Plugin counting the outcome of each test on real servers (marked `integration`, `e2e` or `fault`;
    failed beats skipped beats passed).

    Prints "integration tests: N passed, M failed, K skipped" and turns the run red when any was
    skipped or xfailed: such a test proved nothing.
    """

    def __init__(self) -> None:
        self.marked: set[str] = set()
        self.outcomes: dict[str, str] = {}

    def count(self, outcome: str) -> int:
        return sum(1 for value in self.outcomes.values() if value == outcome)

    def skipped_ids(self) -> list[str]:
        return sorted(node for node, value in self.outcomes.items() if value == "skipped")

    def line(self) -> str:
        return (
            f"integration tests: {self.count('passed')} passed, {self.count('failed')} failed, "
            f"{self.count('skipped')} skipped"
        )

    def as_json(self) -> str:
        counts: dict[str, object] = {k: self.count(k) for k in ("passed", "failed", "skipped")}
        return json.dumps(counts | {"skipped_ids": self.skipped_ids()})

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        self.marked.update(item.nodeid for item in items
                           if any(item.get_closest_marker(level) for level in SERVER_LEVELS))

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.nodeid not in self.marked:
            return
        previous = self.outcomes.get(report.nodeid, "passed")
        if report.failed or previous == "failed":
            self.outcomes[report.nodeid] = "failed"
        elif report.skipped or previous == "skipped":  # xfail reports as skipped: it proved nothing either
            self.outcomes[report.nodeid] = "skipped"
        elif report.when == "call":
            self.outcomes[report.nodeid] = "passed"

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if self.skipped_ids() and session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED
        summary_file = os.environ.get(SUMMARY_FILE_ENV)
        if summary_file:
            Path(summary_file).write_text(self.as_json() + "\n", encoding="utf-8")

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        skipped = self.skipped_ids()
        if skipped:
            terminalreporter.section("integration tests must not skip", sep="=", red=True, bold=True)
            for node in skipped:
                terminalreporter.line(f"SKIPPED (counts as a failure) {node}", red=True)
        terminalreporter.write_line(self.line(), bold=True, red=bool(skipped or self.count("failed")))


def _audit_chain_settings() -> None:
    """A session's own audit-chain key and heads topic, unless the environment names them.

    Every audit writer needs the chain key (it refuses to start without one) and every service
    process publishes the chain head: a topic per session keeps the shared broker's
    ``ap.audit.heads`` free of test chains. Child processes inherit both through the environment.
    """
    os.environ.setdefault(CHAIN_KEY_ENV, new_chain_key("test-session"))
    os.environ.setdefault(HEADS_TOPIC_ENV, topic_name("audit-heads"))


def pytest_configure(config: pytest.Config) -> None:
    _audit_chain_settings()
    config.pluginmanager.register(IntegrationTally(), "ap-integration-tally")
