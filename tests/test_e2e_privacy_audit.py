"""Every read and write of pupil data in the scripted day is in the access audit, which holds no
payload and whose tampering the verifier detects.

The incidents API, its Kafka command consumer, the relay and the read models run as OS processes
on fresh databases and unique topics of the real PostgreSQL and Kafka. Each step of the scripted
day (HTTP and Kafka), each read of the day (behaviour logs, safeguarding detail, the placement
register, subject access, each allowed and denied) and the erasure of one pupil is sent with its
own correlation id (``X-Correlation-ID`` on HTTP, the ``correlation_id`` header on Kafka).

What "has its audit record" means, precisely: the audit rows carrying a step's correlation id are
exactly the access decisions the step needed, matched field by field on (user, organisation,
action, pupil, decision, rule for a denial):
  * a command accepted, or refused by a pupil-path rule: one ``allowed`` row for its action (the
    policy let the caller try; the rule refused afterwards, and nothing was written);
  * a command denied by the policy: one ``denied`` row naming the policy rule;
  * an invalid command: no row (it never became a command on a pupil: nothing was read or written);
  * a read: one row per decision the read takes (the log, then the safeguarding detail; the
    register once for the caller, then once per pupil served).
The audit table holds these rows and no others. A dump of the audit database holds none of any
pupil's identifying values, the keyed chain verifies with ``python -m ap_runtime.access
verify-audit`` run as a process against the heads the services published to their heads topic,
and after a row is edited (trigger disabled by the superuser) or deleted, or the newest rows are
cut off, the verifier exits 1 naming the first bad sequence number.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import httpx
import pytest
import pytest_asyncio

from ap_incidents.adapters.command_topic_client import CommandTopicClient
from ap_incidents.application.catalogue import COMMANDS
from ap_runtime.access import TokenIssuer, generate_keypair
from ap_runtime.access.keys import load_private_key
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
from demo.personas import PERSONAS, Persona, TokenFor, tokens_from
from demo.runner import StepResult, kafka_result, path_of
from demo.scripted_day import Channel, Outcome, ScriptedDay, Step, erasure_step, scripted_day

pytestmark = pytest.mark.e2e  # several platform processes (ap_testing.levels)

AUDIT_COLUMNS = ["seq", "at", "user_id", "roles", "organisation_id", "pupil_ref", "record_class", "action",
                 "purpose", "decision", "rule_id", "reason", "correlation_id", "break_glass", "recipients",
                 "policy_version", "prev_hash", "hash", "key_id", "purpose_category", "purpose_digest",
                 "chain_id", "chain_seq"]
WAIT_SECONDS = 90.0
RELAYED = ("events",)  # the event stores a relay publishes


# ----------------------------------------------------------------------------- the platform's processes


@dataclass
class Platform:
    http: httpx.AsyncClient
    kafka: CommandTopicClient
    token_for: TokenFor
    dsns: dict[str, str]
    heads_topic: str = ""
    bootstrap: str = ""
    processes: list[Process] = field(default_factory=list)

    def report(self) -> str:
        return processes_report(self.processes)


async def until(check: Callable[[], Awaitable[bool]], what: str, platform: Platform) -> None:
    await wait_for_platform(check, what, platform.processes, WAIT_SECONDS)


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
    dsns = {name: await new_database(f"audit_e2e_{name}") for name in ("events", "audit", "keys")}
    topics = {"events": await new_topic("audit-e2e-events"), "results": await new_topic("audit-e2e-results"),
              "commands": unique_topic("audit-e2e-commands"), "heads": unique_topic("audit-e2e-heads")}
    _ring, raw_keys = random_ring("mk-audit")
    pair = generate_keypair()
    port = free_port()
    env = {
        **incidents_process_env(dsns, topics, master_keys=master_keys_env(raw_keys, "mk-audit"),
                                token_public_pem=pair.public_pem, bootstrap=kafka_bootstrap, port=port),
        "AP_AUDIT_HEADS_TOPIC": topics["heads"], "AP_AUDIT_HEAD_INTERVAL_SECONDS": "0.5",
    }
    logs = Path(tempfile.mkdtemp(prefix="e2e-audit-"))
    http = httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30)
    kafka = CommandTopicClient(kafka_bootstrap, commands_topic=topics["commands"], results_topic=topics["results"])
    platform = Platform(http, kafka, tokens_from(TokenIssuer(load_private_key(pair.private_pem))), dsns,
                        topics["heads"], kafka_bootstrap)
    try:
        platform.processes.append(Process("api", ["-m", "ap_incidents.entrypoints.api"], env, logs))

        async def ready() -> bool:
            return (await http.get("/readyz")).status_code == 200

        await until(ready, "the API to be ready", platform)
        platform.processes += [
            Process("commands", ["-m", "ap_incidents.entrypoints.commands"], env, logs),
            Process("relay", ["-m", "ap_runtime.relay", "--service", "incidents", "--dsn", dsns["events"],
                              "--topic", topics["events"]], env, logs),
            Process("projections", ["-m", "ap_incidents.entrypoints.projections"], env, logs),
        ]
        await migrations_done(platform, kafka_bootstrap, topics["commands"])
        await kafka.start()
        yield platform
    finally:
        await kafka.stop()
        await http.aclose()
        for process in reversed(platform.processes):
            process.stop()
        shutil.rmtree(logs, ignore_errors=True)  # the failure message carries the tails


# ----------------------------------------------------------------------------- what each step must leave


@dataclass(frozen=True, slots=True)
class Expected:
    """One access decision as the audit must show it."""

    persona: Persona
    action: str
    pupil_ref: UUID | None
    decision: str = "allowed"
    # The policy rule a denial names (the scripted day's steps say it); None: any rule. The rule
    # granting an allowed access is not compared.
    rule_id: str | None = None

    def key(self) -> tuple[Any, ...]:
        spec = PERSONAS[self.persona]
        return (spec.user_id, spec.organisation_id, self.action, self.pupil_ref, self.decision, self.rule_id)


def row_key(row: asyncpg.Record, rule_named: bool) -> tuple[Any, ...]:
    rule = row["rule_id"] if rule_named and row["decision"] == "denied" else None
    return (row["user_id"], row["organisation_id"], row["action"], row["pupil_ref"], row["decision"], rule)


def expected_for_step(step: Step) -> list[Expected]:
    action = COMMANDS[step.command_type].action
    match step.expect.outcome:
        case Outcome.ACCEPTED | Outcome.REJECTED:
            return [Expected(step.persona, action, step.pupil_ref)]
        case Outcome.DENIED:
            return [Expected(step.persona, action, step.pupil_ref, "denied", step.expect.rule)]
        case Outcome.INVALID:
            return []


@dataclass(frozen=True, slots=True)
class Read:
    label: str
    persona: Persona
    path: str
    status: int
    expected: list[Expected]
    params: dict[str, str] = field(default_factory=dict)
    purpose: str | None = None


def reads_of(day: ScriptedDay) -> list[Read]:
    """The reads of the day: who reads what, the answer, and the decisions each takes."""
    ash, birch, cedar = (day.pupils[k].pupil_ref for k in ("ashgrove", "birchfield", "cedar"))
    log, sg = "incidents.read_behaviour_log", "incidents.read_safeguarding_detail"
    register, sar = "incidents.read_placement_register", "privacy.export_subject_access"
    dsl, staff = Persona.PROVISION_DSL, Persona.PROVISION_STAFF
    return [
        Read("the DSL reads a pupil's log", dsl, f"/v1/pupils/{ash}/behaviour-log", 200, [Expected(dsl, log, ash)]),
        Read("the DSL reads the safeguarding detail, stating why", dsl, f"/v1/pupils/{ash}/behaviour-log", 200,
             [Expected(dsl, log, ash), Expected(dsl, sg, ash)], {"safeguarding": "true"},
             purpose="safeguarding: review of the concern raised yesterday"),
        Read("DENIED: another provision reads the pupil's log", Persona.OTHER_PROVISION_STAFF,
             f"/v1/pupils/{ash}/behaviour-log", 403,
             [Expected(Persona.OTHER_PROVISION_STAFF, log, ash, "denied")]),
        Read("DENIED: staff who are not the DSL ask for safeguarding detail", staff,
             f"/v1/pupils/{ash}/behaviour-log", 403,
             [Expected(staff, log, ash), Expected(staff, sg, ash, "denied")],
             {"safeguarding": "true"}, purpose="curious"),
        Read("the local authority reads the placement register", Persona.LA_OFFICER, "/v1/placements", 200,
             [Expected(Persona.LA_OFFICER, register, None),
              *(Expected(Persona.LA_OFFICER, register, ref) for ref in (ash, birch, cedar))]),
        Read("the home school DPO exports a subject access response", Persona.HOME_DPO,
             f"/v1/pupils/{cedar}/subject-access", 200, [Expected(Persona.HOME_DPO, sar, cedar)],
             purpose="subject access request from the parent"),
        Read("DENIED: the DPO asks for another school's pupil", Persona.HOME_DPO,
             f"/v1/pupils/{birch}/subject-access", 403,
             [Expected(Persona.HOME_DPO, sar, birch, "denied")],
             purpose="subject access request from the parent"),
    ]


# ----------------------------------------------------------------------------- sending with a correlation id


_HTTP_OUTCOME = {"urn:ap:problem:access-denied": Outcome.DENIED, "urn:ap:problem:invalid-request": Outcome.INVALID}


async def send_http(client: httpx.AsyncClient, step: Step, correlation: UUID) -> StepResult:
    headers = {"Authorization": f"Bearer {step.token}", "X-Correlation-ID": str(correlation)}
    if step.purpose:
        headers["X-Access-Purpose"] = step.purpose
    response = await client.post(path_of(step), json=step.command, headers=headers)
    body: dict[str, Any] = response.json()
    if response.status_code in (200, 201):
        return StepResult(step, Outcome.ACCEPTED, response.status_code, None, body)
    outcome = _HTTP_OUTCOME.get(str(body.get("type")), Outcome.REJECTED)
    return StepResult(step, outcome, response.status_code, body.get("rule"), body)


@dataclass
class AuditedDay:
    day: ScriptedDay
    expected: dict[UUID, list[Expected]]  # by correlation id
    labels: dict[UUID, str]
    denied_correlation: UUID  # the commissioner's decision attempted by the provider (policy denial)


async def _register_shows_every_pupil(platform: Platform, day: ScriptedDay) -> None:
    pool = await asyncpg.create_pool(platform.dsns["events"], min_size=1, max_size=2)
    try:
        async def shown() -> bool:
            schema = await pool.fetchval("SELECT active_schema FROM public.projection_registry"
                                         " WHERE name = 'incidents_placement_register'")
            count = await pool.fetchval(f"SELECT count(*) FROM {schema}.placements")
            return int(count) == len(day.pupils)

        await until(shown, "the placement register to show every pupil", platform)
    finally:
        await pool.close()


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def audited_day(platform: Platform) -> AuditedDay:
    day = scripted_day(platform.token_for)
    expected: dict[UUID, list[Expected]] = {}
    labels: dict[UUID, str] = {}
    results: dict[UUID, StepResult] = {}
    queued: dict[UUID, Step] = {}
    for step in day.steps:
        correlation = uuid4()
        expected[correlation], labels[correlation] = expected_for_step(step), step.label
        if step.channel is Channel.KAFKA:
            await platform.kafka.send(step.command_type, step.command, step.token, pupil_ref=step.pupil_ref,
                                      provision_id=step.provision_id, purpose=step.purpose,
                                      correlation_id=correlation)
            queued[correlation] = step
        else:
            results[correlation] = await send_http(platform.http, step, correlation)
    answers = await platform.kafka.wait_for([step.command_id for step in queued.values()])
    results |= {c: kafka_result(step, answers[step.command_id]) for c, step in queued.items()}
    wrong = [(r.step.label, r.outcome, r.http_status, r.rule) for r in results.values() if not r.as_expected]
    assert not wrong, f"{wrong}\n{platform.report()}"

    await _register_shows_every_pupil(platform, day)
    for read in reads_of(day):
        correlation = uuid4()
        expected[correlation], labels[correlation] = read.expected, read.label
        headers = {"Authorization": f"Bearer {platform.token_for(read.persona)}",
                   "X-Correlation-ID": str(correlation)}
        if read.purpose:
            headers["X-Access-Purpose"] = read.purpose
        response = await platform.http.get(read.path, params=read.params, headers=headers)
        assert response.status_code == read.status, (read.label, response.text)

    erase = erasure_step(day, "cedar", platform.token_for)
    correlation = uuid4()
    expected[correlation] = [Expected(erase.persona, "privacy.erase_pupil", erase.pupil_ref)]
    labels[correlation] = erase.label
    erased = await send_http(platform.http, erase, correlation)
    assert erased.http_status == 201, erased.body

    denial = next(c for c, label in labels.items() if label.startswith("DENIED: the provider records"))
    return AuditedDay(day, expected, labels, denial)


async def audit_rows(platform: Platform) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(platform.dsns["audit"])
    try:
        return list(await conn.fetch("SELECT * FROM access_audit ORDER BY seq"))
    finally:
        await conn.close()


# ----------------------------------------------------------------------------- must show: completeness


async def test_every_read_and_write_of_the_day_has_exactly_its_audit_records(
        platform: Platform, audited_day: AuditedDay) -> None:
    rows = await audit_rows(platform)
    by_correlation: dict[UUID, list[asyncpg.Record]] = {}
    for row in rows:
        by_correlation.setdefault(row["correlation_id"], []).append(row)

    # Every row belongs to a step or read of the day; every step and read has exactly its rows.
    assert set(by_correlation) <= set(audited_day.expected), "audit rows no step of the day explains"
    for correlation, wanted in audited_day.expected.items():
        rule_named = any(e.rule_id is not None for e in wanted)
        found = Counter(row_key(r, rule_named) for r in by_correlation.get(correlation, []))
        assert found == Counter(e.key() for e in wanted), audited_day.labels[correlation]

    day = audited_day.day
    outcomes = Counter(s.expect.outcome for s in day.steps)
    reads = reads_of(day)
    assert len(rows) == (outcomes[Outcome.ACCEPTED] + outcomes[Outcome.REJECTED] + outcomes[Outcome.DENIED]
                         + sum(len(r.expected) for r in reads) + 1)
    assert outcomes[Outcome.INVALID] >= 1 and outcomes[Outcome.DENIED] >= 2 and outcomes[Outcome.REJECTED] >= 5
    assert Counter(r["decision"] for r in rows)["denied"] == outcomes[Outcome.DENIED] + sum(
        1 for r in reads for e in r.expected if e.decision == "denied")

    # Purposes are recorded where stated; safeguarding reads name their record class.
    stated = {r["purpose"] for r in rows if r["purpose"]}
    assert {"correcting the record", "review of the concern raised yesterday", "erasure request upheld",
            "subject access request from the parent"} <= stated
    assert {r["record_class"] for r in rows if r["action"] == "incidents.read_safeguarding_detail"} == {
        "safeguarding"}
    # A purpose stated as a category keeps the category apart from its short note.
    assert {(r["purpose_category"], r["purpose"]) for r in rows if r["action"] == "incidents.read_safeguarding_detail"
            and r["decision"] == "allowed"} == {("safeguarding", "review of the concern raised yesterday")}


async def test_no_audit_row_holds_a_payload_or_a_personal_value(platform: Platform,
                                                                audited_day: AuditedDay) -> None:
    conn = await asyncpg.connect(platform.dsns["audit"])
    try:
        columns = [r["column_name"] for r in await conn.fetch(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'access_audit'"
            " ORDER BY ordinal_position")]
    finally:
        await conn.close()
    assert columns == AUDIT_COLUMNS  # identifiers, the decision and its reason: no payload column

    process = await asyncio.create_subprocess_exec(
        "pg_dump", "--no-owner", "--no-privileges", f"--dbname={platform.dsns['audit']}",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    dump, err = await process.communicate()
    assert process.returncode == 0, err.decode(errors="replace")
    day = audited_day.day
    for pupil in day.pupils.values():
        forms = [*pupil.identifying_values(), pupil.display_name.replace(f" {day.run_tag}", ""),
                 pupil.date_of_birth.strftime("%d/%m/%Y")]
        found = [value for value in forms if value.encode() in dump or value.encode().hex().encode() in dump]
        assert not found, f"{pupil.key}: {found}"
        assert str(pupil.pupil_ref).encode() in dump  # the search reads the real rows
    assert day.run_tag.encode() not in dump  # every tagged value (names, contacts, narratives) at once


# ----------------------------------------------------------------------------- must show: tamper evidence


def verify_audit(platform: Platform) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ap_runtime.access", "verify-audit", "--dsn", platform.dsns["audit"],
                           "--heads-topic", platform.heads_topic, "--bootstrap", platform.bootstrap],
                          capture_output=True, text=True, timeout=60, check=False)


async def test_cutting_off_the_newest_audit_records_is_detected_against_the_published_heads(
        platform: Platform, audited_day: AuditedDay) -> None:
    rows = await audit_rows(platform)
    last = rows[-1]["seq"]

    async def anchored() -> bool:  # the services publish the heads of their chains every half second
        out = verify_audit(platform).stdout
        return f"{len(rows)} records" in out and "(0 newer" in out

    await until(anchored, f"published heads to cover every record up to seq {last}", platform)
    cut = [r for r in rows if r["seq"] > last - 3]
    # Each process writes its own chain (issue 11): the newest three may end several chains; the verifier
    # names the first of them (by chain id) at its first missing place.
    chain, first_gone = min((r["chain_id"], r["chain_seq"] or r["seq"]) for r in cut)
    conn = await asyncpg.connect(platform.dsns["audit"])  # the superuser
    try:
        async with conn.transaction():
            await conn.execute("ALTER TABLE access_audit DISABLE TRIGGER access_audit_no_update_delete")
            await conn.execute("DELETE FROM access_audit WHERE seq > $1", last - 3)
            await conn.execute("ALTER TABLE access_audit ENABLE TRIGGER access_audit_no_update_delete")
        truncated = verify_audit(platform)
        assert truncated.returncode == 1, truncated.stdout
        where = f"BROKEN at seq {first_gone}" + (f" of chain {chain!r}" if chain else "")
        assert where in truncated.stderr and "truncated" in truncated.stderr, truncated.stderr
        await conn.copy_records_to_table("access_audit", records=[tuple(r.values()) for r in cut],
                                         columns=list(cut[0].keys()))
    finally:
        await conn.close()
    assert verify_audit(platform).returncode == 0  # put back as it was, for the next test


async def test_the_verifier_detects_an_edited_and_a_deleted_audit_record(platform: Platform,
                                                                         audited_day: AuditedDay) -> None:
    dsn = platform.dsns["audit"]
    rows = await audit_rows(platform)
    intact = verify_audit(platform)
    assert intact.returncode == 0, intact.stderr
    assert f"{len(rows)} records" in intact.stdout

    hidden = next(r for r in rows if r["correlation_id"] == audited_day.denied_correlation)
    conn = await asyncpg.connect(dsn)  # the superuser: the only one who can switch the trigger off
    try:
        with pytest.raises(asyncpg.RaiseError, match="append-only"):
            await conn.execute("UPDATE access_audit SET decision = 'allowed' WHERE seq = $1", hidden["seq"])
        async with conn.transaction():
            await conn.execute("ALTER TABLE access_audit DISABLE TRIGGER access_audit_no_update_delete")
            await conn.execute("UPDATE access_audit SET decision = 'allowed', reason = 'granted'"
                               " WHERE seq = $1", hidden["seq"])
            await conn.execute("ALTER TABLE access_audit ENABLE TRIGGER access_audit_no_update_delete")
        edited = verify_audit(platform)
        assert edited.returncode == 1
        assert f"seq {hidden['seq']}" in edited.stderr + edited.stdout, edited.stderr

        # Put the record back as it was: the chain is whole again; then delete one in the middle.
        async with conn.transaction():
            await conn.execute("ALTER TABLE access_audit DISABLE TRIGGER access_audit_no_update_delete")
            await conn.execute("UPDATE access_audit SET decision = $2, reason = $3 WHERE seq = $1",
                               hidden["seq"], hidden["decision"], hidden["reason"])
            await conn.execute("ALTER TABLE access_audit ENABLE TRIGGER access_audit_no_update_delete")
        restored = verify_audit(platform)
        assert restored.returncode == 0, restored.stderr
        gone_row = rows[len(rows) // 2]
        gone = gone_row["seq"]
        async with conn.transaction():
            await conn.execute("ALTER TABLE access_audit DISABLE TRIGGER access_audit_no_update_delete")
            await conn.execute("DELETE FROM access_audit WHERE seq = $1", gone)
            await conn.execute("ALTER TABLE access_audit ENABLE TRIGGER access_audit_no_update_delete")
    finally:
        await conn.close()
    deleted = verify_audit(platform)
    assert deleted.returncode == 1
    # Named by its place in its chain (each process writes its own chain, issue 11).
    place = gone_row["chain_seq"] or gone
    where = f"BROKEN at seq {place}" + (f" of chain {gone_row['chain_id']!r}" if gone_row["chain_id"] else "")
    assert where in deleted.stderr and f"record {place} is missing" in deleted.stderr, deleted.stderr
