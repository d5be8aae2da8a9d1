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
SERVICE_DATABASES = {"ap_incidents", "ap_finance", "ap_reporting", "ap_notifications", "ap_keys", "ap_audit"}


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
def test_app_gets_servers_and_keys_from_the_environment(name: str) -> None:
    environment = SERVICES[name]["environment"]
    assert {"DATABASE_URL", "KAFKA_BOOTSTRAP_SERVERS", "AP_MASTER_KEYS"} <= set(environment)
    assert environment["DATABASE_URL"].split("@", 1)[1].startswith("postgres:5432/")
    assert environment["KAFKA_BOOTSTRAP_SERVERS"] == "kafka:9092"
    assert {"postgres", "kafka"} <= set(dependency_names(SERVICES[name].get("depends_on")))


def test_kafka_is_a_single_kraft_node() -> None:
    kafka = SERVICES["kafka"]
    assert kafka["image"] == "apache/kafka:4.1.1"
    assert kafka["environment"]["KAFKA_PROCESS_ROLES"] == "broker,controller"


def test_postgres_init_script_creates_every_service_database() -> None:
    postgres = SERVICES["postgres"]
    assert postgres["image"] == "postgres:15"
    mounts = [v.split(":")[0] for v in postgres["volumes"] if ":/docker-entrypoint-initdb.d/" in v]
    assert mounts, "no init script mounted into /docker-entrypoint-initdb.d"
    sql = "\n".join((ROOT / m).read_text(encoding="utf-8") for m in mounts)
    created = {line.split()[2].rstrip(";") for line in sql.splitlines() if line.upper().startswith("CREATE DATABASE")}
    assert created == SERVICE_DATABASES


def test_module_mapping_follows_the_wheel_layout() -> None:
    assert module_file("ap_runtime.testing.infra") == ROOT / "runtime/ap_runtime/testing/infra.py"
    assert module_file("ap_incidents.no_such_module") is None
    assert modules_run_by("python -m ap_runtime.relay --service x") == ["ap_runtime.relay"]
