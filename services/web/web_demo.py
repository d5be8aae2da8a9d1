"""`make demo-web` (and the end of an interactive `make demo`): the web service in a browser.

Starts, on the demo's servers and secrets (.demo/), every service the journeys call — incidents (API, command
consumer, relay, projections), finance, reporting, notifications (worker, relay) and commissioning, each API
with its relay and projections (``SERVICES``) — the local OIDC provider with the demo people, and the web
service; prints the address and every person to sign in as (login, organisation, roles), and serves until
Ctrl-C. Development only: the provider accepts any password.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import subprocess  # nosec B404 - starts the local OIDC provider with a fixed argv
import sys
from dataclasses import dataclass
from pathlib import Path

import httpx

from ap_runtime import pg_roles
from ap_runtime.settings import DEFAULT_PG
from demo.finance_walkthrough import API_PORT as FINANCE_PORT
from demo.incidents_walkthrough import API_PORT as INCIDENTS_PORT
from demo.incidents_walkthrough import start_consumers, until
from demo.personas import PERSONAS
from demo.processes import Fleet
from demo.secrets import demo_secrets

ROOT = Path(__file__).resolve().parents[2]
STATE = ROOT / ".demo"
WEB_PORT, OIDC_PORT = 8180, 8190


@dataclass(frozen=True, slots=True)
class Service:
    """One service the journeys call: its API (``AP_WEB_<NAME>_URL``), where it says it is ready, and the
    processes that feed its read models, started once the API has migrated its database."""

    name: str
    port: int
    ready_path: str
    followers: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_args(self) -> list[str]:
        return ["-m", f"ap_{self.name}.entrypoints.api"]


def _feeders(name: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """A service's relay (event store -> Kafka) and projection runner."""
    return ((f"{name}-relay", ("-m", "ap_runtime.relay", "--service", name)),
            (f"{name}-projections", ("-m", f"ap_{name}.entrypoints.projections")))


#: In start order. The incidents API's followers (command consumer, relays, projections of incidents,
#: notifications and reporting) are the main demo's (``demo.incidents_walkthrough.start_consumers``).
SERVICES = (
    Service("incidents", INCIDENTS_PORT, "/readyz"),
    Service("finance", FINANCE_PORT, "/readyz", _feeders("finance")),
    Service("reporting", 8103, "/v1/health"),
    Service("notifications", 8104, "/v1/health"),
    Service("commissioning", 8105, "/readyz", _feeders("commissioning")),
)


async def answers(address: str) -> bool:
    async with httpx.AsyncClient(timeout=5) as probe:
        return (await probe.get(address)).status_code == 200


def platform_databases() -> str:
    """Every platform database and its login role, made as `make up` and the deploy job make them
    (``ap_runtime.pg_roles``, idempotent), so the demo runs on any server DATABASE_URL names; the DSN of the
    web service's own (answers in progress), logged in as its role."""
    admin = os.environ.get("DATABASE_URL", DEFAULT_PG + "/postgres")
    plan = pg_roles.platform_roles()
    asyncio.run(pg_roles.apply(admin, plan, {}))
    (web,) = [role for role in plan if role.kind == "ap_web"]
    return pg_roles.role_dsn(admin, web)


def start_services(fleet: Fleet, env: dict[str, str], logs: Path) -> None:
    """Each API in turn (each migrates its database and the shared audit one), then what feeds it."""
    for service in SERVICES:
        fleet.start(f"{service.name}-api", service.api_args, {**env, "AP_HTTP_PORT": str(service.port)}, logs)
        ready = service.url + service.ready_path
        asyncio.run(until(lambda: answers(ready), f"the {service.name} API", fleet))  # noqa: B023 - awaited here
        if service.name == "incidents":
            start_consumers(fleet, env, logs)
        for name, args in service.followers:
            fleet.start(name, list(args), env, logs)


def web_env(env: dict[str, str], client_secret: str, dsn: str) -> dict[str, str]:
    """The web process's settings: the local provider (plain http on localhost, hence no Secure flag), a client
    secret for this run, every service's URL, its own database ``dsn``."""
    urls = {f"AP_WEB_{service.name.upper()}_URL": service.url for service in SERVICES}
    return {**env, **urls, "AP_WEB_OIDC_ISSUER": f"http://localhost:{OIDC_PORT}",
            "AP_WEB_OIDC_CLIENT_SECRET": client_secret, "AP_WEB_INSECURE_COOKIES": "1",
            "AP_DSN_AP_WEB": dsn}


def people() -> list[str]:
    """Every demo person to sign in as: login, organisation, roles (the provider's people, deploy/local/oidc.sh)."""
    return [f"  {spec.user_id:<20} {spec.organisation_id:<24} {', '.join(role.value for role in spec.roles)}"
            for spec in PERSONAS.values()]


def serve(fleet: Fleet, logs: Path) -> int:
    print(f"\nThe web service: http://localhost:{WEB_PORT}/  (sign in with a login below, any password)")
    print(f"  {'login':<20} {'organisation':<24} roles")
    print("\n".join(people()))
    print("Ctrl-C stops it.", flush=True)
    while not fleet.dead():
        asyncio.run(asyncio.sleep(2))
    print(f"stopped: {fleet.dead()} (see {logs})")
    return 1


def main() -> int:
    env = {**demo_secrets(STATE), "AP_LOG_LEVEL": "WARNING", "AP_NOTIFY_OUTBOX_DIR": str(STATE / "outbox"),
           "KAFKA_BOOTSTRAP_SERVERS": os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:59092")}
    logs = STATE / "logs"
    client_secret = secrets.token_urlsafe(24)
    fleet = Fleet()
    provider: subprocess.Popen[bytes] | None = None
    try:
        web_dsn = platform_databases()
        start_services(fleet, env, logs)
        provider = subprocess.Popen(  # noqa: S603  # nosec B603 - our own provider script
            [str(ROOT / "deploy/local/oidc.sh"), "run", str(OIDC_PORT)],
            env={**os.environ, "AP_OIDC_CLIENT_SECRET": client_secret,
                 "AP_OIDC_REDIRECT_URIS": f"http://localhost:{WEB_PORT}/auth/callback"})
        fleet.start("web", ["-m", "ap_web", str(WEB_PORT)], web_env(env, client_secret, web_dsn), logs)
        asyncio.run(until(lambda: answers(f"http://localhost:{WEB_PORT}/"), "the web service", fleet))
        return serve(fleet, logs)
    except KeyboardInterrupt:
        return 0
    finally:
        fleet.stop()
        if provider is not None:
            provider.terminate()


if __name__ == "__main__":
    sys.exit(main())
