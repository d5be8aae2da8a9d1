"""The attendance threshold of a service level agreement reaches the alert worker through Kafka (issue 13).

The commissioning API (in process, on its own database) records an agreement both parties sign; the relay runs
as ``python -m ap_runtime.relay --service commissioning`` and publishes ``SlaVersionAgreed`` to its topic; the
notifications worker runs as an OS process reading the incidents topic and the commissioning topic
(``AP_NOTIFY_COMMISSIONING_TOPIC``). A placement that agreed no attendance threshold of its own falls to 80 %
attendance: the commissioner is alerted against the SLA's 85 %, once.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, date, datetime, time
from pathlib import Path
from uuid import uuid4

import asyncpg
import httpx
import pytest
import pytest_asyncio

from ap_commissioning.adapters.event_store import migrate_commissioning
from ap_commissioning.entrypoints.api import create_app
from ap_commissioning.entrypoints.bootstrap import CommissioningDeps
from ap_contracts.envelope import Actor, OrgKind
from ap_contracts.events.base import DomainEvent
from ap_contracts.events.pupil_vocabulary import AttendanceCode
from ap_runtime.access import AccessGuard, AuditLog, Role, TokenIssuer, TokenVerifier, ensure_schema, generate_keypair
from ap_runtime.access.keys import load_private_key, load_public_key
from ap_runtime.access.tokens import ServiceAudience
from ap_runtime.eventstore import EventStore, NewEvent, migrate
from ap_runtime.privacy import KeyStore, PersonalDataCodec
from ap_runtime.relay import Relay
from ap_testing.notifications.builders import COMMISSIONER, PROVISION, Events
from ap_testing.privacy import master_keys_env, random_ring
from ap_testing.processes import PlatformProcess, processes_report, wait_for_platform

pytestmark = pytest.mark.e2e

NewDatabase = Callable[[str], Awaitable[str]]
KEYS = generate_keypair()
ISSUER = TokenIssuer(load_private_key(KEYS.private_pem), audience=ServiceAudience.COMMISSIONING)
ACTOR = Actor(user_id="staff@provision", organisation_id=PROVISION, roles=("provision_staff",))


def headers(user: str, organisation: str, kind: OrgKind, role: Role) -> dict[str, str]:
    token = ISSUER.mint(user_id=user, organisation_id=organisation, org_kind=kind, roles=[role])
    return {"Authorization": f"Bearer {token}"}


@pytest_asyncio.fixture(loop_scope="session")
async def commissioning(new_database: NewDatabase) -> AsyncIterator[tuple[str, httpx.AsyncClient]]:
    """The commissioning API in process on a fresh database (its clock: 1 January 2025)."""
    dsn = await new_database("e2e_comm")
    pool = await asyncpg.create_pool(dsn, min_size=1, max_size=4)
    await migrate_commissioning(pool)
    async with pool.acquire() as conn:
        await ensure_schema(conn)
    audit = AuditLog(pool)
    verifier = TokenVerifier(load_public_key(KEYS.public_pem), audience=ServiceAudience.COMMISSIONING)
    deps = CommissioningDeps(EventStore(pool), verifier, AccessGuard(audit),
                             clock=lambda: datetime.combine(date(2025, 1, 1), time(9), tzinfo=UTC))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(deps)),
                                 base_url="http://commissioning.test") as client:
        yield dsn, client
    await audit.aclose()
    await pool.close()


async def agree_sla(client: httpx.AsyncClient, threshold: int) -> None:
    path = f"/v1/slas/{PROVISION}/{COMMISSIONER}"
    def commissioner() -> dict[str, str]:  # a write command needs a fresh token
        return headers("np-lead", COMMISSIONER, OrgKind.COMMISSIONER, Role.COMMISSIONER)

    def provider() -> dict[str, str]:
        return headers("pbp-manager", PROVISION, OrgKind.PROVISION, Role.PROVISION_MANAGER)

    terms = {"places_by_phase": [{"phase": "primary", "places": 8}], "starts_on": "2025-01-01",
             "ends_on": "2025-08-31", "attendance_threshold_percent": threshold}
    for caller, suffix, body in ((commissioner, "/versions", {"version": 1, "terms": terms}),
                                 (provider, "/versions/1/signatures", {}),
                                 (commissioner, "/versions/1/signatures", {})):
        answer = await client.post(path + suffix, json={"command_id": str(uuid4()), **body}, headers=caller())
        assert answer.status_code == 200, answer.text


async def append(store: EventStore, events: list[DomainEvent]) -> None:
    for event in events:
        stream = f"pupil-{event.pii_subject()}"
        version = await store.stream_version(stream)
        await store.append(stream, version, [NewEvent(event, ACTOR, PROVISION, uuid4(),
                                                      event_id=getattr(event, "record_id"))])


async def sla_thresholds_applied(pool: asyncpg.Pool) -> bool:
    schema = await pool.fetchval("SELECT table_schema FROM information_schema.tables"
                                 " WHERE table_name = 'sla_attendance_thresholds' LIMIT 1")
    if schema is None:
        return False
    return bool(await pool.fetchval(f'SELECT count(*) FROM "{schema}".sla_attendance_thresholds'))


async def attendance_alerts(pool: asyncpg.Pool) -> list[asyncpg.Record]:
    try:
        return await pool.fetch(
            "SELECT payload FROM events WHERE event_type = 'NotificationSent'"
            " AND payload->>'rule_name' = 'attendance_below_agreed_level'")
    except asyncpg.UndefinedTableError:
        return []


async def test_an_sla_threshold_reaches_the_alert_worker_through_kafka(
    new_database: NewDatabase, new_topic: Callable[..., Awaitable[str]], kafka_bootstrap: str,
    commissioning: tuple[str, httpx.AsyncClient], tmp_path: Path,
) -> None:
    commissioning_dsn, client = commissioning
    ring, raw = random_ring("mk-1")
    keys_dsn = await new_database("e2e_comm_keys")
    keystore = await KeyStore.open(keys_dsn, ring, cache_ttl_seconds=0)
    incidents_pool = await asyncpg.create_pool(await new_database("e2e_comm_incidents"), min_size=1, max_size=4)
    await migrate(incidents_pool)
    incidents = EventStore(incidents_pool, PersonalDataCodec(keystore))
    notif_dsn = await new_database("e2e_comm_notif")
    notif_pool = await asyncpg.create_pool(notif_dsn, min_size=1, max_size=2)
    incidents_topic, commissioning_topic = await new_topic("e2e-comm-incidents"), await new_topic("e2e-comm-sla")
    logs = tmp_path / "logs"
    logs.mkdir()
    processes = [
        PlatformProcess("commissioning-relay", ["-m", "ap_runtime.relay", "--service", "commissioning",
                                                "--dsn", commissioning_dsn, "--topic", commissioning_topic],
                        {"KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap, "AP_LOG_LEVEL": "WARNING"}, logs),
        PlatformProcess("notifications", ["-m", "ap_notifications.entrypoints.worker"], {
            "AP_DSN_AP_NOTIFICATIONS": notif_dsn, "AP_DSN_AP_KEYS": keys_dsn,
            "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
            "AP_NOTIFY_INCIDENTS_TOPIC": incidents_topic, "AP_NOTIFY_COMMISSIONING_TOPIC": commissioning_topic,
            "AP_NOTIFY_NOTIFICATIONS_TOPIC": await new_topic("e2e-comm-inbox"),
            "AP_NOTIFY_GROUP_PREFIX": f"e2e-comm-{uuid4().hex[:8]}", "AP_NOTIFY_OUTBOX_DIR": str(tmp_path / "out"),
            "AP_LOG_LEVEL": "WARNING", **master_keys_env(raw, "mk-1")}, logs),
    ]
    stop_relay = asyncio.Event()
    relay = asyncio.create_task(Relay(incidents_pool, kafka_bootstrap, "e2e-comm-incidents-relay",
                                      topic_override=incidents_topic).run(stop_relay))
    try:
        await agree_sla(client, 85)
        await wait_for_platform(lambda: sla_thresholds_applied(notif_pool), "the SLA threshold applied", processes)

        pupil = Events()
        days = [date(2025, 3, d) for d in (3, 4, 5, 6, 7, 10, 11, 12, 13, 14)]
        marks = ([pupil.mark(d, AttendanceCode.PRESENT_AM) for d in days[:8]]
                 + [pupil.mark(d, AttendanceCode.OTHER_UNAUTHORISED) for d in days[8:]])
        await append(incidents, [pupil.started(attendance_threshold_percent=None), *marks])

        async def alerted() -> bool:
            return len(await attendance_alerts(notif_pool)) >= 1

        await wait_for_platform(alerted, "the attendance alert", processes)
        await asyncio.sleep(1)  # nothing more arrives
        [row] = await attendance_alerts(notif_pool)
    finally:
        stop_relay.set()
        await relay
        report = processes_report(processes)
        for process in processes:
            process.stop()
        await incidents_pool.close()
        await notif_pool.close()
        await keystore.close()
    sent = json.loads(row["payload"]) if isinstance(row["payload"], str) else row["payload"]
    assert sent["recipient_organisation_id"] == COMMISSIONER, report
    assert (sent["threshold"]["threshold_value"], sent["threshold"]["observed_value"]) == (8500, 8000)
    assert sent["cause_event_id"] == str(marks[-1].record_id)
