"""docker-compose.yml is runnable as written: images or builds, real dependencies, real entrypoints."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
APP_SERVICES = {
    "incidents-api": "ap_incidents.entrypoints.api",
    "incidents-relay": "ap_runtime.relay",
    "finance-api": "ap_finance.entrypoints.api",
    "finance-relay": "ap_runtime.relay",
    "reporting-projections": "ap_reporting.entrypoints.projections",
    "notifications": "ap_notifications.entrypoints.worker",
}
SERVICE_DATABASES = {"ap_incidents", "ap_finance", "ap_reporting", "ap_notifications", "ap_commissioning", "ap_keys",
                     "ap_audit", "ap_web"}


def load_compose() -> dict[str, Any]:
    return dict(yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8")))


def package_directories() -> dict[str, Path]:
    """Top-level package -> its directory, as the wheel build declares them (ap_incidents -> services/...)."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    packages = pyproject["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"]
    return {Path(p).name: ROOT / p for p in packages}


def module_file(module: str) -> Path | None:
    """The file `python -m module` would run, or None when the repository lacks it."""
    top, *rest = module.split(".")
    base = package_directories().get(top)
    if base is None:
        return None
    target = base.joinpath(*rest)
    for candidate in (target.with_suffix(".py"), target / "__main__.py"):
        if rest and candidate.is_file():
            return candidate
    return target / "__main__.py" if not rest and (target / "__main__.py").is_file() else None


def modules_run_by(command: str | list[str]) -> list[str]:
    words = command.split() if isinstance(command, str) else list(command)
    return [words[i + 1] for i, word in enumerate(words[:-1]) if word == "-m"]


def dependency_names(depends_on: list[str] | dict[str, Any] | None) -> list[str]:
    return list(depends_on or [])


COMPOSE = load_compose()
SERVICES: dict[str, dict[str, Any]] = COMPOSE["services"]


def test_every_platform_process_has_a_service() -> None:
    assert {"kafka", "postgres", *APP_SERVICES} <= set(SERVICES)


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_service_has_an_image_or_a_build(name: str) -> None:
    service = SERVICES[name]
    assert "image" in service or "build" in service
    build = service.get("build")
    if build is not None:
        context = ROOT / (build if isinstance(build, str) else build.get("context", "."))
        dockerfile = "Dockerfile" if isinstance(build, str) else build.get("dockerfile", "Dockerfile")
        assert (context / dockerfile).is_file(), f"{name}: no {dockerfile} in {context}"


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_service_depends_only_on_declared_services(name: str) -> None:
    missing = [d for d in dependency_names(SERVICES[name].get("depends_on")) if d not in SERVICES]
    assert not missing, f"{name} depends on undeclared services {missing}"


@pytest.mark.parametrize("name", sorted(APP_SERVICES))
def test_app_command_runs_a_module_of_this_repository(name: str) -> None:
    modules = modules_run_by(SERVICES[name]["command"])
    assert modules == [APP_SERVICES[name]]
    for module in modules:
        assert module_file(module) is not None, f"{name}: `python -m {module}` has no file in the repository"


@pytest.mark.parametrize("name", sorted(APP_SERVICES))
def test_app_gets_servers_from_the_environment(name: str) -> None:
    environment = SERVICES[name]["environment"]
    assert {"DATABASE_URL", "KAFKA_BOOTSTRAP_SERVERS"} <= set(environment)
    assert environment["DATABASE_URL"].split("//", 1)[1].startswith("postgres:5432/")
    assert environment["KAFKA_BOOTSTRAP_SERVERS"] == "kafka:9092"
    assert {"postgres", "kafka"} <= set(dependency_names(SERVICES[name].get("depends_on")))


# Which databases each service's processes may reach, and its Kafka principal (issue 9).
SERVICE_ROLES = {
    "incidents": ({"ap_incidents", "ap_keys", "ap_audit"}, "ap-incidents"),
    "finance": ({"ap_finance", "ap_audit"}, "ap-finance"),
    "reporting": ({"ap_reporting", "ap_audit"}, "ap-reporting"),
    "notifications": ({"ap_notifications", "ap_keys", "ap_audit"}, "ap-notifications"),
}
# Processes that encrypt or decrypt personal fields (the key store): the only ones with master keys. The
# incidents projections store personal fields sealed, as the events carry them, and hold no key (the API
# opens them at read): services/incidents/tests/test_incidents_projection_process_keys.py runs it so.
DECRYPTING = {"incidents-api", "incidents-commands", "notifications", "notifications-api"}
APP_PROCESSES = sorted(n for n in SERVICES if n.split("-")[0] in SERVICE_ROLES)


@pytest.mark.parametrize("name", APP_PROCESSES)
def test_each_process_signs_in_with_its_own_service_roles_never_the_superuser(name: str) -> None:
    environment = SERVICES[name]["environment"]
    allowed, principal = SERVICE_ROLES[name.split("-")[0]]
    users = {k.removeprefix("AP_PG_USER_").lower(): v for k, v in environment.items() if k.startswith("AP_PG_USER_")}
    assert users, f"{name}: no PostgreSQL role credentials"
    assert set(users) <= allowed, f"{name} holds credentials for {sorted(set(users) - allowed)}"
    assert all(users[db] == db for db in users), f"{name}: each database's own role: {users}"
    assert f"{name.split('-')[0]}" in {db.removeprefix("ap_") for db in users} or name.endswith("api")
    assert "@" not in environment["DATABASE_URL"], f"{name}: DATABASE_URL must carry no login"
    assert not any(k.startswith("AP_DSN_") for k in environment), f"{name}: a whole DSN bypasses the roles"
    assert "POSTGRES_PASSWORD" not in str(environment), f"{name} sees the superuser's password"
    assert environment["AP_KAFKA_USERNAME"] == principal
    assert environment["AP_KAFKA_SECURITY_PROTOCOL"] == "SASL_PLAINTEXT"
    assert "ADMIN" not in str(environment["AP_KAFKA_PASSWORD"])


@pytest.mark.parametrize("name", APP_PROCESSES)
def test_master_keys_only_in_processes_that_encrypt_or_decrypt(name: str) -> None:
    environment = SERVICES[name]["environment"]
    assert ("AP_MASTER_KEYS" in environment) == (name in DECRYPTING), name
    if "AP_MASTER_KEYS" in environment:
        assert "AP_PG_USER_AP_KEYS" in environment


def test_roles_are_made_by_the_one_definition_before_any_app_starts() -> None:
    job = SERVICES["db-roles"]
    assert modules_run_by(job["command"]) == ["ap_runtime.pg_roles"]
    assert "POSTGRES_PASSWORD" in job["environment"]["AP_PG_ADMIN_DSN"]
    for name in APP_PROCESSES:
        depends = SERVICES[name]["depends_on"]
        assert depends["db-roles"]["condition"] == "service_completed_successfully", name
        assert depends["kafka-acls"]["condition"] == "service_completed_successfully", name


def test_kafka_runs_sasl_scram_with_acls_and_every_principal() -> None:
    from ap_runtime import kafka_acls

    start = (ROOT / "deploy/compose/kafka-start.sh").read_text(encoding="utf-8")
    assert "sasl.enabled.mechanisms=SCRAM-SHA-512" in start
    assert "authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer" in start
    assert "allow.everyone.if.no.acl.found=false" in start
    assert "PLAINTEXT://" not in start.replace("SASL_PLAINTEXT://", "")
    for principal in kafka_acls.principals(kafka_acls.platform_grants()):
        assert f"name={principal}," in start, f"compose's Kafka has no SCRAM user {principal}"


def test_compose_acl_script_is_generated_from_the_one_definition() -> None:
    from ap_runtime import kafka_acls

    script = (ROOT / kafka_acls.COMPOSE_ACL_SCRIPT).read_text(encoding="utf-8")
    assert script == kafka_acls.compose_acl_script(kafka_acls.platform_grants()), (
        "regenerate: python -m ap_runtime.kafka_acls compose-script > deploy/compose/kafka-acls.sh"
    )


def test_kafka_is_a_single_kraft_node() -> None:
    kafka = SERVICES["kafka"]
    assert kafka["image"] == "apache/kafka:4.1.1"
    assert kafka["environment"]["KAFKA_PROCESS_ROLES"] == "broker,controller"


def test_postgres_databases_and_roles_come_from_pg_roles() -> None:
    from ap_runtime.pg_roles import PLATFORM_DATABASES

    postgres = SERVICES["postgres"]
    assert postgres["image"] == "postgres:15"
    assert set(PLATFORM_DATABASES) == SERVICE_DATABASES
    assert not [v for v in postgres.get("volumes", []) if "docker-entrypoint-initdb.d" in v], (
        "databases and roles are made by the db-roles job alone"
    )


def test_module_mapping_follows_the_wheel_layout() -> None:
    assert module_file("ap_runtime.relay") == ROOT / "runtime/ap_runtime/relay.py"
    assert module_file("ap_incidents.no_such_module") is None
    assert modules_run_by("python -m ap_runtime.relay --service x") == ["ap_runtime.relay"]
