"""The committed JSON Schemas describe what is on the wire, proven by a validator outside Python (ajv).

Rule served (issue 10, contracts a non-Python consumer can use): a consumer in any language that
validates event records against ``contracts/schemas`` accepts every record the platform publishes,
sealed personal fields included. ajv 8 (draft 2020-12, ajv-formats, strict mode) runs as
``node contracts/validation/validate-records.mjs``, installed by ``make install`` (``npm ci``).

- ``test_a_sealed_registration_validates_with_ajv``: one event with every awkward personal shape (a
  date of birth, an enum, booleans, a 400-character family contact that sealing makes longer than
  its 500-character plaintext limit), sealed as the runtime seals it; no servers.
- ``test_every_record_of_a_scripted_day_validates_with_ajv``: the incidents scripted day (HTTP and
  Kafka commands, refusals, an erasure) runs as deployed on the real PostgreSQL and Kafka; every
  record the relay put on the event topic validates against the schema of its type and version and
  carries the CloudEvents attributes of its envelope.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess  # nosec B404  # runs node on a fixed script, arguments from the repository
import tempfile
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import httpx
import pytest
import pytest_asyncio
from aiokafka import AIOKafkaConsumer
from aiokafka.structs import ConsumerRecord

from ap_contracts.envelope import Actor, EventEnvelope
from ap_contracts.events.pupils import PupilRegistered
from ap_contracts.schema_tools import SCHEMA_BASE_URI, SCHEMAS_DIR, event_schema_path
from ap_contracts.wire import SEALED_VALUE_PREFIX
from ap_incidents.adapters.command_topic_client import CommandTopicClient
from ap_runtime.access import TokenIssuer, generate_keypair
from ap_runtime.access.keys import load_private_key
from ap_runtime.kafka import client_security, topic_partitions
from ap_runtime.privacy.codec import SEALED_PREFIX, PersonalDataCodec
from ap_testing.privacy import master_keys_env, random_ring
from ap_testing.processes import PlatformProcess as Process
from ap_testing.processes import free_port, incidents_process_env, processes_report, wait_for_platform
from demo.finance_year import DemoCast, DemoYear, demo_tokens
from demo.personas import tokens_from
from demo.runner import run_scripted_day, send_http
from demo.scripted_day import erasure_step, scripted_day

VALIDATION_DIR = SCHEMAS_DIR.parent / "validation"
VALIDATOR = VALIDATION_DIR / "validate-records.mjs"


def ajv_report(envelopes: list[bytes], schemas_dir: Path = SCHEMAS_DIR) -> dict[str, Any]:
    """What ajv says of each record value (an envelope's JSON bytes) against the committed schemas."""
    node = shutil.which("node")
    assert node is not None, "node is not installed: `make install` needs Node 20 and npm"
    assert (VALIDATION_DIR / "node_modules" / "ajv").is_dir(), (
        "ajv is not installed: run `make install` (npm ci in contracts/validation)")
    lines = "".join(json.dumps({"value": value.decode()}) + "\n" for value in envelopes)
    done = subprocess.run([node, str(VALIDATOR), str(schemas_dir)], input=lines, capture_output=True,  # nosec B603
                          text=True, timeout=120, check=False)
    assert done.returncode in (0, 1), f"the validator could not run: {done.stderr}"
    report: dict[str, Any] = json.loads(done.stdout)
    assert report["checked"] == len(envelopes), report
    return report


def invalid_summary(report: dict[str, Any]) -> list[str]:
    """One line per invalid record: its type, version and what ajv says (places and rules, no values)."""
    return [f"{item.get('event_type')} v{item.get('schema_version')}: "
            + "; ".join(f"{e['path']} {e['message']}" for e in item["errors"]) for item in report["invalid"]]


class _OneKey:
    """A key source holding one data key per subject in memory (the codec's protocol)."""

    def __init__(self) -> None:
        self._keys: dict[str, bytes] = {}

    async def get_or_create_many(self, subjects: Any) -> dict[str, bytes]:
        return {s: self._keys.setdefault(s, os.urandom(32)) for s in subjects}

    async def get_many(self, subjects: Any) -> dict[str, bytes | None]:
        return {s: self._keys.get(s) for s in subjects}


async def test_a_sealed_registration_validates_with_ajv() -> None:
    pupil = uuid4()
    event = PupilRegistered.model_validate({
        "pupil_ref": str(pupil), "record_id": str(uuid4()), "home_school_id": "home-school-1", "sex": "female",
        "year_group": "9", "key_stage": "KS3", "date_of_birth": "2011-04-05", "display_name": "A. Pupil",
        "ethnicity": "WBRI", "sen_status": "K", "fsm_eligible": True, "has_ehcp": False, "looked_after": True,
        "family_contact": "x" * 400,
    })
    sealed = await PersonalDataCodec(_OneKey()).seal(event)
    envelope = EventEnvelope(
        event_type=event.event_type, schema_version=event.schema_version, stream_id=f"pupil-{pupil}",
        stream_version=1, occurred_at=datetime(2026, 1, 5, 9, 30, tzinfo=UTC),
        actor=Actor(user_id="user-1", organisation_id="home-school-1"), organisation_id="home-school-1",
        correlation_id=uuid4(), pii_subject=str(pupil), payload=sealed,
    )
    assert len(sealed["family_contact"]) > 500  # sealing made it longer than its plaintext limit
    assert SEALED_PREFIX == SEALED_VALUE_PREFIX  # the codec writes what the contracts describe
    report = ajv_report([envelope.model_dump_json().encode()])
    assert report["invalid"] == [], invalid_summary(report)

    # The schemas still judge: a personal value in clear is refused, and so is an unknown field.
    in_clear = {**sealed, "fsm_eligible": True, "unexpected": 1}
    refused = ajv_report([envelope.model_copy(update={"payload": in_clear}).model_dump_json().encode()])
    messages = " ".join(invalid_summary(refused))
    assert "/payload/fsm_eligible" in messages and "additionalProperties" in messages, messages


# ----------------------------------------------------------------------------- a realistic day on the servers


@dataclass
class Platform:
    http: httpx.AsyncClient
    kafka: CommandTopicClient
    issuer: TokenIssuer
    events_dsn: str
    events_topic: str
    bootstrap: str
    processes: list[Process]


@pytest_asyncio.fixture(loop_scope="session")
async def platform(new_database: Callable[[str], Any], new_topic: Callable[..., Any],
                   kafka_bootstrap: str) -> AsyncIterator[Platform]:
    dsns = {name: await new_database(f"wire_{name}") for name in ("events", "audit", "keys")}
    topics = {name: await new_topic(f"wire-{name}") for name in ("events", "commands", "results")}
    _ring, raw_keys = random_ring("mk-wire")
    pair = generate_keypair()
    port = free_port()
    env = {
        **incidents_process_env(dsns, topics, master_keys=master_keys_env(raw_keys, "mk-wire"),
                                token_public_pem=pair.public_pem, bootstrap=kafka_bootstrap, port=port),
    }
    logs = Path(tempfile.mkdtemp(prefix="wire-contracts-"))
    processes = [Process("api", ["-m", "ap_incidents.entrypoints.api"], env, logs)]
    http = httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30)
    kafka = CommandTopicClient(kafka_bootstrap, commands_topic=topics["commands"], results_topic=topics["results"])
    try:
        async def ready() -> bool:
            return (await http.get("/readyz")).status_code == 200

        await wait_for_platform(ready, "the API to be ready", processes)
        # Every event of the day goes to one test topic, privacy events included (the relay's --topic).
        processes += [
            Process("commands", ["-m", "ap_incidents.entrypoints.commands"], env, logs),
            Process("relay", ["-m", "ap_runtime.relay", "--service", "incidents", "--dsn", dsns["events"],
                              "--topic", topics["events"]], env, logs),
        ]
        await kafka.start()
        yield Platform(http, kafka, TokenIssuer(load_private_key(pair.private_pem)), dsns["events"],
                       topics["events"], kafka_bootstrap, processes)
    finally:
        await kafka.stop()
        await http.aclose()
        for process in reversed(processes):
            process.stop()


async def _stored_event_ids(dsn: str) -> set[UUID]:
    conn = await asyncpg.connect(dsn)
    try:
        return {row["event_id"] for row in await conn.fetch("SELECT event_id FROM events")}
    finally:
        await conn.close()


async def _records_of(bootstrap: str, topic: str, wanted: set[UUID],
                      processes: list[Process]) -> list[ConsumerRecord[bytes, bytes]]:
    """Every record on an event topic, read from the start until each stored event has arrived."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False,
                                auto_offset_reset="earliest", **client_security())
    await consumer.start()
    records: list[ConsumerRecord[bytes, bytes]] = []
    try:
        partitions = await topic_partitions(bootstrap, [topic])
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)

        async def all_arrived() -> bool:
            for batch in (await consumer.getmany(timeout_ms=500)).values():
                records.extend(batch)
            return wanted <= {UUID(_header(r, "ap-event-id")) for r in records}

        await wait_for_platform(all_arrived, "the relay to publish every stored event", processes)
    finally:
        await consumer.stop()
    return records


def _header(record: ConsumerRecord[bytes, bytes], name: str) -> str:
    values: list[str] = [bytes(value).decode() for key, value in record.headers if key == name]
    assert len(values) == 1, f"header {name!r} appears {len(values)} times"
    return values[0]


def _cloudevent_mismatches(record: ConsumerRecord[bytes, bytes]) -> list[str]:
    """Where a record's CloudEvents headers differ from what its envelope says."""
    assert record.value is not None
    envelope = EventEnvelope.model_validate_json(record.value)
    topic = next(iter({path.parent.name for path in SCHEMAS_DIR.glob(f"*/{envelope.event_type}.v*.json")}))
    expected = {
        "ce_specversion": "1.0",
        "ce_id": str(envelope.event_id),
        "ce_source": f"/ap/{topic.split('.')[1]}",
        "ce_type": f"uk.gov.ap.{topic.split('.')[1]}.{envelope.event_type}.v{envelope.schema_version}",
        "ce_subject": envelope.stream_id,
        "ce_dataschema": SCHEMA_BASE_URI + str(event_schema_path(topic, envelope.event_type,
                                                                  envelope.schema_version)),
        "content-type": "application/json",
    }
    wrong = [f"{envelope.event_type} {name}" for name, value in expected.items() if _header(record, name) != value]
    if datetime.fromisoformat(_header(record, "ce_time")) != envelope.occurred_at:
        wrong.append(f"{envelope.event_type} ce_time")
    return wrong


@pytest.mark.integration
async def test_every_record_of_a_scripted_day_validates_with_ajv(platform: Platform) -> None:
    token_for = tokens_from(platform.issuer)
    day = scripted_day(token_for)
    results = await run_scripted_day(day, platform.http, platform.kafka)
    wrong = [(r.step.label, r.outcome, r.http_status, r.rule) for r in results if not r.as_expected]
    assert not wrong, f"{wrong}\n{processes_report(platform.processes)}"
    erased = await send_http(platform.http, erasure_step(day, "cedar", token_for))
    assert erased.http_status == 201, erased.body

    stored = await _stored_event_ids(platform.events_dsn)
    records = await _records_of(platform.bootstrap, platform.events_topic, stored, platform.processes)
    values = [record.value for record in records if record.value is not None]
    assert len(values) == len(records) >= len(stored) > 50

    report = ajv_report(values)
    assert report["invalid"] == [], "\n".join(invalid_summary(report))
    # The day exercised the shapes that sealing changes, and the erasure.
    assert {"PupilRegistered.v1", "IncidentRecorded.v1", "PupilDataErased.v1"} <= set(report["by_type"]), report

    mismatches = [problem for record in records for problem in _cloudevent_mismatches(record)]
    assert mismatches == []


# ----------------------------------------------------------------------------- a financial year on the servers


@dataclass
class FinancePlatform:
    http: httpx.AsyncClient
    issuer: TokenIssuer
    events_dsn: str
    events_topic: str
    bootstrap: str
    processes: list[Process]


@pytest_asyncio.fixture(loop_scope="session")
async def finance(new_database: Callable[[str], Any], new_topic: Callable[..., Any],
                  kafka_bootstrap: str) -> AsyncIterator[FinancePlatform]:
    dsns = {name: await new_database(f"wire_finance_{name}") for name in ("events", "audit")}
    topic, placements = await new_topic("wire-finance"), await new_topic("wire-finance-placements")
    pair = generate_keypair()
    port = free_port()
    env = {
        "AP_DSN_AP_FINANCE": dsns["events"], "AP_DSN_AP_AUDIT": dsns["audit"], "AP_TOKEN_PUBLIC_KEY": pair.public_pem,
        "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap, "AP_HTTP_PORT": str(port), "AP_LOG_LEVEL": "WARNING",
    }
    logs = Path(tempfile.mkdtemp(prefix="wire-finance-"))
    processes = [Process("api", ["-m", "ap_finance.entrypoints.api"], env, logs)]
    http = httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30)
    try:
        async def ready() -> bool:
            return (await http.get("/readyz")).status_code == 200

        await wait_for_platform(ready, "the finance API to be ready", processes)
        # The year reads its ledger as it goes, so the projections run too (no placements this time).
        processes += [
            Process("relay", ["-m", "ap_runtime.relay", "--service", "finance", "--dsn", dsns["events"],
                              "--topic", topic], env, logs),
            Process("projections", ["-m", "ap_finance.entrypoints.projections", "--dsn", dsns["events"],
                                    "--finance-topic", topic, "--incidents-topic", placements,
                                    "--group-suffix", topic], env, logs),
        ]
        yield FinancePlatform(http, TokenIssuer(load_private_key(pair.private_pem), audience="ap-finance"),
                              dsns["events"], topic, kafka_bootstrap, processes)
    finally:
        await http.aclose()
        for process in reversed(processes):
            process.stop()


@pytest.mark.integration
async def test_every_record_of_a_financial_year_validates_with_ajv(finance: FinancePlatform) -> None:
    cast = DemoCast()
    await DemoYear(finance.http, demo_tokens(finance.issuer, cast), cast, "2025-26").run()

    stored = await _stored_event_ids(finance.events_dsn)
    records = await _records_of(finance.bootstrap, finance.events_topic, stored, finance.processes)
    values = [record.value for record in records if record.value is not None]
    assert len(values) == len(records) >= len(stored) > 20

    report = ajv_report(values)
    assert report["invalid"] == [], "\n".join(invalid_summary(report))
    shown = set(report["by_type"])
    assert {"BudgetSet.v1", "SpendRecorded.v1", "YearClosed.v1", "SurplusAllocated.v1"} <= shown, report
    assert [problem for record in records for problem in _cloudevent_mismatches(record)] == []
