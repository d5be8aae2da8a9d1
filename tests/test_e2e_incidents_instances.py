"""Several instances of the incidents API and of its command consumer (issue 11, more than one of everything).

Two API processes (separate ports, as two replicas behind a load balancer) and two command
consumers in one consumer group run on the same fresh databases and topics of the real servers.
What must hold across them lives in PostgreSQL, and this proves it does: the same command sent to
both APIs, or on several partitions to both consumers, is recorded once; concurrent commands for
one pupil through both APIs all land, once each, in one gap-free stream; the keyed audit chain
written by every process verifies; and a SIGKILL of an API process under load loses no command it
acknowledged.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import tempfile
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import httpx
import pytest
import pytest_asyncio

from ap_contracts.envelope import OrgKind
from ap_incidents.adapters.command_topic_client import CommandTopicClient
from ap_incidents.application.catalogue import COMMANDS
from ap_incidents.application.parsing import parse_command
from ap_incidents.entrypoints.bootstrap import IncidentsDeps
from ap_runtime.access import Role, TokenIssuer, TokenVerifier, ensure_schema, generate_keypair
from ap_runtime.access.audit import verify
from ap_runtime.access.keys import load_private_key, load_public_key
from ap_runtime.access.tokens import ServiceAudience
from ap_runtime.kafka import idempotent_producer, topic_partitions
from ap_runtime.privacy.keystore import KeyStore
from ap_testing.privacy import master_keys_env, random_ring
from ap_testing.processes import PlatformProcess as Process
from ap_testing.processes import free_port, incidents_process_env, processes_report, wait_for_platform
from bench.incidents_ingest import ADMIN, REGISTRATIONS, admission_commands

pytestmark = pytest.mark.e2e  # several platform processes (ap_testing.levels)


@dataclass
class Instances:
    apis: list[httpx.AsyncClient]
    kafka: CommandTopicClient
    issuer: TokenIssuer
    env: dict[str, str]
    logs: Path
    events: asyncpg.Pool
    audit: asyncpg.Pool
    pupils: list[UUID]
    processes: list[Process]
    bootstrap: str

    def token(self) -> str:
        """A fresh provision-staff token: a write token carries one command."""
        return self.issuer.mint(user_id="instances-staff", organisation_id="bench-provision",
                                org_kind=OrgKind.PROVISION, roles=[Role.PROVISION_STAFF])

    def report(self) -> str:
        return processes_report(self.processes)


def incident(pupil_ref: UUID, day: int) -> dict[str, Any]:
    """A day-to-day command body (an incident ``day`` days ago, inside the placement)."""
    placement = UUID(int=pupil_ref.int ^ 0xB0B)  # as the bench's admission places the pupil
    happened = (datetime.now(UTC).date() - timedelta(days=2 + day)).isoformat()
    return {"command_id": str(uuid4()), "placement_id": str(placement), "incident_id": str(uuid4()),
            "happened_at": f"{happened}T10:30:00+00:00", "category": "low_level_disruption", "severity": 2,
            "location": "classroom", "triggers": ["task_demand"], "antecedents": "Asked to start a task",
            "description": "Left the table", "staff_involved": ["staff-1"]}


async def post(client: httpx.AsyncClient, instances: Instances, pupil_ref: UUID,
               body: dict[str, Any]) -> httpx.Response:
    path = f"/v1/pupils/{pupil_ref}/{COMMANDS['RecordIncident'].path}"
    return await client.post(path, json=body, headers={"Authorization": f"Bearer {instances.token()}"})


async def _place(deps: IncidentsDeps, count: int) -> list[UUID]:
    """Register the organisations and admit ``count`` pupils in process (a third writer of the chain)."""
    app = deps.application()
    today = datetime.now(UTC).date()
    for registration in REGISTRATIONS:
        await app.execute(ADMIN, parse_command(COMMANDS["RegisterOrganisation"],
                                               {"command_id": str(uuid4()), **registration}))
    pupils = [uuid4() for _ in range(count)]
    for pupil_ref in pupils:
        for principal, command_type, body in admission_commands(pupil_ref, today):
            await app.execute(principal, parse_command(COMMANDS[command_type], {"command_id": str(uuid4()), **body},
                                                       pupil_ref=pupil_ref))
    return pupils


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def instances(new_database: Callable[[str], Any], new_topic: Callable[..., Any],
                    kafka_bootstrap: str) -> AsyncIterator[Instances]:
    dsns = {name: await new_database(f"instances_{name}") for name in ("events", "audit", "keys")}
    topics = {name: await new_topic(f"instances-{name}") for name in ("events", "commands", "results")}
    ring, raw_keys = random_ring("mk-instances")
    pair = generate_keypair()
    events = await asyncpg.create_pool(dsns["events"], min_size=1, max_size=8)
    audit = await asyncpg.create_pool(dsns["audit"], min_size=1, max_size=4)
    async with audit.acquire() as conn:
        await ensure_schema(conn)
    keystore = await KeyStore.open(dsns["keys"], ring)
    deps = IncidentsDeps(events, events, audit, keystore,
                         TokenVerifier(load_public_key(pair.public_pem), audience=ServiceAudience.INCIDENTS))
    await deps.migrate()
    pupils = await _place(deps, 3)
    ports = [free_port(), free_port()]
    env = incidents_process_env(dsns, topics, master_keys=master_keys_env(raw_keys, "mk-instances"),
                                token_public_pem=pair.public_pem, bootstrap=kafka_bootstrap, port=ports[0])
    logs = Path(tempfile.mkdtemp(prefix="e2e-instances-"))
    processes = [Process(f"api-{i}", ["-m", "ap_incidents.entrypoints.api"], {**env, "AP_HTTP_PORT": str(port)}, logs)
                 for i, port in enumerate(ports)]
    processes += [Process(f"commands-{i}", ["-m", "ap_incidents.entrypoints.commands"], env, logs) for i in range(2)]
    apis = [httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60) for port in ports]
    kafka = CommandTopicClient(kafka_bootstrap, commands_topic=topics["commands"], results_topic=topics["results"])
    issuer = TokenIssuer(load_private_key(pair.private_pem), audience=ServiceAudience.INCIDENTS)
    platform = Instances(apis, kafka, issuer, env, logs, events, audit, pupils, processes, kafka_bootstrap)
    try:
        for api in apis:
            async def ready(api: httpx.AsyncClient = api) -> bool:
                return (await api.get("/readyz")).status_code == 200

            await wait_for_platform(ready, "both APIs to be ready", processes)
        await kafka.start()
        yield platform
    finally:
        await kafka.stop()
        for api in apis:
            await api.aclose()
        for process in reversed(processes):
            process.stop()
        await keystore.close()
        await events.close()
        await audit.close()


async def _events_of(instances: Instances, command_id: str) -> list[asyncpg.Record]:
    return await instances.events.fetch(
        "SELECT e.stream_id, e.stream_version FROM events e JOIN processed_commands p"
        " ON e.event_id = ANY(p.event_ids) WHERE p.command_id = $1", UUID(command_id))


async def test_the_same_command_sent_to_both_apis_is_recorded_once(instances: Instances) -> None:
    pupil = instances.pupils[0]
    for day in range(10):
        body = incident(pupil, day)
        first, second = await asyncio.gather(*(post(api, instances, pupil, body) for api in instances.apis))
        assert sorted([first.status_code, second.status_code]) == [200, 201], (first.text, second.text,
                                                                               instances.report())
        assert first.json()["event_ids"] == second.json()["event_ids"]
        assert len(await _events_of(instances, body["command_id"])) == 1


async def test_concurrent_commands_for_one_pupil_across_apis_all_land_in_order(instances: Instances) -> None:
    pupil = instances.pupils[1]
    stream = f"pupil-{pupil}"
    before = await instances.events.fetchval("SELECT version FROM streams WHERE stream_id = $1", stream)
    bodies = [incident(pupil, 20 + n) for n in range(40)]
    responses = await asyncio.gather(*(post(instances.apis[n % 2], instances, pupil, body)
                                       for n, body in enumerate(bodies)))
    assert [r.status_code for r in responses] == [201] * len(bodies), instances.report()
    stored = await instances.events.fetch(
        "SELECT stream_version, payload->>'incident_id' AS incident FROM events WHERE stream_id = $1"
        " AND stream_version > $2 ORDER BY stream_version", stream, before)
    assert [r["stream_version"] for r in stored] == list(range(before + 1, before + len(bodies) + 1))
    assert sorted(r["incident"] for r in stored) == sorted(b["incident_id"] for b in bodies)


async def test_the_same_command_on_every_partition_is_recorded_once_by_two_consumers(instances: Instances) -> None:
    pupil = instances.pupils[2]
    body = incident(pupil, 70)
    message = json.dumps({"command_type": "RecordIncident", "command": body, "pupil_ref": str(pupil)}).encode()
    partitions = await topic_partitions(instances.bootstrap, [instances.kafka.commands_topic])
    producer = idempotent_producer(instances.bootstrap)
    await producer.start()
    try:
        # One copy per partition: both consumers of the group hold some, so both handle the command.
        for partition in partitions:
            await producer.send_and_wait(instances.kafka.commands_topic, message, key=str(pupil).encode(),
                                         partition=partition.partition,
                                         headers=[("authorization", f"Bearer {instances.token()}".encode())])
    finally:
        await producer.stop()
    results = await instances.kafka.wait_for_count(body["command_id"], len(partitions), wait_seconds=120)
    assert {r["status"] for r in results} == {"accepted"}, results
    assert len({tuple(r["event_ids"]) for r in results}) == 1, results
    assert len(await _events_of(instances, body["command_id"])) == 1


async def test_a_sigkilled_api_loses_no_acknowledged_command(instances: Instances) -> None:
    port = free_port()
    victim = Process("api-killed", ["-m", "ap_incidents.entrypoints.api"], {**instances.env, "AP_HTTP_PORT": str(port)},
                     instances.logs)
    instances.processes.append(victim)
    client = httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30)
    acknowledged: list[str] = []
    busy = asyncio.Event()
    try:
        async def ready() -> bool:
            return (await client.get("/readyz")).status_code == 200

        await wait_for_platform(ready, "the API to be killed to be ready", [victim])
        pupil = instances.pupils[0]

        async def send(n: int) -> None:
            body = incident(pupil, 100 + n)
            await asyncio.sleep(n * 0.01)
            try:
                response = await post(client, instances, pupil, body)
            except httpx.HTTPError:
                return  # not acknowledged: the process died first
            if response.status_code in (200, 201):
                acknowledged.append(body["command_id"])
                if len(acknowledged) >= 20:
                    busy.set()

        async def kill_when_busy() -> None:
            await busy.wait()  # mid-load: twenty answered, the rest queued or in flight
            os.kill(victim.popen.pid, signal.SIGKILL)

        await asyncio.gather(kill_when_busy(), *(send(n) for n in range(200)))
        assert victim.popen.wait(10) == -signal.SIGKILL
        assert 20 <= len(acknowledged) < 200, "the kill came after every command was answered"
        lost = [c for c in acknowledged if len(await _events_of(instances, c)) != 1]
        assert lost == [], f"{len(lost)} acknowledged commands are not stored"
    finally:
        await client.aclose()


def _spawned_workers(pid: int) -> set[int]:
    """The child processes of ``pid`` started by multiprocessing's spawn (uvicorn's workers)."""
    found = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
                command = Path(f"/proc/{entry}/cmdline").read_bytes().decode(errors="replace")
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid and "spawn_main" in command:
                found.add(int(entry))
    return found


async def test_two_workers_behind_one_port_record_a_command_once(instances: Instances) -> None:
    port = free_port()
    server = Process("api-workers", ["-m", "ap_incidents.entrypoints.api"],
                     {**instances.env, "AP_HTTP_PORT": str(port), "AP_HTTP_WORKERS": "2"}, instances.logs)
    instances.processes.append(server)
    try:
        async def ready() -> bool:
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=5) as probe:
                return (await probe.get("/readyz")).status_code == 200

        await wait_for_platform(ready, "the two-worker API to be ready", [server])
        workers = _spawned_workers(server.popen.pid)
        assert len(workers) == 2, f"{len(workers)} worker processes\n{instances.report()}"
        pupil = instances.pupils[1]
        body = incident(pupil, 150)
        # Eight connections of their own, sent at once: the kernel hands them to either worker.
        clients = [httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) for _ in range(8)]
        try:
            responses = await asyncio.gather(*(post(client, instances, pupil, body) for client in clients))
        finally:
            for client in clients:
                await client.aclose()
        assert sorted(r.status_code for r in responses) == [200] * 7 + [201], [r.text for r in responses]
        assert len({tuple(r.json()["event_ids"]) for r in responses}) == 1
        assert len(await _events_of(instances, body["command_id"])) == 1
    finally:
        server.stop()


async def test_the_audit_chain_written_by_every_process_verifies(instances: Instances) -> None:
    # Runs last: the in-process admissions, both APIs, both consumers and the killed API all wrote to it.
    result = await verify(instances.audit)
    assert result.ok, result
    allowed = await instances.audit.fetchval("SELECT count(*) FROM access_audit WHERE decision = 'allowed'")
    assert result.checked >= allowed >= 3 * 5 + 10 + 40 + 20  # admissions, both APIs, the consumers, the killed API
