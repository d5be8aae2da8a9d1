"""The fortnight's servers and processes: every service process the persons' requests reach, on one clock.

Real PostgreSQL and Kafka; as OS processes: the incidents API, the incidents relay (to the test's topic), the
notifications worker (SMTP delivery to a local SMTP server, a daily digest at 17:00 London, quiet hours off) and the
notifications API. Every one of them, and each periodic check (``escalation_check``, ``digest_check``, run as the
CronJob runs them), reads the time from one clock file (``AP_CLOCK_FILE`` with ``AP_DEPLOYMENT=test``,
``ap_runtime.clock``) that the test moves from day to day; nothing is back-dated and nothing waits for wall time.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import uuid4

import asyncpg
import httpx

from ap_runtime.access import TokenIssuer, generate_keypair
from ap_runtime.access.keys import load_private_key
from ap_runtime.access.tokens import ServiceAudience
from ap_runtime.clock import FileClock
from ap_runtime.projection import read_model
from ap_testing.notifications.checks import check_succeeds
from ap_testing.notifications.fortnight_people import ORGANISATIONS, Call
from ap_testing.privacy import master_keys_env, random_ring
from ap_testing.processes import (
    PlatformProcess,
    free_port,
    incidents_process_env,
    processes_report,
    wait_for_platform,
)
from ap_testing.smtp_server import LocalSmtpServer

NewDatabase = Callable[[str], Awaitable[str]]
NewTopic = Callable[..., Awaitable[str]]
ROLES = ("default", "dsl", "deputy_dsl", "head", "senior_leader", "parent", "pastoral_lead", "virtual_school_head")
# Daily digests after the school day; quiet hours off, so what a parent receives does not depend on the hour.
SCHEDULE = {"version": "fortnight-test-2", "digest_time": "17:00:00", "zone": "Europe/London", "quiet_hours": None}


def address(organisation: str, role: str) -> str:
    return f"{role}@{organisation}.test"


def directory() -> dict[str, dict[str, str]]:
    """Every organisation's office (default), and the roles a message may name, each its own address."""
    return {org: {role: address(org, role) for role in ROLES} for org in ORGANISATIONS}


async def processed_event_ids(pool: asyncpg.Pool, projection: str) -> set[str]:
    """The incidents events one of the worker's read models has committed as applied."""
    try:
        async with read_model(pool, projection) as conn:
            return {str(r["event_id"]) for r in await conn.fetch("SELECT event_id FROM processed_events")}
    except (LookupError, asyncpg.UndefinedTableError):
        return set()


@dataclass
class Stage:
    pool: asyncpg.Pool  # the notifications database
    clock: FileClock
    env: dict[str, str]  # every notifications process's environment
    smtp: LocalSmtpServer
    logs: Path
    issuer: TokenIssuer
    clients: dict[ServiceAudience, httpx.AsyncClient]
    services: list[PlatformProcess] = field(default_factory=list)  # APIs and the relay
    workers: list[PlatformProcess] = field(default_factory=list)

    def start_worker(self) -> PlatformProcess:
        worker = PlatformProcess(f"worker-{len(self.workers)}", ["-m", "ap_notifications.entrypoints.worker"],
                                 self.env, self.logs)
        self.workers.append(worker)
        return worker

    @property
    def worker(self) -> PlatformProcess:
        return self.workers[-1]

    @property
    def processes(self) -> list[PlatformProcess]:
        return [*self.services, self.worker]

    async def send(self, call: Call) -> dict[str, Any]:
        """The person's request, with a token minted for this write; it must be accepted."""
        headers = {"Authorization": f"Bearer {call.person.token(self.issuer, call.audience)}"}
        answer = await self.clients[call.audience].post(call.path, json=call.body, headers=headers)
        assert answer.status_code in (200, 201), f"{call.path} as {call.person.user_id}: {answer.text}"
        result: dict[str, Any] = answer.json()
        return result

    async def applied(self, event_ids: list[str], seconds: float = 90.0) -> None:
        """Until the alert projection and the early-warning trends projection have both applied ``event_ids``."""
        wanted = set(event_ids)

        async def both() -> bool:
            return wanted <= await processed_event_ids(self.pool, "notification_alerts") and wanted <= (
                await processed_event_ids(self.pool, "notification_trends"))

        await wait_for_platform(both, f"{len(wanted)} event(s) applied", self.processes, seconds=seconds)

    async def check(self, module: str) -> str:
        """A periodic check as the CronJob runs it, at the clock's time (the digest check reads the clock file
        itself; the escalation check is told it with ``--now``)."""
        now = [] if module == "digest_check" else ["--now", self.clock().isoformat()]
        return await check_succeeds(module, self.env, *now)

    def report(self) -> str:
        return processes_report([*self.services, *self.workers])


def _notifications_env(dsns: dict[str, str], topics: dict[str, str], keys: dict[str, str], bootstrap: str,
                       smtp: LocalSmtpServer, files: Path) -> dict[str, str]:
    recipients, schedule = files / "recipients.json", files / "schedule.json"
    recipients.write_text(json.dumps(directory()), encoding="utf-8")
    schedule.write_text(json.dumps(SCHEDULE), encoding="utf-8")
    return {"AP_DSN_AP_NOTIFICATIONS": dsns["notif"], "AP_DSN_AP_KEYS": dsns["keys"], "AP_KEY_CACHE_TTL_SECONDS": "0",
            "KAFKA_BOOTSTRAP_SERVERS": bootstrap, "AP_NOTIFY_INCIDENTS_TOPIC": topics["events"],
            "AP_NOTIFY_NOTIFICATIONS_TOPIC": topics["inbox"], "AP_NOTIFY_GROUP_PREFIX": f"fortnight-{uuid4().hex[:8]}",
            "AP_NOTIFY_OUTBOX_DIR": str(files / "outbox"), "AP_LOG_LEVEL": "WARNING", "AP_NOTIFY_DELIVERY": "smtp",
            "AP_NOTIFY_SMTP_HOST": smtp.host, "AP_NOTIFY_SMTP_PORT": str(smtp.port),
            "AP_NOTIFY_RECIPIENTS_FILE": str(recipients), "AP_NOTIFY_SCHEDULE_FILE": str(schedule), **keys}


def _ready(client: httpx.AsyncClient, path: str) -> Callable[[], Awaitable[bool]]:
    async def answers() -> bool:
        return (await client.get(path)).status_code == 200

    return answers


@asynccontextmanager
async def open_stage(new_database: NewDatabase, new_topic: NewTopic, kafka_bootstrap: str,
                     start: datetime) -> AsyncIterator[Stage]:
    """Databases, topics, keys, the clock at ``start``, the SMTP server, the APIs and the relay; no worker yet."""
    dsns = {name: await new_database(f"fortnight_{name}") for name in ("events", "audit", "keys", "notif", "naudit")}
    topics = {name: await new_topic(f"fortnight-{name}") for name in ("events", "commands", "results", "inbox")}
    logs = Path(tempfile.mkdtemp(prefix="alerts-fortnight-"))
    clock = FileClock(logs / "clock")
    clock.set(start)
    timed = {"AP_CLOCK_FILE": str(clock.path), "AP_DEPLOYMENT": "test"}
    _ring, raw = random_ring("mk-fortnight")
    keys, tokens = master_keys_env(raw, "mk-fortnight"), generate_keypair()
    smtp = await LocalSmtpServer().start()
    ports = {audience: free_port() for audience in (ServiceAudience.INCIDENTS, ServiceAudience.NOTIFICATIONS)}
    incidents_env = {**incidents_process_env(dsns, topics, master_keys=keys, token_public_pem=tokens.public_pem,
                                             bootstrap=kafka_bootstrap, port=ports[ServiceAudience.INCIDENTS]), **timed}
    env = {**_notifications_env(dsns, topics, keys, kafka_bootstrap, smtp, logs), **timed}
    api_env = {**env, "AP_DSN_AP_AUDIT": dsns["naudit"], "AP_TOKEN_PUBLIC_KEY": tokens.public_pem,
               "AP_HTTP_PORT": str(ports[ServiceAudience.NOTIFICATIONS])}
    clients = {audience: httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30)
               for audience, port in ports.items()}
    pool = await asyncpg.create_pool(dsns["notif"], min_size=1, max_size=3)
    stage = Stage(pool, clock, env, smtp, logs, TokenIssuer(load_private_key(tokens.private_pem)), clients)
    try:
        stage.services += [
            PlatformProcess("incidents-api", ["-m", "ap_incidents.entrypoints.api"], incidents_env, logs),
            PlatformProcess("notifications-api", ["-m", "ap_notifications.entrypoints.api"], api_env, logs)]
        for audience, path in ((ServiceAudience.INCIDENTS, "/readyz"), (ServiceAudience.NOTIFICATIONS, "/v1/health")):
            await wait_for_platform(_ready(clients[audience], path), f"the {audience.value} API", stage.services)
        stage.services.append(PlatformProcess("incidents-relay", [
            "-m", "ap_runtime.relay", "--service", "incidents", "--dsn", dsns["events"], "--topic", topics["events"]],
            incidents_env, logs))
        yield stage
    finally:
        for process in [*stage.workers, *reversed(stage.services)]:
            process.stop()
        for client in clients.values():
            await client.aclose()
        await smtp.stop()
        await pool.close()
