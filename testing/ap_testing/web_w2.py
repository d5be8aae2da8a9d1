"""The platform behind the DSL, home-school and DPO web journeys (issue 16), as real OS processes on a test's own
databases and topics: the incidents API with its relay and projections, the notifications worker, relay and
API, the reporting projections and API; then the OIDC provider and the web service (``ap_testing.web.start_web``)
calling those three. The scripted day's first pupil is walked through its HTTP steps
(registration, placement, a day of records, a staff member's safeguarding concern), so the read models have
a week to show; ``api`` sends further commands as a demo persona, with a fresh token each time.
"""

from __future__ import annotations

import subprocess  # nosec B404 - only types the OIDC provider process handle
import tempfile
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest_asyncio

from ap_runtime.access import KeyPair, TokenIssuer, generate_keypair
from ap_runtime.access.keys import load_private_key
from ap_runtime.access.tokens import ServiceAudience
from ap_testing.privacy import master_keys_env, random_ring
from ap_testing.processes import PlatformProcess, free_port, incidents_process_env, processes_report, wait_for_platform
from ap_testing.web import start_web, stop_platform
from demo.personas import Persona, tokens_from
from demo.runner import send_http
from demo.scripted_day import ScriptedDay, scripted_day

DATABASES = ("events", "audit", "keys", "notifications", "reporting", "web")
#: The scripted day's steps about its first pupil end where the Kafka pupil begins.
LAST_STEP = "the home school confirms it will take the pupil back"
REGISTRATION = "the home school registers the pupil"
PLACEMENT_STARTED = "the commissioner starts the placement"
#: Ten processes start on a machine other tests share: generous, so load alone does not fail the test.
STARTUP_SECONDS = 300.0

NewDatabase = Callable[[str], Awaitable[str]]
NewTopic = Callable[..., Awaitable[str]]


@dataclass
class W2Platform:
    """The running services, the scripted day and its first pupil, and a way to send commands as a persona."""

    urls: dict[str, str]
    keys: KeyPair
    day: ScriptedDay
    dsns: dict[str, str]
    logs: Path
    web_url: str = ""
    pupil_ref: str = ""
    placement_id: str = ""
    processes: list[PlatformProcess] = field(default_factory=list)

    def report(self) -> str:
        return processes_report(self.processes)

    def token(self, persona: Persona, audience: ServiceAudience = ServiceAudience.INCIDENTS) -> str:
        return tokens_from(TokenIssuer(load_private_key(self.keys.private_pem)), audience=audience)(persona)

    async def api(self, persona: Persona, path: str, body: dict[str, Any], purpose: str | None = None
                  ) -> httpx.Response:
        """POST to the incidents API as the persona (one fresh token per command)."""
        headers = {"Authorization": f"Bearer {self.token(persona)}"}
        if purpose:
            headers["X-Access-Purpose"] = purpose
        async with httpx.AsyncClient(base_url=self.urls["incidents"], timeout=30) as http:
            return await http.post(path, json=body, headers=headers)

    async def register_another_pupil(self) -> str:
        """A second pupil of the home school (as its staff register one), apart from the scripted day's."""
        step = next(s for s in self.day.steps if s.label == REGISTRATION)
        pupil_ref = str(uuid.uuid4())
        answer = await self.api(step.persona, f"/v1/pupils/{pupil_ref}/registration",
                                {**step.command, "command_id": str(uuid.uuid4())})
        assert answer.status_code == 201, answer.text
        return pupil_ref


def _service_env(dsns: dict[str, str], topics: dict[str, str], keys: KeyPair, bootstrap: str, ports: dict[str, int],
                 master_keys: dict[str, str]) -> dict[str, str]:
    groups = f"web-w2-{uuid.uuid4().hex[:10]}"
    return {
        **incidents_process_env(dsns, topics, master_keys=master_keys, token_public_pem=keys.public_pem,
                                bootstrap=bootstrap, port=ports["incidents"]),
        "AP_DSN_AP_NOTIFICATIONS": dsns["notifications"], "AP_DSN_AP_REPORTING": dsns["reporting"],
        "AP_NOTIFY_INCIDENTS_TOPIC": topics["events"], "AP_NOTIFY_NOTIFICATIONS_TOPIC": topics["notifications"],
        "AP_NOTIFY_GROUP_PREFIX": groups, "AP_NOTIFY_API_HOST": "127.0.0.1",
        "AP_NOTIFY_API_PORT": str(ports["notifications"]),
        "AP_REPORTING_TOPIC": topics["events"], "AP_REPORTING_GROUP_PREFIX": groups,
        "AP_REPORTING_API_HOST": "127.0.0.1", "AP_REPORTING_API_PORT": str(ports["reporting"]),
    }


def _processes(env: dict[str, str], dsns: dict[str, str], topics: dict[str, str], logs: Path
               ) -> list[PlatformProcess]:
    """Everything but the incidents API (started first: it migrates the event store). ``AP_HTTP_PORT`` (the
    incidents API's) would win over a service's own port variable, so each API gets its own."""
    def run(name: str, *args: str, port: str | None = None) -> PlatformProcess:
        return PlatformProcess(name, list(args), env if port is None else {**env, "AP_HTTP_PORT": port}, logs)

    return [
        run("relay", "-m", "ap_runtime.relay", "--service", "incidents", "--dsn", dsns["events"],
            "--topic", topics["events"]),
        run("projections", "-m", "ap_incidents.entrypoints.projections"),
        run("notifications-worker", "-m", "ap_notifications.entrypoints.worker"),
        run("notifications-relay", "-m", "ap_runtime.relay", "--service", "notifications", "--dsn",
            dsns["notifications"], "--topic", topics["notifications"]),
        run("notifications-api", "-m", "ap_notifications.entrypoints.api", port=env["AP_NOTIFY_API_PORT"]),
        run("reporting-projections", "-m", "ap_reporting.entrypoints.projections"),
        run("reporting-api", "-m", "ap_reporting.entrypoints.api", port=env["AP_REPORTING_API_PORT"]),
    ]


async def _ready(urls: dict[str, str]) -> bool:
    async with httpx.AsyncClient(timeout=5) as probe:
        answers = [await probe.get(urls["incidents"] + "/readyz"),
                   await probe.get(urls["notifications"] + "/v1/health"),
                   await probe.get(urls["reporting"] + "/v1/health")]
    return all(answer.status_code == 200 for answer in answers)


async def _walk_first_pupil(platform: W2Platform) -> None:
    """The scripted day's HTTP steps up to the end of its first pupil's day, each answered as expected."""
    async with httpx.AsyncClient(base_url=platform.urls["incidents"], timeout=30) as http:
        for step in platform.day.steps:
            result = await send_http(http, step)
            assert result.as_expected, (step.label, result.http_status, result.body)
            if step.label == PLACEMENT_STARTED:
                platform.pupil_ref, platform.placement_id = str(step.pupil_ref), str(step.command["placement_id"])
            if step.label == LAST_STEP:
                return
    raise AssertionError(f"the scripted day has no step {LAST_STEP!r}")


@asynccontextmanager
async def w2_platform(new_database: NewDatabase, new_topic: NewTopic, bootstrap: str) -> AsyncIterator[W2Platform]:
    """The services running, the first pupil's day recorded; every process stopped on the way out."""
    dsns = {name: await new_database(f"web_w2_{name}") for name in DATABASES}
    topics = {name: await new_topic(f"web-w2-{name}") for name in ("events", "commands", "results", "notifications")}
    _ring, raw_keys = random_ring("mk-web-w2")
    keys = generate_keypair()
    ports = {name: free_port() for name in ("incidents", "notifications", "reporting")}
    urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    logs = Path(tempfile.mkdtemp(prefix="web-w2-"))
    env = _service_env(dsns, topics, keys, bootstrap, ports, master_keys_env(raw_keys, "mk-web-w2"))
    day = scripted_day(tokens_from(TokenIssuer(load_private_key(keys.private_pem))))
    platform = W2Platform(urls, keys, day, dsns, logs)
    oidc: subprocess.Popen[bytes] | None = None
    try:
        platform.processes.append(PlatformProcess("incidents-api", ["-m", "ap_incidents.entrypoints.api"], env, logs))

        async def incidents_ready() -> bool:
            async with httpx.AsyncClient(timeout=5) as probe:
                return (await probe.get(urls["incidents"] + "/readyz")).status_code == 200

        await wait_for_platform(incidents_ready, "the incidents API", platform.processes, seconds=STARTUP_SECONDS)
        platform.processes += _processes(env, dsns, topics, logs)
        await wait_for_platform(lambda: _ready(urls), "the notifications and reporting APIs", platform.processes,
                                seconds=STARTUP_SECONDS)
        await _walk_first_pupil(platform)
        platform.web_url, oidc = await start_web(platform.processes, logs, keys.private_pem, dsns["web"], {
            "AP_WEB_INCIDENTS_URL": urls["incidents"], "AP_WEB_REPORTING_URL": urls["reporting"],
            "AP_WEB_NOTIFICATIONS_URL": urls["notifications"]})
        yield platform
    finally:
        stop_platform(platform.processes, oidc)


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def w2(new_database: NewDatabase, new_topic: NewTopic, kafka_bootstrap: str) -> AsyncIterator[W2Platform]:
    """The platform of a test module's web journeys (services/web/tests/conftest.py offers it)."""
    async with w2_platform(new_database, new_topic, kafka_bootstrap) as platform:
        yield platform
