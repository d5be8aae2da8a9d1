"""Erasure leaves no trace, and every projection rebuilt afterwards works with its counts unchanged.

The whole platform runs as OS processes on fresh databases and unique topics of the real
PostgreSQL and Kafka: the incidents API, its Kafka command consumer, the incidents relay and read
models, the notifications worker and relay, and the reporting projection, all fed by one events
topic. The scripted day goes through HTTP and the command topic; then the home school's DPO
erases ``cedar`` (registered through HTTP) over HTTP and the second school's DPO erases
``birchfield`` (registered through Kafka) over the command topic.

"No trace" is checked on a full dump: ``pg_dump`` of every database (event store, read models,
keys, audit, notifications, reporting), every record (key, value, headers) of every topic the run
used read from its first to its last offset (events, commands, command results, notifications and
any dead-letter topic), the notifications outbox and the processes' logs. They are searched byte
for byte for every identifying value of the erased pupils (``identifying_values()``, the name and
contact without the run tag, the date of birth written five ways), each as UTF-8, hex (how
``pg_dump`` writes bytea) and base64 at its three alignments. The same search finds every value
of ``ashgrove``, who was not erased, and found the erased pupils' values before the erasure, so
it can fail. Command results carry none of any pupil's values, and the command topic holds no
record at all once the consumer has deleted what it processed, including a command it could not
process (answered ``failed``, so its partition, and the deletion behind it, did not stall). A
command topic that a producer had auto-created with the broker's default retention is bounded.

Rebuild: each projection (behaviour log, placement register, reporting facts, the notifications
alert state and inbox) is rebuilt from offset 0 with ``ap_runtime.projection.rebuild`` into a new
generation; the erased pupils read as erased there, and the row counts per pupil, the reports and
the notifications are what they were before the erasure.
"""

from __future__ import annotations

import asyncio
import base64
import json
import shutil
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4

import asyncpg
import httpx
import pytest
import pytest_asyncio
from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

from ap_contracts.asyncapi import asyncapi_document
from ap_contracts.envelope import OrgKind
from ap_contracts.personal import RecordClass
from ap_contracts.schema_tools import contract_events
from ap_contracts.topics import INCIDENTS_COMMAND_RESULTS, INCIDENTS_COMMANDS
from ap_incidents.adapters.command_topic_client import CommandTopicClient
from ap_incidents.adapters.command_topic_retention import (
    COMMAND_RETENTION_MS,
    COMMAND_SEGMENT_MS,
    ensure_command_topics,
)
from ap_incidents.projections import BehaviourLogProjection, PlacementRegisterProjection
from ap_incidents.projections.sealed_personal import open_entries
from ap_notifications.adapters.file_outbox import FileOutbox
from ap_notifications.entrypoints.bootstrap import open_services
from ap_notifications.entrypoints.settings import NotificationSettings
from ap_notifications.projections.alerting import AlertingProjection
from ap_notifications.projections.inbox import InboxProjection
from ap_reporting.adapters.exclusions_by_phase import PostgresExclusionsByPhase
from ap_reporting.application import reports
from ap_reporting.domain.vocabulary import Period, school_week
from ap_reporting.projections.facts import ReportingFactsProjection
from ap_reporting.projections.facts_reader import PostgresFactsReader
from ap_runtime.access import Role, TokenIssuer, generate_keypair
from ap_runtime.access.keys import load_private_key
from ap_runtime.kafka import client_security, topic_partitions
from ap_runtime.privacy import KeyStore, PersonalDataCodec
from ap_runtime.privacy.masterkeys import MasterKeyRing
from ap_runtime.projection import Projection, ProjectionRunner
from ap_runtime.projection.rebuild import rebuild
from ap_testing.privacy import master_keys_env, random_ring
from ap_testing.processes import PlatformProcess as Process
from ap_testing.processes import (
    free_port,
    incidents_process_env,
    processes_report,
    relay_listening,
    topic_exists,
    wait_for_platform,
)
from demo.personas import HOME_SCHOOL, PARTNERSHIP, SECOND_SCHOOL, Persona, TokenFor, tokens_from
from demo.runner import run_scripted_day, send_http
from demo.scripted_day import PupilIdentity, ScriptedDay, erasure_step, scripted_day

pytestmark = pytest.mark.e2e  # several platform processes (ap_testing.levels)

ERASED = ("cedar", "birchfield")
KEPT = "ashgrove"
DATABASES = ("events", "read", "audit", "keys", "notifications", "reporting")
WAIT_SECONDS = 90.0
RELAYED = ("events", "notifications")  # the event stores a relay publishes


# ----------------------------------------------------------------------------- the platform's processes


@dataclass
class Platform:
    http: httpx.AsyncClient
    kafka: CommandTopicClient
    token_for: TokenFor
    issuer: TokenIssuer
    ring: MasterKeyRing
    bootstrap: str
    dsns: dict[str, str]
    topics: dict[str, str]
    outbox: Path
    logs: Path
    processes: list[Process] = field(default_factory=list)
    pools: dict[str, asyncpg.Pool] = field(default_factory=dict)

    def report(self) -> str:
        return processes_report(self.processes)


async def until(check: Callable[[], Awaitable[bool]], what: str, platform: Platform,
                wait_seconds: float = WAIT_SECONDS) -> None:
    await wait_for_platform(check, what, platform.processes, wait_seconds)


async def migrations_done(platform: Platform, bootstrap: str, commands_topic: str) -> None:
    """Wait until every process has run its migrations: the event store's ``migrate`` re-creates the
    append-only trigger, which can deadlock with an append running at the same moment."""

    async def done() -> bool:
        relays = [platform.dsns[name] for name in RELAYED]
        listening = [await relay_listening(dsn) for dsn in relays]
        return all(listening) and await topic_exists(bootstrap, commands_topic)

    await until(done, "every process to finish its migrations", platform)


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def platform(new_database: Callable[[str], Awaitable[str]], new_topic: Callable[..., Awaitable[str]],
                   unique_topic: Callable[[str], str], kafka_bootstrap: str) -> AsyncIterator[Platform]:
    dsns = {name: await new_database(f"privacy_{name}") for name in DATABASES}
    topics = {name: await new_topic(f"privacy-{name}") for name in ("events", "results", "notifications")}
    topics["commands"] = unique_topic("privacy-commands")  # created by the consumer, with its retention
    ring, raw_keys = random_ring("mk-privacy")
    pair = generate_keypair()
    issuer = TokenIssuer(load_private_key(pair.private_pem), audience="ap-incidents")
    port = free_port()
    logs = Path(tempfile.mkdtemp(prefix="e2e-privacy-"))
    outbox = logs / "outbox"
    groups = f"privacy-{uuid4().hex[:10]}"
    env = {
        **incidents_process_env(dsns, topics, master_keys=master_keys_env(raw_keys, "mk-privacy"),
                                token_public_pem=pair.public_pem, bootstrap=kafka_bootstrap, port=port),
        "AP_INCIDENTS_READ_DSN": dsns["read"],
        "AP_DSN_AP_NOTIFICATIONS": dsns["notifications"], "AP_DSN_AP_REPORTING": dsns["reporting"],
        "AP_NOTIFY_INCIDENTS_TOPIC": topics["events"], "AP_NOTIFY_NOTIFICATIONS_TOPIC": topics["notifications"],
        "AP_NOTIFY_GROUP_PREFIX": groups, "AP_NOTIFY_OUTBOX_DIR": str(outbox),
        "AP_REPORTING_TOPIC": topics["events"], "AP_REPORTING_GROUP_PREFIX": groups,
    }
    http = httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30)
    kafka = CommandTopicClient(kafka_bootstrap, commands_topic=topics["commands"], results_topic=topics["results"])
    platform = Platform(http, kafka, tokens_from(issuer), issuer, ring, kafka_bootstrap, dsns, topics, outbox, logs)
    processes = platform.processes
    try:
        # The API migrates the incidents databases at startup; the other processes start once it answers.
        processes.append(Process("api", ["-m", "ap_incidents.entrypoints.api"], env, logs))

        async def ready() -> bool:
            return (await http.get("/readyz")).status_code == 200

        await until(ready, "the API to be ready", platform)
        processes += [
            Process("commands", ["-m", "ap_incidents.entrypoints.commands"], env, logs),
            Process("relay", ["-m", "ap_runtime.relay", "--service", "incidents", "--dsn", dsns["events"],
                              "--topic", topics["events"]], env, logs),
            Process("projections", ["-m", "ap_incidents.entrypoints.projections"], env, logs),
            Process("notifications", ["-m", "ap_notifications.entrypoints.worker"], env, logs),
            Process("notifications-relay", ["-m", "ap_runtime.relay", "--service", "notifications", "--dsn",
                                            dsns["notifications"], "--topic", topics["notifications"]], env, logs),
            Process("reporting", ["-m", "ap_reporting.entrypoints.projections"], env, logs),
        ]
        for name in DATABASES:
            platform.pools[name] = await asyncpg.create_pool(dsns[name], min_size=1, max_size=4)
        await migrations_done(platform, kafka_bootstrap, topics["commands"])
        await kafka.start()
        yield platform
    finally:
        await kafka.stop()
        await http.aclose()
        for pool in platform.pools.values():
            await pool.close()
        for process in reversed(processes):
            process.stop()
        shutil.rmtree(logs, ignore_errors=True)  # logs and outbox: the failure message carries the tails


# ----------------------------------------------------------------------------- waiting for the pipeline


# Every read model, the database it lives in, and the event store whose events it consumes.
READ_MODELS = (
    (BehaviourLogProjection.name, "read", "events"),
    (PlacementRegisterProjection.name, "read", "events"),
    (ReportingFactsProjection.name, "reporting", "events"),
    (AlertingProjection.name, "notifications", "events"),
    (InboxProjection.name, "notifications", "notifications"),
)


async def _schema(pool: asyncpg.Pool, projection: str) -> str:
    schema = await pool.fetchval("SELECT active_schema FROM public.projection_registry WHERE name = $1", projection)
    if schema is None:
        raise LookupError(projection)
    return str(schema)


async def _processed(pool: asyncpg.Pool, projection: str) -> int:
    return int(await pool.fetchval(f"SELECT count(*) FROM {await _schema(pool, projection)}.processed_events"))


async def caught_up(platform: Platform) -> None:
    """Every read model has applied every event of the store it follows (checked twice, a moment apart,
    so notifications recorded while the alert worker caught up are counted too)."""
    pools = platform.pools

    async def done() -> bool:
        for projection, database, source in READ_MODELS:
            stored = await pools[source].fetchval("SELECT count(*) FROM events")
            if await _processed(pools[database], projection) != stored:
                return False
        return True

    for _ in range(2):
        await until(done, "every read model to apply every event", platform)
        await asyncio.sleep(0.5)


# ----------------------------------------------------------------------------- what the read models hold


async def _rows_per_pupil(pool: asyncpg.Pool, projection: str, table: str,
                          current_only: bool = False) -> dict[str, int]:
    # Reporting keeps every version of a fact (an erasure closes the pupil's row and adds one without the sex), so
    # its rows per pupil are the versions that stand now.
    where = " WHERE superseded_at IS NULL" if current_only else ""
    rows = await pool.fetch(
        f"SELECT pupil_ref::text AS pupil, count(*) AS n FROM {await _schema(pool, projection)}.{table}{where}"
        " GROUP BY pupil_ref")
    return {r["pupil"]: r["n"] for r in rows}


async def _rows(pool: asyncpg.Pool, projection: str, table: str) -> int:
    return int(await pool.fetchval(f"SELECT count(*) FROM {await _schema(pool, projection)}.{table}"))


def _academic_year(day: date) -> str:
    first = day.year if day.month >= 8 else day.year - 1
    return f"{first}/{(first + 1) % 100:02d}"


async def counts(platform: Platform, day: ScriptedDay) -> dict[str, Any]:
    """Rows per pupil and table of every read model, the notifications recorded and every report."""
    read, rpt, notif = platform.pools["read"], platform.pools["reporting"], platform.pools["notifications"]
    behaviour = await read.fetch(
        f"SELECT pupil_ref::text AS pupil, event_type FROM {await _schema(read, BehaviourLogProjection.name)}"
        ".behaviour_log WHERE event_type <> 'PupilDataErased' ORDER BY pupil_ref, stream_version")
    found: dict[str, Any] = {"behaviour_log": {}}
    for row in behaviour:
        found["behaviour_log"].setdefault(row["pupil"], []).append(row["event_type"])
    register = PlacementRegisterProjection.name
    found["register_pupils"] = await _rows_per_pupil(read, register, "register_pupils")
    found["register_placements"] = await _rows_per_pupil(read, register, "placements")
    for table in ("pupils", "placements", "attendance", "incidents", "rewards", "suspensions",
                  "permanent_exclusions"):
        found[f"reporting_{table}"] = await _rows_per_pupil(rpt, ReportingFactsProjection.name, table,
                                                            current_only=True)
    for table in ("placements", "placement_thresholds", "attendance_marks"):
        found[f"alerts_{table}"] = await _rows(notif, AlertingProjection.name, table)
    found["inbox"] = await _rows(notif, InboxProjection.name, "notifications")
    found["notifications_recorded"] = await notif.fetchval("SELECT count(*) FROM events")
    year = _academic_year(day.today)
    week = school_week(day.today - timedelta(days=1))
    facts = PostgresFactsReader(rpt)
    found["reports"] = {
        "weekly_home": (await reports.weekly_report(facts, HOME_SCHOOL, week)).model_dump(mode="json"),
        "weekly_second": (await reports.weekly_report(facts, SECOND_SCHOOL, week)).model_dump(mode="json"),
        "partnership": (await reports.partnership_report(
            facts, PARTNERSHIP, Period(day.today - timedelta(days=60), day.today))).model_dump(mode="json"),
        "annual": (await reports.annual_report(facts, year)).model_dump(mode="json"),
        "strategy": (await reports.strategy_report(PostgresExclusionsByPhase(rpt), [year])).model_dump(mode="json"),
    }
    return found


# ----------------------------------------------------------------------------- the full dump


@dataclass(frozen=True, slots=True)
class Source:
    name: str
    data: bytes


async def dump_database(dsn: str) -> bytes:
    """``pg_dump`` of the whole database (schema and data, every schema), as plain SQL."""
    process = await asyncio.create_subprocess_exec(
        "pg_dump", "--no-owner", "--no-privileges", f"--dbname={dsn}",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await process.communicate()
    assert process.returncode == 0, f"pg_dump failed: {err.decode(errors='replace')}"
    return out


async def run_topics(bootstrap: str, topics: Iterable[str]) -> list[str]:
    """The broker's topics that belong to this run: its own and those derived from them (dead letters)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, **client_security())
    await admin.start()
    try:
        existing = await admin.list_topics()
    finally:
        await admin.close()
    return sorted(name for name in existing if any(name.startswith(topic) for topic in topics))


async def dump_topic(bootstrap: str, topic: str) -> tuple[bytes, int]:
    """Every record of ``topic`` from its first to its last offset (key, value and headers), and how many."""
    parts = await topic_partitions(bootstrap, [topic])
    assert parts, f"topic {topic} does not exist"
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, **client_security(),
                                enable_auto_commit=False, group_id=None)
    await consumer.start()
    try:
        consumer.assign(parts)
        await consumer.seek_to_beginning(*parts)
        end = await consumer.end_offsets(parts)
        chunks: list[bytes] = []
        records = 0
        while [tp for tp in parts if await consumer.position(tp) < end[tp]]:
            for batch in (await consumer.getmany(*parts, timeout_ms=500)).values():
                for record in batch:
                    records += 1
                    chunks += [record.key or b"", record.value or b""]
                    chunks += [name.encode() + b"=" + value for name, value in record.headers]
        return b"\n".join(chunks), records
    finally:
        await consumer.stop()


async def offsets(bootstrap: str, topic: str) -> tuple[dict[int, int], dict[int, int]]:
    """(first offset, end offset) per partition: records before the first were deleted."""
    parts = await topic_partitions(bootstrap, [topic])
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, **client_security(),
                                enable_auto_commit=False, group_id=None)
    await consumer.start()
    try:
        first, end = await consumer.beginning_offsets(parts), await consumer.end_offsets(parts)
    finally:
        await consumer.stop()
    return {tp.partition: first[tp] for tp in parts}, {tp.partition: end[tp] for tp in parts}


async def full_dump(platform: Platform) -> list[Source]:
    sources = [Source(f"database {name}", await dump_database(platform.dsns[name])) for name in DATABASES]
    for topic in await run_topics(platform.bootstrap, platform.topics.values()):
        data, _ = await dump_topic(platform.bootstrap, topic)
        sources.append(Source(f"topic {topic}", data))
    sources += [Source(f"outbox {path.name}", path.read_bytes())
                for path in sorted(platform.outbox.glob("*")) if path.is_file()]
    sources += [Source(f"log {process.name}", process.log.read_bytes()) for process in platform.processes]
    return sources


# ----------------------------------------------------------------------------- searching byte by byte


def date_forms(born: date) -> list[str]:
    return [born.isoformat(), born.strftime("%d/%m/%Y"), born.strftime("%Y%m%d"), born.strftime("%d-%m-%Y"),
            f"{born.day} {born:%B %Y}"]


def value_forms(pupil: PupilIdentity, run_tag: str) -> dict[str, str]:
    """label -> text: every identifying value, the name and contact without the run tag, the birth date 5 ways."""
    forms = {f"value {i}": value for i, value in enumerate(pupil.identifying_values())}
    forms["name without tag"] = pupil.display_name.replace(f" {run_tag}", "")
    forms["contact without tag"] = pupil.family_contact.replace(f" ({run_tag})", "")
    forms |= {f"date of birth as {text}": text for text in date_forms(pupil.date_of_birth)}
    return forms


def encodings(text: str) -> dict[str, bytes]:
    """The bytes a value can take in a dump: UTF-8, hex (bytea in pg_dump), base64 at each alignment."""
    raw = text.encode()
    found = {"utf-8": raw, "hex": raw.hex().encode()}
    for shift in range(3):
        encoded = base64.b64encode(b"\0" * shift + raw)
        start, end = -(-8 * shift // 6), 8 * (shift + len(raw)) // 6  # characters made of the value's bits only
        found[f"base64+{shift}"] = encoded[start:end]
    return found


def hits(sources: list[Source], pupil: PupilIdentity, run_tag: str) -> list[str]:
    """Where any form of any identifying value of ``pupil`` occurs: 'label (encoding) in source'."""
    found = []
    for label, text in value_forms(pupil, run_tag).items():
        for encoding, needle in encodings(text).items():
            found += [f"{label} {text!r} ({encoding}) in {s.name}" for s in sources if needle in s.data]
    return found


def found_in(sources: list[Source], text: str) -> bool:
    return any(text.encode() in s.data for s in sources)


# ----------------------------------------------------------------------------- the scenario


@dataclass
class ErasedDay:
    day: ScriptedDay
    before: dict[str, Any]
    before_dump: list[Source]
    after_dump: list[Source]  # taken once the erasure reached every read model, before any rebuild
    erased_results: dict[str, int]


def second_school_dpo(issuer: TokenIssuer) -> TokenFor:
    token = issuer.mint(user_id="dpo-birchfield", organisation_id=SECOND_SCHOOL, org_kind=OrgKind.HOME_SCHOOL,
                        roles=(Role.DPO,), ttl_seconds=3600)
    return lambda _persona: token


async def send_unprocessable_command(platform: Platform, day: ScriptedDay) -> None:
    """A command whose values no rule foresaw (an incident in the year 1) is answered, not redelivered
    for ever: otherwise its partition would stall, and the commands behind it would stay on the topic."""
    command = {"command_id": str(uuid4()), "placement_id": str(uuid4()), "incident_id": str(uuid4()),
               "happened_at": "0001-01-01T00:00:00Z", "category": "theft", "severity": 1, "location": "other",
               "triggers": ["event_at_home"], "staff_involved": ["staff-id-north-01"],
               "description": f"An incident dated in the year 1 [birchfield {day.run_tag}]"}
    await platform.kafka.send("RecordIncident", command, platform.token_for(Persona.PROVISION_STAFF),
                              pupil_ref=day.pupils["birchfield"].pupil_ref)
    answer = (await platform.kafka.wait_for([command["command_id"]]))[command["command_id"]]
    assert answer["status"] in ("failed", "rejected", "invalid"), answer
    assert "year 1" not in json.dumps(answer)  # a failure names the error's type, not the command's values


async def _commands_deleted(platform: Platform) -> None:
    async def empty() -> bool:
        return (await dump_topic(platform.bootstrap, platform.topics["commands"]))[1] == 0

    await until(empty, "the consumer to delete the processed commands", platform)


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def erased_day(platform: Platform) -> ErasedDay:
    day = scripted_day(platform.token_for)
    results = await run_scripted_day(day, platform.http, platform.kafka)
    wrong = [(r.step.label, r.outcome, r.http_status, r.rule) for r in results if not r.as_expected]
    assert not wrong, f"{wrong}\n{platform.report()}"
    await send_unprocessable_command(platform, day)
    await caught_up(platform)
    before = await counts(platform, day)
    before_dump = await full_dump(platform)

    cedar = await send_http(platform.http, erasure_step(day, "cedar", platform.token_for))
    assert cedar.http_status == 201, cedar.body
    birchfield = erasure_step(day, "birchfield", second_school_dpo(platform.issuer))
    await platform.kafka.send(birchfield.command_type, birchfield.command, birchfield.token,
                              pupil_ref=birchfield.pupil_ref, purpose=birchfield.purpose)
    result = (await platform.kafka.wait_for([birchfield.command_id]))[birchfield.command_id]
    assert result["status"] == "accepted", result
    await caught_up(platform)
    await _commands_deleted(platform)
    after_dump = await full_dump(platform)
    return ErasedDay(day, before, before_dump, after_dump,
                     {"cedar": cedar.http_status, "birchfield": result["http_status"]})


# ----------------------------------------------------------------------------- must show: no trace


async def test_a_full_dump_holds_no_identifying_value_of_an_erased_pupil(platform: Platform,
                                                                        erased_day: ErasedDay) -> None:
    day = erased_day.day
    sources = await full_dump(platform)  # now, and (below) as soon as the erasure had reached everything
    names = {s.name for s in sources}
    assert {f"database {name}" for name in DATABASES} <= names
    assert {f"topic {platform.topics[t]}" for t in ("events", "commands", "results", "notifications")} <= names

    for dump in (erased_day.after_dump, sources):
        for key in ERASED:
            assert not hits(dump, day.pupils[key], day.run_tag), f"{key}'s values survived the erasure"

    # The read models hold sealed values only: no value of any pupil is there in clear, erased or not,
    # before the erasure or after it.
    kept = day.pupils[KEPT]
    for dump in (erased_day.before_dump, sources):
        read_model = [s for s in dump if s.name == "database read"]
        for key in (KEPT, *ERASED):
            assert not hits(read_model, day.pupils[key], day.run_tag), f"{key}'s values in clear in a read model"
    # The search can fail: it finds every value of the pupil who was not erased in what the DSL reads.
    answer = await platform.http.get(f"/v1/pupils/{kept.pupil_ref}/behaviour-log?safeguarding=true", headers={
        "Authorization": f"Bearer {platform.token_for(Persona.PROVISION_DSL)}",
        "X-Access-Purpose": "safeguarding: erasure test reads the kept pupil's log"})
    assert answer.status_code == 200, answer.text
    shown = [Source("api answer", answer.content)]
    for value in kept.identifying_values():
        assert found_in(shown, value), f"{KEPT}: {value!r} not shown to the DSL"


async def test_command_results_carry_no_personal_value_and_processed_commands_are_deleted(
        platform: Platform, erased_day: ErasedDay) -> None:
    day = erased_day.day
    results, count = await dump_topic(platform.bootstrap, platform.topics["results"])
    results_only = [Source("results", results)]
    assert count >= len([s for s in day.steps if s.channel.value == "kafka"]) + 1
    for pupil in day.pupils.values():  # no pupil's values, erased or not
        assert not hits(results_only, pupil, day.run_tag)
    assert found_in(results_only, str(day.pupils["birchfield"].pupil_ref))  # the search reads real results

    # Every command sent (the day's Kafka steps, one unprocessable, one erasure) was written, and all deleted.
    commands, remaining = await dump_topic(platform.bootstrap, platform.topics["commands"])
    assert remaining == 0 and commands == b""
    first, last = await offsets(platform.bootstrap, platform.topics["commands"])
    sent = len([s for s in day.steps if s.channel.value == "kafka"]) + 2  # and the unprocessable one, the erasure
    assert sum(last.values()) == sent and first == last

    configs = await topic_configs(platform.bootstrap, platform.topics["commands"])
    assert configs["retention.ms"] == str(COMMAND_RETENTION_MS)
    assert configs["segment.ms"] == str(COMMAND_SEGMENT_MS)
    assert configs["cleanup.policy"] == "delete"


async def topic_configs(bootstrap: str, topic: str) -> dict[str, str]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, **client_security())
    await admin.start()
    try:
        [response] = await admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topic)])
    finally:
        await admin.close()
    return {entry[0]: entry[1] for resource in response.resources for entry in resource[4]}


async def topic_configs_showing(bootstrap: str, topic: str, expected: dict[str, str],
                                timeout_seconds: float = 15.0) -> dict[str, str]:
    """The topic's configuration once the broker shows ``expected``: a change reaches the broker
    through the metadata log, so a describe right after an alter may still show the old values."""
    deadline = asyncio.get_running_loop().time() + timeout_seconds
    while True:
        configs = await topic_configs(bootstrap, topic)
        if all(configs.get(name) == value for name, value in expected.items()):
            return configs
        if asyncio.get_running_loop().time() > deadline:
            return configs  # the caller's assertions say what differs
        await asyncio.sleep(0.2)


async def test_a_command_topic_created_otherwise_gets_a_bounded_retention(
        new_topic: Callable[..., Awaitable[str]], unique_topic: Callable[[str], str], kafka_bootstrap: str) -> None:
    commands = await new_topic("privacy-auto-commands")  # the broker's defaults, as an auto-created topic has
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka_bootstrap, **client_security())
    await admin.start()
    try:  # an operator's own setting, which the bounding must keep
        await admin.alter_configs([ConfigResource(ConfigResourceType.TOPIC, commands,
                                                  configs={"max.message.bytes": "300000"})])
    finally:
        await admin.close()
    operator = await topic_configs_showing(kafka_bootstrap, commands, {"max.message.bytes": "300000"})
    assert operator["max.message.bytes"] == "300000"  # the bounding below starts from the operator's setting
    await ensure_command_topics(kafka_bootstrap, commands, unique_topic("privacy-auto-results"))
    configs = await topic_configs_showing(kafka_bootstrap, commands, {
        "retention.ms": str(COMMAND_RETENTION_MS), "segment.ms": str(COMMAND_SEGMENT_MS)})
    assert configs["retention.ms"] == str(COMMAND_RETENTION_MS)
    assert configs["segment.ms"] == str(COMMAND_SEGMENT_MS)
    assert configs["cleanup.policy"] == "delete"
    assert configs["max.message.bytes"] == "300000"


def test_the_asyncapi_document_describes_the_results_channel_as_results() -> None:
    channels = {c["address"]: c for c in asyncapi_document(contract_events())["channels"].values()}
    results, commands = channels[INCIDENTS_COMMAND_RESULTS], channels[INCIDENTS_COMMANDS]
    assert results["description"].startswith("Results of the commands")
    assert "never a personal value" in results["description"]
    assert commands["description"].startswith("Commands to the incidents service")
    assert commands["bindings"]["kafka"]["topicConfiguration"]["retention.ms"] == COMMAND_RETENTION_MS


# ----------------------------------------------------------------------------- must show: rebuild


async def _rebuilt(platform: Platform, projection: Projection, database: str,
                   codec: PersonalDataCodec | None) -> str:
    runner = ProjectionRunner(projection, platform.pools[database], platform.bootstrap, codec=codec)
    await runner.start()
    try:
        return await rebuild(runner, platform.pools[database], platform.bootstrap, show_progress=False)
    finally:
        await runner.stop()


async def test_every_projection_rebuilt_from_scratch_shows_the_erasure_with_unchanged_counts(
        platform: Platform, erased_day: ErasedDay) -> None:
    day, events = erased_day.day, (platform.topics["events"],)
    keys = await KeyStore.open(platform.dsns["keys"], platform.ring, cache_ttl_seconds=0)
    settings = NotificationSettings(dsn=platform.dsns["notifications"], kafka_bootstrap=platform.bootstrap,
                                    incidents_topic=events[0], notifications_topic=platform.topics["notifications"],
                                    outbox_dir=platform.outbox)
    codec = PersonalDataCodec(keys)
    services = await open_services(settings, codec=codec, delivery=FileOutbox(platform.outbox))
    try:
        before_schemas = {name: await _schema(platform.pools[db], name) for name, db, _ in READ_MODELS}
        rebuilt = {
            BehaviourLogProjection.name: await _rebuilt(platform, BehaviourLogProjection(events), "read", codec),
            PlacementRegisterProjection.name: await _rebuilt(platform, PlacementRegisterProjection(events), "read",
                                                             codec),
            ReportingFactsProjection.name: await _rebuilt(platform, ReportingFactsProjection(events), "reporting",
                                                          None),
            AlertingProjection.name: await _rebuilt(
                platform, AlertingProjection(services.dispatcher, services.transfers, services.book, events,
                                             codec=services.codec),
                "notifications", None),
            InboxProjection.name: await _rebuilt(platform, InboxProjection((platform.topics["notifications"],)),
                                                 "notifications", None),
        }
    finally:
        await services.close()
        await keys.close()
    for name, schema in rebuilt.items():
        assert schema != before_schemas[name] and schema.endswith("_g2"), (name, schema)
        assert await _schema(platform.pools[dict((n, d) for n, d, _ in READ_MODELS)[name]], name) == schema
    await caught_up(platform)

    # The same rows per pupil, the same reports, the same notifications as before the erasure.
    after = await counts(platform, day)
    assert after == erased_day.before

    # The erased pupils read as erased in the rebuilt read models; the kept pupil's values are back.
    read = platform.pools["read"]
    log = f"{rebuilt[BehaviourLogProjection.name]}.behaviour_log"
    register = f"{rebuilt[PlacementRegisterProjection.name]}.register_pupils"
    for key in ERASED:
        ref = day.pupils[key].pupil_ref
        rows = await read.fetch(f"SELECT erased, personal, event_type FROM {log} WHERE pupil_ref = $1"
                                " ORDER BY stream_version", ref)  # a rebuilt table's rows are in no set order
        assert rows and all(r["erased"] and r["personal"] is None for r in rows)
        assert rows[-1]["event_type"] == "PupilDataErased"
        name = await read.fetchrow(f"SELECT display_name_sources, erased FROM {register} WHERE pupil_ref = $1", ref)
        assert name is not None and name["display_name_sources"] == "[]" and name["erased"]
        entries = await platform.http.get(f"/v1/pupils/{ref}/behaviour-log", headers={
            "Authorization": f"Bearer {platform.token_for(Persona.PROVISION_DSL)}"})
        assert entries.status_code == 200 and entries.json()["erased"]
        assert all(e["personal_data_erased"] for e in entries.json()["entries"])
    kept = day.pupils[KEPT]
    rows = await read.fetch(f"SELECT event_type, schema_version, personal FROM {log}"
                            " WHERE pupil_ref = $1 AND NOT erased", kept.pupil_ref)
    stored = json.dumps([r["personal"] for r in rows])
    assert not [value for value in kept.identifying_values() if value in stored], "read models hold sealed values"
    keys = await KeyStore.open(platform.dsns["keys"], platform.ring, cache_ttl_seconds=0)
    try:
        opened = await open_entries(PersonalDataCodec(keys), [
            (r["event_type"], r["schema_version"], str(kept.pupil_ref), json.loads(r["personal"] or "{}"))
            for r in rows], set(RecordClass))
    finally:
        await keys.close()
    shown = json.dumps(opened, default=str)
    assert all(value in shown for value in kept.identifying_values())
    assert erased_day.erased_results == {"cedar": 201, "birchfield": 201}
