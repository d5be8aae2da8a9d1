"""Issue 14's scripted fortnight: two provisions, three home schools, alerts to a local SMTP server.

Shared by the e2e test (``tests/test_e2e_alerts_fortnight.py``) and the fault test
(``tests/test_fault_alerts_fortnight.py``). Facts are appended day by day, with the day they were recorded,
to a real incidents event store; the relay publishes them to a real Kafka topic; the notifications worker runs
as an OS process delivering by SMTP (``AP_NOTIFY_DELIVERY=smtp``) with a digest schedule; the escalation and
digest checks run as processes with a chosen ``--now``. Nothing waits for wall time to pass.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from uuid import uuid4
from zoneinfo import ZoneInfo

import asyncpg

from ap_contracts.envelope import Actor, OrgKind
from ap_contracts.events.base import DomainEvent
from ap_contracts.events.notifications import EscalationRole
from ap_contracts.events.pupil_vocabulary import Severity
from ap_notifications.domain.commands import SetEscalationChain
from ap_notifications.entrypoints.bootstrap import open_services
from ap_notifications.entrypoints.settings import NotificationSettings
from ap_runtime.access import Principal, Role
from ap_runtime.eventstore import EventStore, NewEvent, migrate
from ap_runtime.privacy import KeyStore, PersonalDataCodec
from ap_runtime.projection import read_model
from ap_runtime.relay import Relay
from ap_testing.notifications.builders import COMMISSIONER, HOME_SCHOOL, NEW_SCHOOL, PROVISION, Events
from ap_testing.privacy import master_keys_env, random_ring
from ap_testing.processes import PlatformProcess, processes_report, wait_for_platform
from ap_testing.smtp_server import LocalSmtpServer, Mail

NORTH, SOUTH = PROVISION, "provision-south"
HOME_1, HOME_2, HOME_3 = HOME_SCHOOL, "school-home-2", "school-home-3"
ORGANISATIONS = (NORTH, SOUTH, HOME_1, HOME_2, HOME_3, COMMISSIONER, NEW_SCHOOL)
FIRST_DAY = date(2025, 3, 3)  # Monday of week 1; the fortnight ends on Friday 14 March
# The chain HOME_2's head set (POST /v1/organisations/{id}/escalation-chain): a safeguarding alert passes
# over the senior leader and goes to the DSL, then the deputy DSL, then the head.
HOME_2_CHAIN = (EscalationRole.SENIOR_LEADER, EscalationRole.DSL, EscalationRole.DEPUTY_DSL, EscalationRole.HEAD)
ESCALATION_DEADLINE = timedelta(minutes=30)  # the default escalation rule book's deadline for an urgent alert


def schedule(now: datetime) -> dict[str, object]:
    """Digests daily at a time 12 hours from ``now`` (London), so every alert of the run falls into one digest
    whenever the test runs; quiet hours off, so what a parent receives does not depend on the time either."""
    at = (now.astimezone(ZoneInfo("Europe/London")) + timedelta(hours=12)).time().replace(microsecond=0)
    return {"version": "fortnight-test-1", "digest_time": at.isoformat(), "zone": "Europe/London",
            "quiet_hours": None}


def address(organisation: str, role: str) -> str:
    return f"{role}@{organisation}.test"


def directory() -> dict[str, dict[str, str]]:
    """Every organisation's office (default), and the roles a message may name, each its own address."""
    roles = ("default", "dsl", "deputy_dsl", "head", "senior_leader", "parent", "pastoral_lead")
    return {org: {role: address(org, role) for role in roles} for org in ORGANISATIONS}


@dataclass(frozen=True, slots=True)
class Pupils:
    """a: North, placed by HOME_1; b: South, placed by HOME_2 (looked after); c: North, placed by HOME_3."""

    a: Events = field(default_factory=Events)
    b: Events = field(default_factory=Events)
    c: Events = field(default_factory=Events)


def day(n: int) -> date:
    """School day n of the fortnight (1-10), weekends skipped."""
    return FIRST_DAY + timedelta(days=(n - 1) + 2 * ((n - 1) // 5))


Day = tuple[date, list[DomainEvent]]


def the_fortnight(p: Pupils) -> list[Day]:
    """Each school day's facts, as the provisions record them."""
    review = date(2025, 4, 28)  # no review falls due in the fortnight
    return [
        (day(1), [p.a.started(provision_id=NORTH, home_school_id=HOME_1, start_date=day(1), planned_review_date=review),
                  p.b.started(provision_id=SOUTH, home_school_id=HOME_2, start_date=day(1), planned_review_date=review),
                  p.c.started(provision_id=NORTH, home_school_id=HOME_3, start_date=day(1),
                              planned_review_date=review)]),
        (day(2), [p.a.incident(Severity.MODERATE, on=day(2))]),  # below a's threshold (serious): nothing
        (day(3), [p.a.incident(Severity.SERIOUS, on=day(3))]),  # at a's threshold
        (day(4), [p.b.thresholds(day(4), Severity.VERY_SERIOUS)]),
        (day(5), [p.b.incident(Severity.SERIOUS, on=day(5))]),  # below b's raised threshold: nothing
        (day(6), [p.b.concern(immediate_risk=True)]),  # urgent; nobody acknowledges it
        (day(7), [p.c.intervention(), p.b.incident(Severity.SERIOUS, on=day(7))]),  # b's second: no alert
        # b's third serious incident in 10 school days: still below b's threshold, but an early-warning flag.
        (day(9), [p.c.incident(Severity.CRITICAL, on=day(9)), p.b.incident(Severity.SERIOUS, on=day(9))]),
        (day(10), [p.a.ended(end_date=day(10), destination_id=NEW_SCHOOL)]),
    ]


SCHOOL_2_SAFEGUARDING = "safeguarding_concern/home_school"
DSLS_SAFEGUARDING = "safeguarding_concern/dsl"

# Each address's messages, in the order they arrive, and why:
EXPECTED = {
    # a's serious incident (day 3, a's threshold serious: normal priority) waits for the digest; c's critical one
    # (day 9, two levels above c's threshold: high) goes at once. The commissioner placed all three pupils.
    address(COMMISSIONER, "default"): ["incident_at_threshold/commissioner", "digest: 1 alert"],
    # a's incident at threshold and a's placement ended (day 10): both normal, one digest.
    address(HOME_1, "default"): ["digest: 2 alerts"],
    # b's urgent concern (day 6) at once to the home school's office and to both DSLs.
    address(HOME_2, "default"): [SCHOOL_2_SAFEGUARDING],
    address(SOUTH, "dsl"): [DSLS_SAFEGUARDING],  # South set no chain: nothing escalates there
    # Nobody acknowledges it: HOME_2's chain (senior leader, DSL, deputy DSL, head; a safeguarding alert passes
    # over the senior leader) takes each alert up one step per deadline; the DSL's own alert starts at the deputy.
    address(HOME_2, "dsl"): [DSLS_SAFEGUARDING, f"{SCHOOL_2_SAFEGUARDING}: escalation 1"],
    address(HOME_2, "deputy_dsl"): [f"{DSLS_SAFEGUARDING}: escalation 1", f"{SCHOOL_2_SAFEGUARDING}: escalation 2"],
    address(HOME_2, "head"): [f"{DSLS_SAFEGUARDING}: escalation 2", f"{SCHOOL_2_SAFEGUARDING}: escalation 3"],
    # c's physical intervention (day 7, high) to the home school and, through it, the parents; c's critical
    # incident (day 9) to the home school.
    address(HOME_3, "default"): ["physical_intervention/home_school", "incident_at_threshold/home_school"],
    address(HOME_3, "parent"): ["physical_intervention_parents/parent"],
    # b's serious incidents of days 5, 7 and 9 (three of severity 3 or more in 10 school days, early-warning-2026.1)
    # raise the severe_incidents flag: to HOME_2's pastoral lead and to South (normal priority: in the digest).
    address(HOME_2, "pastoral_lead"): ["digest: 1 alert"],
    address(SOUTH, "default"): ["digest: 1 alert"],
    # a's managed move (day 10) to the new school: the safeguarding file is offered to its DSL.
    address(NEW_SCHOOL, "dsl"): ["safeguarding_file_offered/dsl"],
}
# No message at all for: North's office (no rule tells a provision of its own records), a's moderate incident
# (day 2, below serious), b's serious incidents one by one (days 5, 7, 9: b's threshold was raised to very
# serious on day 4), the placements starting (day 1), the South DSL's alert (no chain: no escalation). No other
# early-warning flag: a and c have fewer than three severe incidents and no marks are recorded.


ACTOR = Actor(user_id="staff@provision", organisation_id=NORTH, roles=("provision_staff",))


async def append_day(store: EventStore, on: date, events: list[DomainEvent]) -> None:
    """The day's facts, each recorded at 15:00 UTC of that day by the pupil's provision."""
    for event in events:
        stream = f"pupil-{event.pii_subject()}"
        version = await store.stream_version(stream)
        await store.append(stream, version, [NewEvent(
            event, ACTOR, NORTH, uuid4(), event_id=getattr(event, "record_id"),  # noqa: B009  # DomainEvent names no record_id
            occurred_at=datetime(on.year, on.month, on.day, 15, tzinfo=UTC))])


@dataclass(frozen=True, slots=True)
class Sent:
    """A NotificationSent as stored: what the label of a message is made of."""

    notification_id: str
    rule: str
    audience: str
    recipient: str
    priority: str | None
    cause: str
    sent_at: datetime


async def notifications_sent(pool: asyncpg.Pool) -> list[Sent]:
    try:
        rows = await pool.fetch(
            "SELECT payload->>'notification_id' AS id, payload->>'rule_name' AS rule, payload->>'audience' AS audience,"
            " payload->>'recipient_organisation_id' AS recipient, payload->>'priority' AS priority,"
            " payload->>'cause_event_id' AS cause, occurred_at"
            " FROM events WHERE event_type = 'NotificationSent' ORDER BY position")
    except asyncpg.UndefinedTableError:
        return []
    return [Sent(r["id"], r["rule"], r["audience"], r["recipient"], r["priority"], r["cause"],
                 r["occurred_at"]) for r in rows]


async def escalation_steps(pool: asyncpg.Pool) -> dict[str, tuple[str, int, str]]:
    """message id -> (the escalated notification id, step, role)."""
    rows = await pool.fetch("SELECT payload FROM events WHERE event_type = 'AlertEscalated'")
    steps = [json.loads(r["payload"]) for r in rows]
    return {s["message_id"]: (s["notification_id"], s["step"], s["recipient_role"]) for s in steps}


def message_uuid(mail: Mail) -> str:
    return mail.message_id.strip("<>").split("@", 1)[0]


async def labelled(pool: asyncpg.Pool, mails: list[Mail]) -> dict[str, list[str]]:
    """Each address's messages, in the order they reached it, as 'rule/audience' (an alert),
    'rule/audience: escalation n' (a step) or 'digest: k alerts'."""
    sent = {s.notification_id: s for s in await notifications_sent(pool)}
    steps = await escalation_steps(pool)
    boxes: dict[str, list[str]] = {}
    for mail in mails:
        key = message_uuid(mail)
        if key in sent:
            label = f"{sent[key].rule}/{sent[key].audience}"
        elif key in steps:
            of, step, _role = steps[key]
            label = f"{sent[of].rule}/{sent[of].audience}: escalation {step}"
        else:
            label = mail.subject.lower().replace("daily ", "")
        boxes.setdefault(mail.to, []).append(label)
    return boxes


async def run_check(module: str, env: dict[str, str], now: datetime) -> str:
    """A periodic check as the CronJob runs it, with ``--now``."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", f"ap_notifications.entrypoints.{module}", "--now", now.isoformat(),
        env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    out, _ = await process.communicate()
    assert process.returncode == 0, out.decode()
    return out.decode()


async def until(check: Callable[[], Awaitable[bool]], what: str, processes: list[PlatformProcess],
                seconds: float = 60.0) -> None:
    await wait_for_platform(check, what, processes, seconds=seconds)


def worker_env(base: dict[str, str], smtp: LocalSmtpServer, files: Path) -> dict[str, str]:
    """The worker's environment: SMTP delivery to the local server, the directory and the schedule as files."""
    recipients, schedule_file = files / "recipients.json", files / "schedule.json"
    recipients.write_text(json.dumps(directory()), encoding="utf-8")
    schedule_file.write_text(json.dumps(schedule(datetime.now(UTC))), encoding="utf-8")
    return {**base, "AP_NOTIFY_DELIVERY": "smtp", "AP_NOTIFY_SMTP_HOST": smtp.host,
            "AP_NOTIFY_SMTP_PORT": str(smtp.port), "AP_NOTIFY_RECIPIENTS_FILE": str(recipients),
            "AP_NOTIFY_SCHEDULE_FILE": str(schedule_file)}


async def processed_event_ids(pool: asyncpg.Pool, projection: str = "notification_alerts") -> set[str]:
    """The incidents events the alert worker's read model has committed as applied."""
    try:
        async with read_model(pool, projection) as conn:
            return {str(r["event_id"]) for r in await conn.fetch("SELECT event_id FROM processed_events")}
    except (LookupError, asyncpg.UndefinedTableError):
        return set()


@dataclass
class Stage:
    """The fortnight's servers and processes: incidents store, relay, SMTP server, worker, checks."""

    store: EventStore
    pool: asyncpg.Pool  # the notifications database
    env: dict[str, str]  # every notifications process's environment
    smtp: LocalSmtpServer
    logs: Path
    workers: list[PlatformProcess] = field(default_factory=list)

    def start_worker(self) -> PlatformProcess:
        worker = PlatformProcess(f"worker-{len(self.workers)}", ["-m", "ap_notifications.entrypoints.worker"],
                                 self.env, self.logs)
        self.workers.append(worker)
        return worker

    @property
    def worker(self) -> PlatformProcess:
        return self.workers[-1]

    async def record_day(self, on: date, events: list[DomainEvent], *, wait: bool = True) -> None:
        """The day's facts recorded; with ``wait``, until the worker has applied them all."""
        await append_day(self.store, on, events)
        if wait:
            await self.applied(events)

    async def applied(self, events: list[DomainEvent], seconds: float = 60.0) -> None:
        """Until the alert projection and the early-warning trends projection have both applied ``events``."""
        ids = {str(getattr(e, "record_id")) for e in events}  # noqa: B009

        async def all_applied() -> bool:
            return ids <= await processed_event_ids(self.pool) and ids <= await processed_event_ids(
                self.pool, "notification_trends")

        await until(all_applied, f"{len(ids)} event(s) applied", [self.worker], seconds)

    async def check(self, module: str, now: datetime) -> str:
        return await run_check(module, {**os.environ, **self.env}, now)


@asynccontextmanager
async def open_stage(new_database: Callable[[str], Awaitable[str]], new_topic: Callable[..., Awaitable[str]],
                     kafka_bootstrap: str) -> AsyncIterator[Stage]:
    """Databases, topics, keys, the relay, the SMTP server and HOME_2's escalation chain; no worker yet."""
    ring, raw = random_ring("mk-fortnight")
    keys_dsn = await new_database("fortnight_keys")
    keys = await KeyStore.open(keys_dsn, ring, cache_ttl_seconds=0)
    incidents_pool = await asyncpg.create_pool(await new_database("fortnight_incidents"), min_size=1, max_size=4)
    await migrate(incidents_pool)
    notif_dsn = await new_database("fortnight_notif")
    topic, inbox = await new_topic("fortnight-incidents"), await new_topic("fortnight-inbox")
    logs = Path(tempfile.mkdtemp(prefix="alerts-fortnight-"))
    smtp = await LocalSmtpServer().start()
    env = worker_env({
        "AP_DSN_AP_NOTIFICATIONS": notif_dsn, "AP_DSN_AP_KEYS": keys_dsn, "AP_KEY_CACHE_TTL_SECONDS": "0",
        "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap, "AP_NOTIFY_INCIDENTS_TOPIC": topic,
        "AP_NOTIFY_NOTIFICATIONS_TOPIC": inbox, "AP_NOTIFY_GROUP_PREFIX": f"fortnight-{uuid4().hex[:8]}",
        "AP_NOTIFY_OUTBOX_DIR": str(logs / "outbox"), "AP_LOG_LEVEL": "WARNING",
        **master_keys_env(raw, "mk-fortnight")}, smtp, logs)
    codec = PersonalDataCodec(keys)
    # HOME_2's head sets the chain (the API's handler; the HTTP route is tested in services/notifications).
    services = await open_services(NotificationSettings(dsn=notif_dsn, kafka_bootstrap=kafka_bootstrap,
                                                        outbox_dir=logs / "outbox"), codec=codec)
    head = Principal(f"head@{HOME_2}", HOME_2, OrgKind.HOME_SCHOOL, frozenset({Role.HOME_SCHOOL_HEAD}))
    await services.escalation.set_chain(SetEscalationChain(HOME_2, HOME_2_CHAIN, f"head@{HOME_2}"), head,
                                        uuid4(), uuid4())
    await services.close()
    notif_pool = await asyncpg.create_pool(notif_dsn, min_size=1, max_size=3)
    stop_relay = asyncio.Event()
    relay = asyncio.create_task(Relay(incidents_pool, kafka_bootstrap, "fortnight-relay",
                                      topic_override=topic).run(stop_relay))
    stage = Stage(EventStore(incidents_pool, codec), notif_pool, env, smtp, logs)
    try:
        yield stage
    finally:
        stop_relay.set()
        await relay
        for worker in stage.workers:
            worker.stop()
        await smtp.stop()
        await notif_pool.close()
        await incidents_pool.close()
        await keys.close()


def report(stage: Stage) -> str:
    return processes_report(stage.workers)
