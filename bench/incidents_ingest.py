"""Incidents command path: HTTP and Kafka ingestion against the raw event store, in the same run.

    python -m bench.incidents_ingest [--commands 2000] [--pupils 50] [--concurrency 16] [--repeats 3]
                                     [--api-instances 2] [--open-rate 200] [--only http kafka baseline]

``run(repeats)`` returns the same document without printing or writing it (``bench.run`` calls it).

Each repeat builds a fresh platform (event store, key store and audit databases, unique topics),
places ``2 x pupils`` pupils, then measures three ways of recording the same kind of day-to-day
commands (incidents, attendance marks, reward slips, one event each):

* ``http``: the API as ``--api-instances`` uvicorn worker processes behind one port,
  ``concurrency`` closed-loop clients posting in parallel (throughput); latency is each request's
  round trip, as a provision system sees it.
* ``http_open``: the same API, commands sent open-loop at ``--open-rate`` per second (each on its
  schedule whether or not earlier ones were answered); latency runs from the scheduled send time,
  so time spent queueing counts. Beside it, what PostgreSQL's upkeep did meanwhile (autovacuum and
  autoanalyze runs finished on the platform's tables, the server's checkpoints, the WAL written in
  MB, all clients' included): a tail event of tens of ms is a stall, and these name the usual ones.
* ``strict``: on a sample of the HTTP commands, each was audited (an allowed record with the
  command's correlation id in the audit chain, and the chain verifies), its personal fields are
  sealed in the event store (the free text is not in the stored row), and a resend with a fresh
  token is answered 200 with the first outcome and records no second event. Raises otherwise.
* ``kafka``: the command consumer as ``--consumer-instances`` processes in one group (2, as many as
  the API's workers, so both paths have the same share of the machine); every command is produced at once (a bulk
  load) and the latency runs from producing a command to reading its result on the results
  topic, so it is mostly time queued behind the burst; ``kafka_paced`` sends ``--paced`` more
  commands at ``--rate`` per second, below capacity, for the latency of one command. Both split
  the p50 in two: from the send to the consumer producing the result (the result record's
  CreateTime, same machine's clock) and from there to this reader (the way back).
* ``baseline``: ``EventStore.append`` of the events those commands record (personal fields
  sealed with the same per-pupil keys), with the same concurrency and per-pupil ordering, and no
  HTTP, token, authorisation, audit, history load or decision.

Prints one JSON document and writes bench/results/incidents_ingest-<timestamp>.json: medians of
the repeats for commands/s (= events/s here) and p50/p95/p99 latency, and ratios to the baseline.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import logging
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import httpx
from aiokafka.errors import KafkaError

from ap_contracts.envelope import OrgKind
from ap_incidents.adapters.command_topic_client import CommandTopicClient
from ap_incidents.application.callers import caller_from
from ap_incidents.application.catalogue import COMMANDS
from ap_incidents.application.parsing import parse_command
from ap_incidents.domain.commands import PupilCommand
from ap_incidents.domain.context import DecisionContext
from ap_incidents.domain.decide import decide
from ap_incidents.domain.evolve import fold
from ap_incidents.entrypoints.bootstrap import IncidentsDeps
from ap_incidents.entrypoints.commands import GROUP_ID as COMMANDS_GROUP_ID
from ap_runtime.access import (
    Principal,
    Role,
    TokenIssuer,
    TokenVerifier,
    default_policy_store,
    ensure_schema,
    generate_keypair,
)
from ap_runtime.access.audit_heads import HEADS_TOPIC_ENV
from ap_runtime.access.chain_keys import CHAIN_KEY_ENV, new_chain_key
from ap_runtime.access.keys import load_private_key, load_public_key
from ap_runtime.access.tokens import ServiceAudience
from ap_runtime.eventstore import EventStore, NewEvent, migrate
from ap_runtime.kafka import admin_client, ensure_topics
from ap_runtime.logging import configure_logging
from ap_runtime.privacy.codec import PersonalDataCodec
from ap_runtime.privacy.keystore import KeyStore
from ap_testing.infra import create_database, drop_databases, dsn_for_database, resolve_infrastructure
from ap_testing.privacy import master_keys_env, random_ring
from bench.gc_pauses import GcPauses, lateness_figures
from bench.pipeline_baseline import percentiles
from bench.publish import publish

PROVISION, HOME_SCHOOL, COMMISSIONER, PARTNERSHIP = "bench-provision", "bench-school", "bench-la", "bench-np"
PLACED_DAYS_AGO = 400


def _principal(user: str, org: str, kind: OrgKind, role: Role) -> Principal:
    return Principal(user_id=user, organisation_id=org, org_kind=kind, roles=frozenset({role}))


HEAD = _principal("bench-head", HOME_SCHOOL, OrgKind.HOME_SCHOOL, Role.HOME_SCHOOL_HEAD)
MANAGER = _principal("bench-manager", PROVISION, OrgKind.PROVISION, Role.PROVISION_MANAGER)
COMMISSIONING = _principal("bench-commissioner", COMMISSIONER, OrgKind.COMMISSIONER, Role.COMMISSIONER)
STAFF = _principal("bench-staff", PROVISION, OrgKind.PROVISION, Role.PROVISION_STAFF)
ADMIN = _principal("bench-operator", "bench-platform", OrgKind.PLATFORM, Role.PLATFORM_ADMIN)
LOCAL_AUTHORITY = "bench-county"
# The register of organisations the placements rest on (the LA of the school, the provision's key stages).
REGISTRATIONS: tuple[dict[str, Any], ...] = (
    {"organisation_id": LOCAL_AUTHORITY, "kind": "local_authority"},
    {"organisation_id": HOME_SCHOOL, "kind": "home_school", "local_authority_id": LOCAL_AUTHORITY},
    {"organisation_id": COMMISSIONER, "kind": "commissioner", "local_authority_id": LOCAL_AUTHORITY},
    {"organisation_id": PROVISION, "kind": "provision", "local_authority_id": LOCAL_AUTHORITY,
     "partnership_id": PARTNERSHIP, "key_stages": ["KS2"]},
)


@dataclass(frozen=True, slots=True)
class Command:
    command_type: str
    pupil_ref: UUID
    body: dict[str, Any]

    @property
    def command_id(self) -> str:
        return str(self.body["command_id"])


# ----------------------------------------------------------------------------- the workload


def admission_commands(pupil_ref: UUID, today: date) -> list[tuple[Principal, str, dict[str, Any]]]:
    referral, start = str(uuid4()), today - timedelta(PLACED_DAYS_AGO)
    return [
        (HEAD, "RegisterPupil", {"home_school_id": HOME_SCHOOL, "display_name": f"Bench pupil {pupil_ref.hex[:6]}",
                                 "date_of_birth": "2015-06-01", "sex": "female", "year_group": "5", "sen_status": "N",
                                 "fsm_eligible": False, "ethnicity": "NOBT", "looked_after": False}),
        (HEAD, "ReceiveReferral", {"referral_id": referral, "provision_id": PROVISION, "commissioner_id": COMMISSIONER,
                                   "received_on": (start - timedelta(10)).isoformat(), "senco_involved": True,
                                   "reason": "Disruption in class", "support_already_tried": "Small groups"}),
        (HEAD, "RecordParentConsultation", {"referral_id": referral, "consulted_on": (start - timedelta(9)).isoformat(),
                                            "method": "meeting", "parent_view": "supports",
                                            "consulted_with": "Parent"}),
        (MANAGER, "DecideEligibility", {"referral_id": referral, "decided_on": (start - timedelta(8)).isoformat(),
                                        "outcome": "eligible", "rationale": "Meets criteria"}),
        (COMMISSIONING, "StartPlacement", {
            "placement_id": str(_placement_of(pupil_ref)), "referral_id": referral, "start_date": start.isoformat(),
            "planned_end_date": (start + timedelta(500)).isoformat(), "timetable": "full_time",
            "planned_review_date": (start + timedelta(40)).isoformat(), "exit_criteria": "Settled",
            "incident_severity_threshold": 3, "attendance_threshold_percent": 90}),
    ]


def _placement_of(pupil_ref: UUID) -> UUID:
    return UUID(int=pupil_ref.int ^ 0xB0B)


def day_to_day(pupils: Sequence[UUID], count: int, today: date) -> list[Command]:
    """``count`` commands spread over ``pupils``: an incident, an attendance mark, reward slips, in turn."""
    commands = []
    for index in range(count):
        pupil, nth = pupils[index % len(pupils)], index // len(pupils)
        day = today - timedelta(2 + nth)
        base = {"command_id": str(uuid4()), "placement_id": str(_placement_of(pupil))}
        match nth % 3:
            case 0:
                commands.append(Command("RecordIncident", pupil, {
                    **base, "incident_id": str(uuid4()), "happened_at": f"{day.isoformat()}T10:30:00+00:00",
                    "category": "low_level_disruption", "severity": 2, "location": "classroom",
                    "triggers": ["task_demand"], "antecedents": "Asked to start a written task",
                    "description": "Threw a pencil case and left the table", "staff_involved": ["bench-staff-1"]}))
            case 1:
                commands.append(Command("RecordAttendance", pupil, {
                    **base, "session_date": day.isoformat(), "session": "AM", "code": "/"}))
            case _:
                commands.append(Command("GrantReward", pupil, {
                    **base, "granted_on": day.isoformat(), "kind": "reward_slip", "quantity": 2,
                    "reason": "Stayed on task"}))
    return commands


# ----------------------------------------------------------------------------- a fresh platform


@dataclass
class Platform:
    deps: IncidentsDeps
    env: dict[str, str]
    mint: Callable[[], str]
    bootstrap: str
    topics: dict[str, str]
    logs: Path
    baseline_pool: asyncpg.Pool
    keystore: KeyStore
    databases: list[str]  # the platform's own, whose sessions' CPU is measured
    made: list[str]  # every database made for this repeat, the baseline's too: dropped at its end

    @property
    def token(self) -> str:
        """A fresh token at each use: a token carries one write command (a replay is refused)."""
        return self.mint()

    async def close(self) -> None:
        await self.deps.close()
        await self.baseline_pool.close()


async def fresh_platform(pg_admin: str, bootstrap: str) -> Platform:
    databases = {name: await create_database(pg_admin, f"bench_incidents_{name}")
                 for name in ("events", "audit", "keys", "baseline")}
    dsns = {name: dsn_for_database(pg_admin, database) for name, database in databases.items()}
    topics = {name: f"bench-incidents-{name}-{uuid4().hex[:8]}" for name in ("events", "commands", "results")}
    await ensure_topics(bootstrap, list(topics.values()))
    ring, raw = random_ring("mk-bench")
    pair = generate_keypair()
    events = await asyncpg.create_pool(dsns["events"], min_size=2, max_size=20)
    audit = await asyncpg.create_pool(dsns["audit"], min_size=1, max_size=10)
    async with audit.acquire() as conn:
        await ensure_schema(conn)
    keystore = await KeyStore.open(dsns["keys"], ring)
    deps = IncidentsDeps(events, events, audit, keystore,
                         TokenVerifier(load_public_key(pair.public_pem), audience=ServiceAudience.INCIDENTS),
                         owned_pools=[events, audit])
    await deps.migrate()
    baseline = await asyncpg.create_pool(dsns["baseline"], min_size=2, max_size=20)
    await migrate(baseline)
    issuer = TokenIssuer(load_private_key(pair.private_pem), audience=ServiceAudience.INCIDENTS)
    token = functools.partial(issuer.mint, user_id=STAFF.user_id, organisation_id=PROVISION,
                              org_kind=OrgKind.PROVISION, roles=[Role.PROVISION_STAFF])
    env = {"AP_DSN_AP_INCIDENTS": dsns["events"], "AP_DSN_AP_AUDIT": dsns["audit"], "AP_DSN_AP_KEYS": dsns["keys"],
           **master_keys_env(raw, "mk-bench"), "AP_TOKEN_PUBLIC_KEY": pair.public_pem,
           "KAFKA_BOOTSTRAP_SERVERS": bootstrap, "AP_LOG_LEVEL": "WARNING",
           "AP_INCIDENTS_COMMANDS_TOPIC": topics["commands"], "AP_INCIDENTS_RESULTS_TOPIC": topics["results"],
           "AP_INCIDENTS_EVENTS_TOPIC": topics["events"]}
    return Platform(deps, env, token, bootstrap, topics, Path(tempfile.mkdtemp(prefix="bench-incidents-")),
                    baseline, keystore, [databases[name] for name in ("events", "audit", "keys")],
                    list(databases.values()))


async def place_pupils(platform: Platform, count: int, today: date) -> list[UUID]:
    app = platform.deps.application()
    pupils = [uuid4() for _ in range(count)]
    for registration in REGISTRATIONS:
        await app.execute(ADMIN, parse_command(COMMANDS["RegisterOrganisation"],
                                               {"command_id": str(uuid4()), **registration}))

    async def admit(pupil_ref: UUID) -> None:
        for principal, command_type, body in admission_commands(pupil_ref, today):
            command = parse_command(COMMANDS[command_type], {"command_id": str(uuid4()), **body}, pupil_ref=pupil_ref)
            await app.execute(principal, command)

    await asyncio.gather(*(admit(p) for p in pupils))
    return pupils


def _spawn(platform: Platform, name: str, module: str, extra: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    out = (platform.logs / f"{name}.log").open("wb")
    return subprocess.Popen([sys.executable, "-m", module], env={**os.environ, **platform.env, **(extra or {})},
                            stdout=out, stderr=subprocess.STDOUT)


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(15)
    except subprocess.TimeoutExpired:
        process.kill()


# ----------------------------------------------------------------------------- the three measurements


class RawHttp:
    """A minimal HTTP/1.1 keep-alive client (POST with a JSON body): the load generator must cost the
    2-core machine far less than the API it measures, which httpx at 1,000 requests/s does not.

    Like any keep-alive client it does not reuse a connection idle longer than the server keeps one
    (uvicorn: 5 s), and sends again on a fresh connection when a reused one turns out closed before
    any answer (the command id makes a resend safe)."""

    IDLE_SECONDS = 4.0

    def __init__(self, port: int) -> None:
        self._port = port
        self._idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter, float]] = []

    async def post(self, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        extra = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        request = (f"POST {path} HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\n"
                   f"Content-Length: {len(body)}\r\n{extra}\r\n").encode() + body
        while self._idle:
            # The longest idle first, as a load balancer spreads requests: taking the latest back sent
            # most of the open loop's requests down one connection, so to one of the API's workers.
            reader, writer, since = self._idle.pop(0)
            if time.monotonic() - since > self.IDLE_SECONDS:
                writer.close()
                continue
            try:
                return await self._exchange(reader, writer, request)
            except (ConnectionError, asyncio.IncompleteReadError, IndexError):
                writer.close()  # closed by the server while idle: send on another
        reader, writer = await asyncio.open_connection("127.0.0.1", self._port)
        return await self._exchange(reader, writer, request)

    async def _exchange(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                        request: bytes) -> tuple[int, bytes]:
        writer.write(request)
        status = int((await reader.readline()).split()[1])
        length = 0
        while (line := await reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        data = await reader.readexactly(length)
        self._idle.append((reader, writer, time.monotonic()))
        return status, data

    def local_ports(self) -> list[int]:
        """The client-side ports of its idle connections (to tell which server process holds each)."""
        return [int(writer.get_extra_info("sockname")[1]) for _, writer, _ in self._idle]

    async def close(self) -> None:
        for _, writer, _ in self._idle:
            writer.close()
        self._idle.clear()


@dataclass(frozen=True, slots=True)
class Request:
    """A command as sent over HTTP, its token minted before the clock starts (one token per write)."""

    command: Command
    path: str
    body: bytes
    headers: dict[str, str]


def http_requests(platform: Platform, commands: list[Command]) -> list[Request]:
    return [Request(c, f"/v1/pupils/{c.pupil_ref}/{COMMANDS[c.command_type].path}", json.dumps(c.body).encode(),
                    {"Authorization": f"Bearer {platform.token}", "X-Correlation-ID": str(correlation_of(c))})
            for c in commands]


def correlation_of(command: Command) -> UUID:
    """The correlation id a bench command is sent with: its audit record carries it."""
    return UUID(int=UUID(command.command_id).int ^ 0xC0FFEE)


class ApiServer:
    """The API as ``instances`` uvicorn worker processes sharing one listening port."""

    def __init__(self, platform: Platform, instances: int, name: str = "api") -> None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.instances = instances
        # Every command of the benchmark comes from one caller, whom the edge's per-caller limit (500/s a process
        # by default, burst 1,000) would refuse near 1,000 commands/s on one worker: the limit stays in the path
        # (each request still takes from its bucket), set above what is measured.
        self._process = _spawn(platform, name, "ap_incidents.entrypoints.api",
                               {"AP_HTTP_PORT": str(self.port), "AP_HTTP_HOST": "127.0.0.1",
                                "AP_HTTP_WORKERS": str(instances), "AP_HTTP_RATE_PER_SECOND": "100000"})

    async def ready(self) -> None:
        """Once every worker process serves: a worker accepts connections only when its start-up is complete,
        so each fresh connection made here lands on a serving one, until each holds one (``serving_workers``).
        Waiting for one answer and a second's grace let the closed loop (5 of 8 traced runs at load 5-10)
        run on one worker while the other started, and in one the other came up 8 s into it."""
        held: list[httpx.AsyncClient] = []
        try:
            for _ in range(900):
                if self._process.poll() is not None:
                    raise RuntimeError("the API process ended at start-up (see its log)")
                client = httpx.AsyncClient(base_url=f"http://127.0.0.1:{self.port}", timeout=5)
                held.append(client)  # kept open: the worker that accepted it holds it
                try:
                    if ((await client.get("/readyz")).status_code == 200
                            and len(serving_workers(self._process.pid, self.port)) >= self.instances):
                        return
                except httpx.HTTPError:
                    pass
                await asyncio.sleep(0.1)
        finally:
            for client in held:
                await client.aclose()
        raise RuntimeError("the API did not become ready")

    @property
    def pid(self) -> int:
        """The supervisor's process id (its workers are its children)."""
        return self._process.pid

    def stop(self) -> None:
        _stop(self._process)

    def cpu_seconds(self) -> float:
        """CPU time (user + system) used so far by the API's processes (the supervisor and its workers):
        per command, a figure the other tenants of a shared machine disturb far less than throughput."""
        return _cpu_seconds_of_tree(self._process.pid)


def database_cpu_seconds(databases: list[str]) -> float:
    """CPU time used so far by the PostgreSQL sessions on ``databases`` (the server runs on this machine)."""
    ticks = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            command = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            if not any(f" {database} " in command for database in databases):
                continue
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def _process_table() -> dict[int, tuple[int, int]]:
    """Every process's parent and CPU ticks (user + system), from /proc."""
    table: dict[int, tuple[int, int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            table[int(entry)] = (int(fields[1]), int(fields[11]) + int(fields[12]))
    return table


def _tree(root: int, table: dict[int, tuple[int, int]]) -> set[int]:
    tree = {root}
    for _ in range(3):  # the supervisor, its workers (and anything they start)
        tree |= {pid for pid, (ppid, _) in table.items() if ppid in tree}
    return tree


def _cpu_seconds_of_tree(root: int) -> float:
    table = _process_table()
    ticks = sum(table[pid][1] for pid in _tree(root, table) if pid in table)
    return ticks / os.sysconf("SC_CLK_TCK")


def serving_workers(root: int, port: int) -> set[int]:
    """The processes of ``root``'s tree holding an accepted TCP connection on local ``port`` (IPv4): the
    workers serving it (a supervisor only listens)."""
    established = {inode for _, state, inode in _sockets_on(port) if state == "01"}
    return set(_holders(root, established))


def worker_of_connection(root: int, port: int, client_port: int) -> int | None:
    """The process of ``root``'s tree that accepted the local TCP connection from ``client_port`` to ``port``."""
    accepted = {inode for remote, _, inode in _sockets_on(port) if remote == client_port}
    return next(iter(_holders(root, accepted)), None)


def _sockets_on(port: int) -> list[tuple[int, str, str]]:
    """(remote port, state, inode) of each IPv4 socket whose local port is ``port`` (/proc/net/tcp)."""
    found = []
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if int(fields[1].rsplit(":", 1)[1], 16) == port:
            found.append((int(fields[2].rsplit(":", 1)[1], 16), fields[3], fields[9]))
    return found


def _holders(root: int, inodes: set[str]) -> list[int]:
    """The processes of ``root``'s tree holding any of the sockets ``inodes``, in pid order."""
    return [pid for pid in sorted(_tree(root, _process_table())) if _socket_inodes(pid) & inodes]


def _socket_inodes(pid: int) -> set[str]:
    inodes = set()
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return set()  # ended meanwhile
    for fd in fds:
        try:
            link = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue  # closed meanwhile
        if link.startswith("socket:["):
            inodes.add(link[8:-1])
    return inodes


async def _send_all(client: RawHttp, requests: list[Request], failures: list[str],
                    latencies: list[float], sent_at: Callable[[int], float], index: int) -> None:
    request = requests[index]
    status, data = await client.post(request.path, request.body, request.headers)
    latencies.append((time.perf_counter() - sent_at(index)) * 1000)
    if status != 201:
        failures.append(f"{status} {data[:200]!r}")


async def warm_every_worker(port: int, root: int, batches: list[list[Request]],
                            probes: list[Request]) -> dict[int, int]:
    """Each worker process under ``root`` (the API's supervisor) serves one of ``batches`` (one each), outside
    every measurement: {worker pid: commands served}.

    Each worker must have served the workload before the clock starts, as at steady state. Which worker
    accepts a connection is the kernel's choice, and traced runs found the closed loop's 16 connections
    all on one worker in 5 of 12 runs (both modes); the other then met its first commands in the open
    loop, cold (its first load of each pupil's history, keys and statements), one worker stalled
    170-770 ms and the open loop's first 30-150 commands queued behind it. So fresh connections, each
    carrying one of ``probes``, are made until each worker holds one (``worker_of_connection``), then
    each worker is sent its batch. Every request is a distinct command with its own token."""
    clients: dict[int, RawHttp] = {}
    served: dict[int, int] = {}
    try:
        for probe in probes:
            if len(clients) >= len(batches):
                break
            client = RawHttp(port)
            await _expect_created(client, probe)
            worker = worker_of_connection(root, port, client.local_ports()[0])
            if worker is None or worker in clients:
                await client.close()
            else:
                clients[worker] = client
            if worker is not None:
                served[worker] = served.get(worker, 0) + 1
        if len(clients) < len(batches):
            raise RuntimeError(f"{len(probes)} connections reached {len(clients)} of {len(batches)} API workers")
        for (worker, client), batch in zip(clients.items(), batches, strict=True):
            for request in batch:
                await _expect_created(client, request)
                served[worker] += 1
    finally:
        for client in clients.values():
            await client.close()
    return served


async def _expect_created(client: RawHttp, request: Request) -> None:
    status, data = await client.post(request.path, request.body, request.headers)
    if status != 201:
        raise RuntimeError(f"a warm-up command was answered {status}: {data[:200]!r}")


async def measure_http(port: int, requests: list[Request], concurrency: int) -> dict[str, float]:
    """Closed loop: ``concurrency`` clients, each sending its next command when the last is answered."""
    client = RawHttp(port)
    queue = list(reversed(range(len(requests))))
    latencies: list[float] = []
    failures: list[str] = []
    starts: dict[int, float] = {}

    async def worker() -> None:
        while queue:
            index = queue.pop()
            starts[index] = time.perf_counter()
            await _send_all(client, requests, failures, latencies, starts.__getitem__, index)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    await client.close()
    if failures:
        raise RuntimeError(f"{len(failures)} HTTP commands failed, e.g. {failures[0]}")
    return {"commands_per_second": round(len(requests) / elapsed, 1), **percentiles(latencies)}


async def measure_http_open(port: int, requests: list[Request], rate: float) -> dict[str, float]:
    """Open loop: command ``i`` is sent at ``start + i / rate`` whatever happened to the others;
    its latency runs from that scheduled time (a late send or a queue in the server counts). Beside
    it, the load generator's own share of that latency: how late it sent (from the schedule to the
    moment its send began) and its collections meanwhile (``bench.gc_pauses``)."""
    client = RawHttp(port)
    latencies: list[float] = []
    late: list[float] = []
    failures: list[str] = []
    started = time.perf_counter()

    def scheduled(index: int) -> float:
        return started + index / rate

    async def send(index: int) -> None:
        late.append((time.perf_counter() - scheduled(index)) * 1000)
        await _send_all(client, requests, failures, latencies, scheduled, index)

    sending: list[asyncio.Task[None]] = []
    with GcPauses() as collections:
        for index in range(len(requests)):
            await asyncio.sleep(max(0.0, scheduled(index) - time.perf_counter()))
            sending.append(asyncio.create_task(send(index)))
        await asyncio.gather(*sending)
    elapsed = time.perf_counter() - started
    await client.close()
    if failures:
        raise RuntimeError(f"{len(failures)} HTTP commands failed, e.g. {failures[0]}")
    return {"offered_per_second": rate, "achieved_per_second": round(len(requests) / elapsed, 1),
            **percentiles(latencies), **lateness_figures(late), **collections.figures()}


async def assert_strict(platform: Platform, port: int, sample: list[Request]) -> dict[str, float]:
    """The command path stayed as strict as before, on ``sample``: audited, sealed, deduplicated."""
    from ap_runtime.access.audit import verify

    audit_rows = await platform.deps.audit_pool.fetch(
        "SELECT correlation_id FROM access_audit WHERE decision = 'allowed' AND correlation_id = ANY($1::uuid[])",
        [correlation_of(r.command) for r in sample])
    audited = {row["correlation_id"] for row in audit_rows}
    missing = [r.command.command_id for r in sample if correlation_of(r.command) not in audited]
    if missing:
        raise AssertionError(f"{len(missing)} of {len(sample)} sampled commands have no audit record,"
                             f" e.g. {missing[0]}")
    chain = await verify(platform.deps.audit_pool)
    if not chain.ok:
        raise AssertionError(f"the audit chain does not verify: {chain}")
    client = RawHttp(port)
    try:
        for request in sample:
            stream = f"pupil-{request.command.pupil_ref}"
            row = await platform.deps.events_pool.fetchrow(
                "SELECT e.payload::text AS payload, s.version FROM processed_commands p"
                " JOIN events e ON e.event_id = p.event_ids[1] JOIN streams s ON s.stream_id = p.stream_id"
                " WHERE p.command_id = $1", UUID(request.command.command_id))
            if row is None:
                raise AssertionError(f"command {request.command.command_id} recorded no event")
            clear = [v for v in _personal_texts(request.command) if v in row["payload"]]
            if clear:
                raise AssertionError(f"command {request.command.command_id} stored {clear[0]!r} in clear")
            resend = {**request.headers, "Authorization": f"Bearer {platform.token}"}
            status, _ = await client.post(request.path, request.body, resend)
            after = await platform.deps.events_pool.fetchval("SELECT version FROM streams WHERE stream_id = $1",
                                                             stream)
            if status != 200 or after != row["version"]:
                raise AssertionError(f"the resend of {request.command.command_id} answered {status} and moved"
                                     f" the stream from {row['version']} to {after}")
    finally:
        await client.close()
    return {"sampled": len(sample), "audited": len(sample), "sealed": len(sample), "deduplicated": len(sample),
            "audit_records_verified": chain.checked}


def _personal_texts(command: Command) -> list[str]:
    """The free-text personal values of a bench command (what must never be stored in clear)."""
    return [str(command.body[k]) for k in ("description", "antecedents", "reason") if k in command.body]


async def _through_kafka(client: CommandTopicClient, platform: Platform, commands: list[Command],
                         rate: float | None) -> dict[str, float]:
    """Send ``commands`` (all at once, or at ``rate`` per second) while reading their results."""
    ids = [c.command_id for c in commands]
    reading = asyncio.create_task(client.wait_for(ids, wait_seconds=600))
    sent_at: dict[str, float] = {}
    sent_wall: dict[str, float] = {}  # wall clock, to compare with the result record's CreateTime
    started = time.perf_counter()
    for index, command in enumerate(commands):
        if rate is not None:
            await asyncio.sleep(max(0.0, started + index / rate - time.perf_counter()))
        sent_at[command.command_id] = time.perf_counter()
        sent_wall[command.command_id] = time.time()
        await client.send(command.command_type, command.body, platform.token, pupil_ref=command.pupil_ref,
                          wait=False)
    await client.flush()
    results = await reading
    failed = [r for r in results.values() if r["status"] != "accepted"]
    if failed:
        raise RuntimeError(f"{len(failed)} Kafka commands failed, e.g. {failed[0]}")
    done = max(client.received_at[c] for c in ids)
    latencies = [(client.received_at[c] - sent) * 1000 for c, sent in sent_at.items()]
    # Where the time went: send -> the consumer produced the result (its record's CreateTime, same
    # machine's clock, ms resolution), and the rest (the result's way back to this reader).
    to_result = [(client.result_created_at[c] - sent) * 1000 for c, sent in sent_wall.items()]
    return {"commands_per_second": round(len(commands) / (done - started), 1), **percentiles(latencies),
            "send_to_result_produced_p50_ms": round(statistics.median(to_result), 2),
            "result_produced_to_read_p50_ms": round(statistics.median(
                lat - own for lat, own in zip(latencies, to_result, strict=True)), 2)}


async def measure_kafka(platform: Platform, burst: list[Command], paced: list[Command], warmup: Command,
                        rate: float, instances: int) -> tuple[dict[str, float], dict[str, float]]:
    """(burst: every command produced at once, until all results are back; paced: at ``rate``/s), with
    ``instances`` consumer processes in one group (as many as the API's workers: the same machine's share)."""
    consumers = [_spawn(platform, f"commands-{n}", "ap_incidents.entrypoints.commands") for n in range(instances)]
    client = CommandTopicClient(platform.bootstrap, commands_topic=platform.topics["commands"],
                                results_topic=platform.topics["results"])
    await client.start()
    try:
        # Every consumer joins the group first, so the measurement does not include a rebalance.
        await _group_settled(platform, instances)
        await client.send(warmup.command_type, warmup.body, platform.token, pupil_ref=warmup.pupil_ref)
        await client.wait_for([warmup.command_id], wait_seconds=120)

        def consumers_cpu() -> float:
            return sum(_cpu_seconds_of_tree(c.pid) for c in consumers)

        cpu_before, db_before = consumers_cpu(), database_cpu_seconds(platform.databases)
        drained = await _through_kafka(client, platform, burst, None)
        drained["consumer_cpu_ms_per_command"] = round((consumers_cpu() - cpu_before) * 1000 / len(burst), 3)
        drained["db_cpu_ms_per_command"] = round(
            (database_cpu_seconds(platform.databases) - db_before) * 1000 / len(burst), 3)
        return drained, await _through_kafka(client, platform, paced, rate)
    finally:
        await client.stop()
        for consumer in consumers:
            _stop(consumer)


async def _group_settled(platform: Platform, instances: int, wait_seconds: float = 120) -> None:
    """Wait until the command consumers' group is stable with ``instances`` members."""
    group = f"{COMMANDS_GROUP_ID}.{platform.topics['commands']}"  # the group a non-default topic's consumers join
    admin = admin_client(platform.bootstrap)
    await admin.start()
    try:
        deadline = time.monotonic() + wait_seconds
        while time.monotonic() < deadline:
            try:
                described = (await admin.describe_consumer_groups([group]))[0].groups[0]
            except KafkaError:  # no coordinator yet (a fresh broker creates its offsets topic on first use)
                described = (None, None, "", None, None, [])
            state, members = described[2], described[5]
            if state == "Stable" and len(members) == instances:
                return
            await asyncio.sleep(0.5)
    finally:
        await admin.close()
    raise RuntimeError(f"the command consumers' group {group} did not settle with {instances} members")


async def measure_baseline(platform: Platform, commands: list[Command], concurrency: int) -> dict[str, float]:
    """The same events appended straight to an event store (sealed, per-pupil order, same concurrency)."""
    app_store = EventStore(platform.deps.events_pool, PersonalDataCodec(platform.keystore))
    caller = caller_from(STAFF, default_policy_store().current())
    now = datetime.now(UTC)
    histories = {ref: await app_store.load(f"pupil-{ref}") for ref in {c.pupil_ref for c in commands}}
    planned: list[tuple[str, Any]] = []
    for command in commands:  # decided in memory, outside the measurement
        history = histories[command.pupil_ref]
        parsed = parse_command(COMMANDS[command.command_type], command.body, pupil_ref=command.pupil_ref)
        if not isinstance(parsed, PupilCommand):  # every bench command names its pupil in the path
            raise TypeError(f"{command.command_type} is not a pupil command")
        events = decide(parsed, fold(history), DecisionContext(caller=caller, now=now))
        history.extend(events)
        planned.append((f"pupil-{command.pupil_ref}", events[0]))
    store = EventStore(platform.baseline_pool, PersonalDataCodec(platform.keystore))
    versions: dict[str, int] = {}
    locks: dict[str, asyncio.Lock] = {}
    queue = list(reversed(planned))
    latencies: list[float] = []
    actor = STAFF.actor()

    async def worker() -> None:
        while queue:
            stream, event = queue.pop()
            async with locks.setdefault(stream, asyncio.Lock()):
                sent = time.perf_counter()
                await store.append(stream, versions.get(stream, 0), [NewEvent(event, actor, PROVISION, uuid4())])
                latencies.append((time.perf_counter() - sent) * 1000)
                versions[stream] = versions.get(stream, 0) + 1

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    return {"commands_per_second": round(len(planned) / elapsed, 1), **percentiles(latencies)}


# ----------------------------------------------------------------------------- the run


def median_of(runs: list[dict[str, float]]) -> dict[str, float]:
    return {k: round(statistics.median(r[k] for r in runs), 2) for k in runs[0]}


@dataclass(frozen=True, slots=True)
class Options:
    commands: int = 2000
    pupils: int = 50
    concurrency: int = 16
    paced: int = 500
    rate: float = 100.0
    burst: int = 20_000
    # One API worker: on two cores shared with PostgreSQL and the load generator, two workers measured more CPU a
    # command (each decrypts and folds the events the other appended to a pupil's stream it also serves) and no
    # more commands/s; ``compare_instances`` measures the closed loop with that many too, in the same repeat.
    api_instances: int = 1
    compare_instances: int = 2
    consumer_instances: int = 2
    open_rate: float = 200.0
    open_seconds: float = 10.0
    strict_sample: int = 30
    only: tuple[str, ...] = ("http", "kafka", "baseline")


async def upkeep_counters(pg_admin: str, databases: Sequence[str]) -> dict[str, float]:
    """PostgreSQL's upkeep so far: autovacuum and autoanalyze runs finished on ``databases``' tables, the
    server's checkpoints and the WAL it has written (MB), for what ran beside a measurement."""
    counters = {"autovacuums": 0.0}
    for database in databases:
        connection = await asyncpg.connect(dsn_for_database(pg_admin, database))
        try:
            counters["autovacuums"] += await connection.fetchval(
                "SELECT coalesce(sum(autovacuum_count + autoanalyze_count), 0)::float8 FROM pg_stat_user_tables")
            if database == databases[0]:  # the server's own counters, read once
                counters["checkpoints"] = await connection.fetchval(
                    "SELECT (checkpoints_timed + checkpoints_req)::float8 FROM pg_stat_bgwriter")
                counters["wal_mb"] = await connection.fetchval("SELECT (wal_bytes / 1e6)::float8 FROM pg_stat_wal")
        finally:
            await connection.close()
    return counters


def upkeep_during(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    """What ``upkeep_counters`` counted between ``before`` and ``after``, named as the open loop's figures."""
    return {f"{name}_during": round(float(after[name] - before[name]), 1) for name in before}


async def closed_loop(platform: Platform, pupils: list[UUID], day: date, warm_day: date, options: Options,
                      instances: int) -> tuple[ApiServer, dict[str, float], list[Request]]:
    """A fresh API of ``instances`` workers, every worker warm, then the closed loop's commands/s and CPU a
    command (API and PostgreSQL), and the requests it sent; the server is left running for what is measured
    next (the caller stops it). ``day`` and ``warm_day``: the latest days its commands and its warm-up's are for
    (each command goes on an earlier day of its pupil: ``day_to_day``)."""
    closed = http_requests(platform, day_to_day(pupils, options.commands, day))
    server = ApiServer(platform, instances, f"api-{instances}-workers")
    try:
        await server.ready()
        # Every worker warm before the clock starts: one round of the workload's kinds for every pupil each.
        batches = [http_requests(platform, day_to_day(pupils, 3 * len(pupils), warm_day - timedelta(5 * n)))
                   for n in range(instances)]
        probes = http_requests(platform, day_to_day(pupils, 200, warm_day - timedelta(25)))
        await warm_every_worker(server.port, server.pid, batches, probes)
        cpu_before, db_before = server.cpu_seconds(), database_cpu_seconds(platform.databases)
        throughput = await measure_http(server.port, closed, options.concurrency)
    except BaseException:  # a failed repeat must not leave its API running (and taking CPU from what runs next)
        server.stop()
        raise
    throughput["api_cpu_ms_per_command"] = round((server.cpu_seconds() - cpu_before) * 1000 / len(closed), 3)
    throughput["db_cpu_ms_per_command"] = round(
        (database_cpu_seconds(platform.databases) - db_before) * 1000 / len(closed), 3)
    return server, throughput | {"api_instances": instances}, closed


async def http_figures(platform: Platform, pupils: list[UUID], today: date,
                       options: Options, pg_admin: str) -> dict[str, dict[str, float]]:
    """Closed-loop throughput, then the open-loop latency, then the strictness sample, on one API; then the
    closed loop again on an API of ``options.compare_instances`` workers (the same code, sized otherwise)."""
    server, throughput, closed = await closed_loop(platform, pupils, today, today - timedelta(100), options,
                                                   options.api_instances)
    try:
        opened = http_requests(platform, day_to_day(pupils, int(options.open_rate * options.open_seconds),
                                                    today - timedelta(300)))
        before = await upkeep_counters(pg_admin, platform.databases)
        latency = await measure_http_open(server.port, opened, options.open_rate)
        latency |= upkeep_during(before, await upkeep_counters(pg_admin, platform.databases))
        incidents = [r for r in closed if r.command.command_type == "RecordIncident"]
        sample = incidents[:: max(1, len(incidents) // options.strict_sample)]
        strict = await assert_strict(platform, server.port, sample)
    finally:
        server.stop()
    figures = {"http": throughput, "http_open": latency, "strict": strict}
    if options.compare_instances and options.compare_instances != options.api_instances:
        # Days back (the defaults' 50 pupils): this closed loop 45-84 and its warm-up 152-180, clear of the other
        # phases' (closed loop 2-41, its warm-up 102-130, baseline 202-241, open loop 302-341).
        other, figures["http_other_sizing"], _ = await closed_loop(
            platform, pupils, today - timedelta(43), today - timedelta(150), options, options.compare_instances)
        other.stop()
    return figures


async def one_repeat(pg_admin: str, bootstrap: str, options: Options) -> dict[str, dict[str, float]]:
    platform = await fresh_platform(pg_admin, bootstrap)
    today = datetime.now(UTC).date()
    figures: dict[str, dict[str, float]] = {}
    failed = True  # a failed repeat keeps its processes' logs (a directory of them each repeat) for reading
    try:
        # Enough Kafka pupils that the burst spans at most 100 days of each one's placement.
        kafka_count = max(options.pupils, -(-(options.burst + 1) // 100)) if "kafka" in options.only else 0
        placed = await place_pupils(platform, options.pupils + kafka_count, today)
        http_pupils, kafka_pupils = placed[: options.pupils], placed[options.pupils:]
        if "kafka" in options.only:
            kafka_work = day_to_day(kafka_pupils, options.burst + 1, today)
            paced_from = today - timedelta(len(kafka_work) // len(kafka_pupils) + 10)
            kafka_paced = day_to_day(kafka_pupils, options.paced, paced_from)
            burst, steady = await measure_kafka(platform, kafka_work[1:], kafka_paced, kafka_work[0], options.rate,
                                                options.consumer_instances)
            figures |= {"kafka": burst, "kafka_paced": steady}
            await settle_disk(pg_admin, platform.databases)
        if "http" in options.only:
            figures |= await http_figures(platform, http_pupils, today, options, pg_admin)
        if "baseline" in options.only:
            figures["baseline"] = await measure_baseline(
                platform, day_to_day(http_pupils, options.commands, today - timedelta(200)), options.concurrency)
        failed = False
    finally:
        await platform.close()
        await drop_databases(pg_admin, platform.made)  # four a repeat, tens of MB each: none left behind
        if failed:
            print(f"[bench] the API's and consumers' logs of the failed repeat: {platform.logs}", file=sys.stderr)
        else:
            shutil.rmtree(platform.logs, ignore_errors=True)
    return figures


async def settle_disk(pg_admin: str, databases: Sequence[str]) -> None:
    """Finish the Kafka phase's upkeep now, between it and the HTTP phase, outside every measurement.

    The burst leaves the platform's tables 20,000 rows bigger, and on one machine its upkeep landed in
    the HTTP phase. Measured (full sequence, one repeat, pg_stat_activity sampled every 10 ms):
    autovacuum took up the burst's tables (VACUUM ANALYZE of events, processed_commands,
    used_write_tokens, then access_audit) 25-40 s after the burst, i.e. during the closed loop and
    the open loop; the open loop's worst second (203 of its 1,658 slow requests, 487 ms maximum, load
    7) ran beside the 0.9 s VACUUM of access_audit. Hence, in order:

    * ``VACUUM (ANALYZE)`` of each of ``databases``: no insert threshold is left for autovacuum to
      act on during the HTTP phase;
    * ``CHECKPOINT``: the pages the burst and that vacuum dirtied sit in PostgreSQL's shared buffers,
      which ``os.sync`` does not reach; otherwise the checkpointer writes and fsyncs them later;
    * ``os.sync()``: the page cache, the broker's log (about 27 MB a run, which it does not sync)
      among it. The kernel writes data back once it is 30 s old, inside the open loop, and a
      commit's WAL flush waits behind that writeback (60 MB written back stalled a one-row commit
      46 ms, 0.1 ms otherwise; open-loop runs showed 33-52 MB written back at their 88-240 ms maxima).

    A deployment's brokers have disks of their own and its database more than a share of two cores,
    and the HTTP figures must not carry the previous phase's upkeep on this one machine."""
    for database in databases:
        connection = await asyncpg.connect(dsn_for_database(pg_admin, database))
        try:
            await connection.execute("VACUUM (ANALYZE)")
        finally:
            await connection.close()
    admin = await asyncpg.connect(pg_admin)
    try:
        await admin.execute("CHECKPOINT")
    finally:
        await admin.close()
    await asyncio.to_thread(os.sync)


def _ratios(median: dict[str, dict[str, float]]) -> dict[str, float]:
    base = median.get("baseline")
    if base is None:
        return {}
    wanted = [(n, f) for n in ("http", "kafka") for f in ("commands_per_second", "p50_ms", "p99_ms")]
    wanted += [(n, f) for n in ("kafka_paced", "http_open") for f in ("p50_ms", "p99_ms")]
    return {f"{name}_{figure}_over_baseline": round(median[name][figure] / base[figure], 2)
            for name, figure in wanted if name in median}


async def run(repeats: int = 3, options: Options | None = None) -> dict[str, Any]:
    """The benchmark's document (medians of ``repeats``, every run, ratios to the baseline)."""
    options = options or Options()
    # The bench's own audit-chain key and heads topic (the API processes inherit them).
    os.environ.setdefault(CHAIN_KEY_ENV, new_chain_key("bench"))
    os.environ.setdefault(HEADS_TOPIC_ENV, f"bench-audit-heads-{uuid4().hex[:8]}")
    pg_admin, bootstrap = resolve_infrastructure()
    runs: dict[str, list[dict[str, float]]] = {}
    for _ in range(repeats):
        for name, figures in (await one_repeat(pg_admin, bootstrap, options)).items():
            runs.setdefault(name, []).append(figures)
    median = {name: median_of(values) for name, values in runs.items()}
    return {
        "benchmark": "incidents_ingest",
        "at": datetime.now(UTC).isoformat(),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "load_average_at_end": os.getloadavg()},
        "parameters": {"commands": options.commands, "pupils": options.pupils, "concurrency": options.concurrency,
                       "repeats": repeats, "api_instances": options.api_instances,
                       "compare_api_instances": options.compare_instances,
                       "kafka_consumer_instances": options.consumer_instances,
                       "http_open_rate_per_second": options.open_rate, "http_open_seconds": options.open_seconds,
                       "kafka_burst_commands": options.burst, "kafka_paced_commands": options.paced,
                       "kafka_paced_rate_per_second": options.rate, "strict_sample": options.strict_sample,
                       "measured": list(options.only), "events_per_command": 1,
                       "mix": "incident, attendance mark, reward slips in turn"},
        "median": median,
        "ratios": _ratios(median),
        "runs": runs,
    }


def cli() -> None:
    configure_logging("WARNING")
    for noisy in ("faststream", "aiokafka", "ap.faststream"):
        logging.getLogger(noisy).setLevel(logging.ERROR)
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    defaults = Options()
    parser.add_argument("--commands", type=int, default=defaults.commands, help="closed-loop HTTP commands")
    parser.add_argument("--pupils", type=int, default=defaults.pupils)
    parser.add_argument("--concurrency", type=int, default=defaults.concurrency)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--paced", type=int, default=defaults.paced, help="Kafka commands sent at --rate for latency")
    parser.add_argument("--rate", type=float, default=defaults.rate, help="commands per second of the paced Kafka run")
    parser.add_argument("--burst", type=int, default=defaults.burst, help="Kafka commands produced at once")
    parser.add_argument("--api-instances", type=int, default=defaults.api_instances,
                        help="API worker processes behind the one port")
    parser.add_argument("--compare-instances", type=int, default=defaults.compare_instances,
                        help="the closed loop again with this many API workers (0: not)")
    parser.add_argument("--consumer-instances", type=int, default=defaults.consumer_instances,
                        help="Kafka command consumer processes in one group")
    parser.add_argument("--open-rate", type=float, default=defaults.open_rate, help="open-loop HTTP commands/s")
    parser.add_argument("--open-seconds", type=float, default=defaults.open_seconds)
    parser.add_argument("--only", nargs="+", choices=("http", "kafka", "baseline"), default=list(defaults.only))
    parser.add_argument("--allow-fewer-repeats", action="store_true",
                        help="a quick look while working; published figures need 3 repeats")
    args = parser.parse_args()
    if args.repeats < 3 and not args.allow_fewer_repeats:
        parser.error("--repeats must be at least 3: figures are medians of the repeats")
    options = Options(args.commands, args.pupils, args.concurrency, args.paced, args.rate, args.burst,
                      api_instances=args.api_instances, compare_instances=args.compare_instances,
                      consumer_instances=args.consumer_instances, open_rate=args.open_rate,
                      open_seconds=args.open_seconds, only=tuple(args.only))
    started = time.time()
    result = asyncio.run(run(args.repeats, options))
    publish("incidents_ingest", result, started)


if __name__ == "__main__":
    cli()
