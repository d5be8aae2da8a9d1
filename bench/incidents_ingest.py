"""Incidents command path: HTTP and Kafka ingestion against the raw event store, in the same run.

    python -m bench.incidents_ingest [--commands 2000] [--pupils 50] [--concurrency 16] [--repeats 3]

Each repeat builds a fresh platform (event store, key store and audit databases, unique topics),
places ``2 x pupils`` pupils, then measures three ways of recording the same kind of day-to-day
commands (incidents, attendance marks, reward slips, one event each):

* ``http``: the API in its own uvicorn process, ``concurrency`` clients posting in parallel;
  latency is each request's round trip, as a provision system sees it.
* ``kafka``: the command consumer in its own process; every command is produced at once (a bulk
  load) and the latency runs from producing a command to reading its result on the results
  topic, so it is mostly time queued behind the burst; ``kafka_paced`` sends ``--paced`` more
  commands at ``--rate`` per second, below capacity, for the latency of one command.
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

from ap_contracts.envelope import OrgKind
from ap_incidents.adapters.command_topic_client import CommandTopicClient
from ap_incidents.application.callers import caller_from
from ap_incidents.application.catalogue import COMMANDS
from ap_incidents.application.parsing import parse_command
from ap_incidents.domain.context import DecisionContext
from ap_incidents.domain.decide import decide
from ap_incidents.domain.evolve import fold
from ap_incidents.entrypoints.bootstrap import IncidentsDeps
from ap_runtime.access import (
    Principal,
    Role,
    TokenIssuer,
    TokenVerifier,
    default_policy_store,
    ensure_schema,
    generate_keypair,
)
from ap_runtime.access.keys import load_private_key, load_public_key
from ap_runtime.access.tokens import ServiceAudience
from ap_runtime.eventstore import EventStore, NewEvent, migrate
from ap_runtime.kafka import ensure_topics
from ap_runtime.logging import configure_logging
from ap_runtime.privacy.codec import PersonalDataCodec
from ap_runtime.privacy.keystore import KeyStore
from ap_testing.infra import create_database, dsn_for_database, resolve_infrastructure
from ap_testing.privacy import master_keys_env, random_ring
from bench.pipeline_baseline import percentiles

RESULTS = Path(__file__).parent / "results"
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


def _admission(pupil_ref: UUID, today: date) -> list[tuple[Principal, str, dict[str, Any]]]:
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

    @property
    def token(self) -> str:
        """A fresh token at each use: a token carries one write command (a replay is refused)."""
        return self.mint()

    async def close(self) -> None:
        await self.deps.close()
        await self.baseline_pool.close()


async def fresh_platform(pg_admin: str, bootstrap: str) -> Platform:
    dsns = {name: dsn_for_database(pg_admin, await create_database(pg_admin, f"bench_incidents_{name}"))
            for name in ("events", "audit", "keys", "baseline")}
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
                    baseline, keystore)


async def place_pupils(platform: Platform, count: int, today: date) -> list[UUID]:
    app = platform.deps.application()
    pupils = [uuid4() for _ in range(count)]
    for registration in REGISTRATIONS:
        await app.execute(ADMIN, parse_command(COMMANDS["RegisterOrganisation"],
                                               {"command_id": str(uuid4()), **registration}))

    async def admit(pupil_ref: UUID) -> None:
        for principal, command_type, body in _admission(pupil_ref, today):
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


async def measure_http(platform: Platform, commands: list[Command], concurrency: int) -> dict[str, float]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = _spawn(platform, "api", "ap_incidents.entrypoints.api", {"AP_HTTP_PORT": str(port)})
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", limits=limits, timeout=60) as client:
            for _ in range(600):
                try:
                    if (await client.get("/readyz")).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                await asyncio.sleep(0.1)
            queue = list(reversed(commands))
            latencies: list[float] = []
            failures: list[str] = []

            async def worker() -> None:
                while queue:
                    command = queue.pop()
                    path = f"/v1/pupils/{command.pupil_ref}/{COMMANDS[command.command_type].path}"
                    headers = {"Authorization": f"Bearer {platform.token}"}  # minted before the clock starts
                    sent = time.perf_counter()
                    response = await client.post(path, json=command.body, headers=headers)
                    latencies.append((time.perf_counter() - sent) * 1000)
                    if response.status_code != 201:
                        failures.append(response.text[:200])

            started = time.perf_counter()
            await asyncio.gather(*(worker() for _ in range(concurrency)))
            elapsed = time.perf_counter() - started
    finally:
        _stop(server)
    if failures:
        raise RuntimeError(f"{len(failures)} HTTP commands failed, e.g. {failures[0]}")
    return {"commands_per_second": round(len(commands) / elapsed, 1), **percentiles(latencies)}


async def _through_kafka(client: CommandTopicClient, platform: Platform, commands: list[Command],
                         rate: float | None) -> dict[str, float]:
    """Send ``commands`` (all at once, or at ``rate`` per second) while reading their results."""
    ids = [c.command_id for c in commands]
    reading = asyncio.create_task(client.wait_for(ids, wait_seconds=600))
    sent_at: dict[str, float] = {}
    started = time.perf_counter()
    for index, command in enumerate(commands):
        if rate is not None:
            await asyncio.sleep(max(0.0, started + index / rate - time.perf_counter()))
        sent_at[command.command_id] = time.perf_counter()
        await client.send(command.command_type, command.body, platform.token, pupil_ref=command.pupil_ref,
                          wait=False)
    await client.flush()
    results = await reading
    failed = [r for r in results.values() if r["status"] != "accepted"]
    if failed:
        raise RuntimeError(f"{len(failed)} Kafka commands failed, e.g. {failed[0]}")
    done = max(client.received_at[c] for c in ids)
    latencies = [(client.received_at[c] - sent) * 1000 for c, sent in sent_at.items()]
    return {"commands_per_second": round(len(commands) / (done - started), 1), **percentiles(latencies)}


async def measure_kafka(platform: Platform, burst: list[Command], paced: list[Command], warmup: Command,
                        rate: float) -> tuple[dict[str, float], dict[str, float]]:
    """(burst: every command produced at once, until all results are back; paced: at ``rate``/s)."""
    consumer = _spawn(platform, "commands", "ap_incidents.entrypoints.commands")
    client = CommandTopicClient(platform.bootstrap, commands_topic=platform.topics["commands"],
                                results_topic=platform.topics["results"])
    await client.start()
    try:
        # The consumer joins its group first, so the measurement does not include the rebalance.
        await client.send(warmup.command_type, warmup.body, platform.token, pupil_ref=warmup.pupil_ref)
        await client.wait_for([warmup.command_id], wait_seconds=120)
        return (await _through_kafka(client, platform, burst, None),
                await _through_kafka(client, platform, paced, rate))
    finally:
        await client.stop()
        _stop(consumer)


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
        events = decide(parsed, fold(history), DecisionContext(caller=caller, now=now))  # type: ignore[arg-type]
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


async def one_repeat(pg_admin: str, bootstrap: str, commands: int, pupils: int, concurrency: int,
                     paced: int, rate: float) -> dict[str, dict[str, float]]:
    platform = await fresh_platform(pg_admin, bootstrap)
    today = datetime.now(UTC).date()
    try:
        placed = await place_pupils(platform, 2 * pupils, today)
        http_pupils, kafka_pupils = placed[:pupils], placed[pupils:]
        http_work = day_to_day(http_pupils, commands, today)
        kafka_work = day_to_day(kafka_pupils, commands + 1, today)
        kafka_paced = day_to_day(kafka_pupils, paced, today - timedelta(100))
        burst, steady = await measure_kafka(platform, kafka_work[1:], kafka_paced, kafka_work[0], rate)
        return {
            "http": await measure_http(platform, http_work, concurrency),
            "kafka": burst,
            "kafka_paced": steady,
            "baseline": await measure_baseline(platform, day_to_day(http_pupils, commands, today - timedelta(200)),
                                               concurrency),
        }
    finally:
        await platform.close()


async def main(commands: int, pupils: int, concurrency: int, repeats: int, paced: int,
               rate: float) -> dict[str, Any]:
    pg_admin, bootstrap = resolve_infrastructure()
    runs: dict[str, list[dict[str, float]]] = {"http": [], "kafka": [], "kafka_paced": [], "baseline": []}
    for _ in range(repeats):
        figures_of = await one_repeat(pg_admin, bootstrap, commands, pupils, concurrency, paced, rate)
        for name, figures in figures_of.items():
            runs[name].append(figures)
    median = {name: median_of(values) for name, values in runs.items()}
    base = median["baseline"]
    ratios = {
        f"{name}_{figure}_over_baseline": round(median[name][figure] / base[figure], 2)
        for name in ("http", "kafka") for figure in ("commands_per_second", "p50_ms", "p99_ms")
    } | {f"kafka_paced_{figure}_over_baseline": round(median["kafka_paced"][figure] / base[figure], 2)
         for figure in ("p50_ms", "p99_ms")}
    return {
        "benchmark": "incidents_ingest",
        "at": datetime.now(UTC).isoformat(),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "parameters": {"commands": commands, "pupils": pupils, "concurrency": concurrency, "repeats": repeats,
                       "kafka_paced_commands": paced, "kafka_paced_rate_per_second": rate,
                       "events_per_command": 1, "mix": "incident, attendance mark, reward slips in turn"},
        "median": median,
        "ratios": ratios,
        "runs": runs,
    }


def cli() -> None:
    configure_logging("WARNING")
    for noisy in ("faststream", "aiokafka", "ap.faststream"):
        logging.getLogger(noisy).setLevel(logging.ERROR)
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--commands", type=int, default=2000)
    parser.add_argument("--pupils", type=int, default=50)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--paced", type=int, default=500, help="Kafka commands sent at --rate for latency")
    parser.add_argument("--rate", type=float, default=100.0, help="commands per second of the paced Kafka run")
    args = parser.parse_args()
    if args.repeats < 3:
        parser.error("--repeats must be at least 3: figures are medians of the repeats")
    started = time.time()
    result = asyncio.run(main(args.commands, args.pupils, args.concurrency, args.repeats, args.paced, args.rate))
    result["wall_seconds"] = round(time.time() - started, 1)
    text = json.dumps(result, indent=2)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"incidents_ingest-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json").write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    cli()
