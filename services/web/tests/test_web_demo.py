"""`make demo-web` starts every service the journeys call and tells a newcomer whom to sign in as (unit: the
plan is checked, nothing is started; the processes themselves are the end-to-end tests' own)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from ap_web.entrypoints.settings import WebSettings
from demo.personas import PERSONAS
from demo.processes import KEY_HOLDERS

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[3]


def load_web_demo() -> ModuleType:
    """services/web/web_demo.py is a script run by `make demo-web`, not a module of a package: load it by path."""
    spec = importlib.util.spec_from_file_location("web_demo", ROOT / "services" / "web" / "web_demo.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclass looks itself up there
    spec.loader.exec_module(module)
    return module


WEB_DEMO = load_web_demo()


def test_the_web_gets_a_running_api_for_every_service_it_can_call() -> None:
    env = WEB_DEMO.web_env({"KAFKA_BOOTSTRAP_SERVERS": "x:1"}, "client-secret", "postgresql://ap_web@h/ap_web")
    settings = WebSettings.from_env(env)
    service_urls = {name: getattr(settings, name) for name in WebSettings.model_fields
                    if name.endswith("_url") and name != "database_url"}  # the server, not a service
    started = {f"{service.name}_url": service.url for service in WEB_DEMO.SERVICES}
    assert service_urls == started, "a service the web can call is not started by the demo, or has no URL"
    assert settings.dsn == "postgresql://ap_web@h/ap_web"
    assert settings.oidc_issuer == f"http://localhost:{WEB_DEMO.OIDC_PORT}"
    ports = [service.port for service in WEB_DEMO.SERVICES] + [WEB_DEMO.WEB_PORT, WEB_DEMO.OIDC_PORT]
    assert len(set(ports)) == len(ports)


def test_every_process_the_demo_starts_is_a_module_that_exists() -> None:
    for service in WEB_DEMO.SERVICES:
        modules = [service.api_args[1]] + [args[1] for _, args in service.followers]
        for module in modules:
            assert importlib.util.find_spec(module) is not None, f"{service.name}: no module {module}"


def test_apis_feed_their_read_models_and_only_key_holders_get_the_master_keys() -> None:
    followers = {name for service in WEB_DEMO.SERVICES for name, _ in service.followers}
    assert {"finance-relay", "finance-projections", "commissioning-relay", "commissioning-projections"} <= followers
    assert "incidents-api" in KEY_HOLDERS and "notifications-api" in KEY_HOLDERS  # the names the demo starts
    assert not followers & KEY_HOLDERS


def test_every_demo_person_is_printed_with_organisation_and_roles() -> None:
    lines = WEB_DEMO.people()
    assert len(lines) == len(PERSONAS)
    for spec, line in zip(PERSONAS.values(), lines, strict=True):
        assert line.split()[:2] == [spec.user_id, spec.organisation_id]
        assert all(role.value in line for role in spec.roles)

