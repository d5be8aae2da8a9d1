"""`make demo-web` (and the end of an interactive `make demo`): the web service in a browser.

Starts, on the demo's servers and secrets (.demo/), the incidents API with its relay and
projections, the local OIDC provider with the demo people, and the web service; prints the address
and who to sign in as, and serves until Ctrl-C. Development only: the provider accepts any password.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import subprocess  # nosec B404 - starts the local OIDC provider with a fixed argv
import sys
from pathlib import Path

import httpx

from ap_runtime import pg_roles
from ap_runtime.settings import DEFAULT_PG
from demo.incidents_walkthrough import API_PORT, start_incidents, until
from demo.personas import PERSONAS
from demo.processes import Fleet
from demo.secrets import demo_secrets

ROOT = Path(__file__).resolve().parents[2]
STATE = ROOT / ".demo"
WEB_PORT, OIDC_PORT = 8180, 8190


async def answers(address: str) -> bool:
    async with httpx.AsyncClient(timeout=5) as probe:
        return (await probe.get(address)).status_code == 200


def web_database() -> str:
    """The web service's database (answers in progress) and its own login role, made as the deploy job makes
    the platform's (``ap_runtime.pg_roles``); the web service is not yet one of ``PLATFORM_DATABASES``."""
    admin = os.environ.get("DATABASE_URL", DEFAULT_PG + "/postgres")
    plan = pg_roles.DatabaseRole("ap_web", "ap_web", "ap_web")
    asyncio.run(pg_roles.apply(admin, [plan], {}))
    return pg_roles.role_dsn(admin, plan)


def main() -> int:
    env = {**demo_secrets(STATE), "AP_LOG_LEVEL": "WARNING", "AP_NOTIFY_OUTBOX_DIR": str(STATE / "outbox"),
           "KAFKA_BOOTSTRAP_SERVERS": os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:59092")}
    logs = STATE / "logs"
    client_secret = secrets.token_urlsafe(24)
    fleet = Fleet()
    provider: subprocess.Popen[bytes] | None = None
    try:
        start_incidents(fleet, env, logs)
        asyncio.run(until(lambda: answers(f"http://127.0.0.1:{API_PORT}/readyz"), "the incidents API", fleet))
        # What the behaviour log needs: the relay (event store -> Kafka) and the incidents projections.
        fleet.start("incidents-relay", ["-m", "ap_runtime.relay", "--service", "incidents"], env, logs)
        fleet.start("incidents-projections", ["-m", "ap_incidents.entrypoints.projections"], env, logs)
        provider = subprocess.Popen(  # noqa: S603  # nosec B603 - our own provider script
            [str(ROOT / "deploy/local/oidc.sh"), "run", str(OIDC_PORT)],
            env={**os.environ, "AP_OIDC_CLIENT_SECRET": client_secret,
                 "AP_OIDC_REDIRECT_URIS": f"http://localhost:{WEB_PORT}/auth/callback"})
        fleet.start("web", ["-m", "ap_web", str(WEB_PORT)], {
            **env, "AP_WEB_OIDC_ISSUER": f"http://localhost:{OIDC_PORT}", "AP_WEB_OIDC_CLIENT_SECRET": client_secret,
            "AP_WEB_INCIDENTS_URL": f"http://127.0.0.1:{API_PORT}", "AP_DSN_AP_WEB": web_database()}, logs)
        asyncio.run(until(lambda: answers(f"http://localhost:{WEB_PORT}/"), "the web service", fleet))
        print(f"\nThe web service: http://localhost:{WEB_PORT}/  (sign in with a login below, any password)")
        for spec in PERSONAS.values():
            roles = ", ".join(role.value for role in spec.roles)
            print(f"  {spec.user_id:<20} {spec.organisation_id:<24} {roles}")
        print("Ctrl-C stops it.", flush=True)
        while not fleet.dead():
            asyncio.run(asyncio.sleep(2))
        print(f"stopped: {fleet.dead()} (see {logs})")
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        fleet.stop()
        if provider is not None:
            provider.terminate()


if __name__ == "__main__":
    sys.exit(main())
