"""Two notifications workers in one consumer group, one SIGKILLed while incidents events flow (issue 11).

Real processes on the real servers: two alert workers (``python -m ap_notifications.entrypoints.worker``)
share the incidents topic's partitions as one consumer group; the incidents events are appended to a
real event store and published by a relay. At a seeded random point (the seed is printed;
``AP_FAULT_SEED`` replays it) one of the two, chosen by the seed, is SIGKILLed and the other takes
over its partitions while the rest of the events arrive.

What is guaranteed, and so what is checked:
- Decided and recorded exactly once: each alert's ``NotificationSent`` carries a command id derived
  from (cause event, rule, audience, recipient), so an event applied again after the kill (its batch
  was not committed) or by both workers around the rebalance records nothing new: one
  ``NotificationSent`` per (cause, rule, audience, recipient), and each incidents event is in the
  alerting read model's ``processed_events`` once.
- Delivered at least once: the delivery ledger is written after the outbox file, so a crash between
  the two delivers that notification again. The file outbox names its file by the notification id
  and replaces it atomically, so a repeat rewrites the same file: exactly one file per notification,
  and nothing else in the outbox but the temporary file a kill mid-write can leave (``.tmp-*``, never
  collected). Email has no such file: a repeat is a second message carrying the same Message-ID.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import tempfile
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from uuid import uuid4

import asyncpg
import pytest
import pytest_asyncio
from aiokafka.admin import AIOKafkaAdminClient

from ap_contracts.envelope import Actor
from ap_contracts.events.base import DomainEvent
from ap_contracts.events.pupil_vocabulary import Severity
from ap_runtime.eventstore import EventStore, NewEvent, migrate
from ap_runtime.kafka import client_security
from ap_runtime.privacy import KeyStore, PersonalDataCodec
from ap_runtime.projection import read_model
from ap_runtime.relay import Relay
from ap_testing.notifications.builders import COMMISSIONER, HOME_SCHOOL, PROVISION, Events
from ap_testing.privacy import master_keys_env, random_ring
from ap_testing.processes import PlatformProcess, processes_report, wait_for_platform

pytestmark = pytest.mark.fault  # a worker is SIGKILLed mid-way (ap_testing.levels)

ACTOR = Actor(user_id="staff@provision", organisation_id=PROVISION, roles=("provision_staff",))
NewDatabase = Callable[[str], Awaitable[str]]
ALERTING = "notification_alerts"  # AlertingProjection.name: its read model and consumer group suffix

# One pupil's story and the alerts it raises (rule, audience, recipient): a safeguarding concern to
# the home school and both DSLs, a SERIOUS incident at the agreed SERIOUS threshold to the home school
# and the commissioner, a physical intervention to the home school and (through it) the parents.
PER_PUPIL = sorted([
    ("safeguarding_concern", "home_school", HOME_SCHOOL), ("safeguarding_concern", "dsl", PROVISION),
    ("safeguarding_concern", "dsl", HOME_SCHOOL),
    ("incident_at_threshold", "home_school", HOME_SCHOOL), ("incident_at_threshold", "commissioner", COMMISSIONER),
    ("physical_intervention", "home_school", HOME_SCHOOL),
    ("physical_intervention_parents", "parent", HOME_SCHOOL),  # issue 14: parents told the same day
])


def story(pupil: Events) -> list[DomainEvent]:
    return [pupil.started(), pupil.concern(), pupil.incident(Severity.SERIOUS), pupil.intervention()]


@pytest_asyncio.fixture(loop_scope="session")
async def keys(new_database: NewDatabase) -> AsyncIterator[tuple[KeyStore, str, dict[str, str]]]:
    ring, raw = random_ring("mk-workers")
    dsn = await new_database("fault_workers_keys")
    store = await KeyStore.open(dsn, ring, cache_ttl_seconds=0)
    yield store, dsn, master_keys_env(raw, "mk-workers")
    await store.close()


async def append_stories(store: EventStore, pupils: list[Events]) -> int:
    """Each pupil's story in its own stream, the pupils concurrently (as several provisions would)."""
    async def one(pupil: Events) -> None:
        stream = f"pupil-{pupil.pupil_ref}"
        for version, event in enumerate(story(pupil)):
            await store.append(stream, version, [NewEvent(event, ACTOR, PROVISION, uuid4(),
                                                          event_id=getattr(event, "record_id"),
                                                          occurred_at=datetime(2025, 3, 14, 16, tzinfo=UTC))])
            await asyncio.sleep(0.02)

    await asyncio.gather(*(one(p) for p in pupils))
    return sum(len(story(p)) for p in pupils)


async def sent_rows(pool: asyncpg.Pool) -> list[asyncpg.Record]:
    try:
        return await pool.fetch(
            "SELECT payload->>'rule_name' AS rule, payload->>'audience' AS audience,"
            " payload->>'recipient_organisation_id' AS recipient, payload->>'notification_id' AS id,"
            " payload->>'cause_event_id' AS cause FROM events WHERE event_type = 'NotificationSent'")
    except asyncpg.UndefinedTableError:
        return []


async def processed(pool: asyncpg.Pool) -> list[str]:
    """The incidents events the alerting read model has committed as applied (one row per event id)."""
    try:
        async with read_model(pool, ALERTING) as conn:
            return [str(r["event_id"]) for r in await conn.fetch("SELECT event_id FROM processed_events")]
    except (LookupError, asyncpg.UndefinedTableError):
        return []


async def group_members(bootstrap: str, group: str) -> int:
    """How many consumers a stable consumer group has (0 while it rebalances or before it exists)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, **client_security())
    await admin.start()
    try:
        response = (await admin.describe_consumer_groups([group]))[0]
    finally:
        await admin.close()
    _error, _group, state, _protocol_type, _protocol, members, *_ = response.groups[0]
    return len(members) if state == "Stable" else 0


async def test_two_workers_one_killed_record_each_alert_once_and_deliver_it_to_one_file(
    new_database: NewDatabase, new_topic: Callable[..., Awaitable[str]], kafka_bootstrap: str,
    keys: tuple[KeyStore, str, dict[str, str]],
) -> None:
    seed = int(os.environ.get("AP_FAULT_SEED") or random.randrange(1_000_000))
    print(f"notifications workers fault test seed: {seed} (AP_FAULT_SEED={seed} replays it)")
    rng = random.Random(seed)
    first = [Events() for _ in range(rng.randint(6, 10))]
    second = [Events() for _ in range(rng.randint(6, 10))]
    kill_after = rng.randint(len(PER_PUPIL), len(PER_PUPIL) * len(first) - 1)  # alerts recorded before the kill
    victim_index = rng.randrange(2)

    keystore, keys_dsn, key_env = keys
    incidents_pool = await asyncpg.create_pool(await new_database("fault_workers_incidents"), min_size=2, max_size=8)
    notif_dsn = await new_database("fault_workers_notif")
    notif_pool = await asyncpg.create_pool(notif_dsn, min_size=1, max_size=4)
    await migrate(incidents_pool)
    incidents = EventStore(incidents_pool, PersonalDataCodec(keystore))
    topic = await new_topic("fault-workers-incidents", partitions=6)
    inbox_topic = await new_topic("fault-workers-inbox")
    logs = Path(tempfile.mkdtemp(prefix="fault-notif-workers-"))
    outbox = logs / "outbox"
    prefix = f"fault-workers-{uuid4().hex[:8]}"
    env = {
        "AP_DSN_AP_NOTIFICATIONS": notif_dsn, "AP_DSN_AP_KEYS": keys_dsn, "AP_KEY_CACHE_TTL_SECONDS": "0",
        "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap, "AP_NOTIFY_INCIDENTS_TOPIC": topic,
        "AP_NOTIFY_NOTIFICATIONS_TOPIC": inbox_topic, "AP_NOTIFY_GROUP_PREFIX": prefix,
        "AP_NOTIFY_OUTBOX_DIR": str(outbox), "AP_LOG_LEVEL": "WARNING", **key_env,
    }
    workers = [PlatformProcess(f"worker-{i}", ["-m", "ap_notifications.entrypoints.worker"], env, logs)
               for i in range(2)]
    stop_relay = asyncio.Event()
    relay = asyncio.create_task(Relay(incidents_pool, kafka_bootstrap, "fault-workers-relay",
                                      topic_override=topic).run(stop_relay))
    try:
        async def both_in_the_group() -> bool:
            return await group_members(kafka_bootstrap, f"{prefix}.{ALERTING}") == 2

        await wait_for_platform(both_in_the_group, "both workers to share the alerting group", workers)
        writing = asyncio.create_task(append_stories(incidents, first))

        async def alerts_at_least(count: int) -> bool:
            return len(await sent_rows(notif_pool)) >= count

        await wait_for_platform(lambda: alerts_at_least(kill_after), f"{kill_after} alerts", workers)
        victim, survivor = workers[victim_index], workers[1 - victim_index]
        os.kill(victim.popen.pid, signal.SIGKILL)  # mid-way: the first pupils' events still arriving
        assert victim.popen.wait(10) == -signal.SIGKILL
        total = await writing + await append_stories(incidents, second)
        expected_alerts = len(PER_PUPIL) * (len(first) + len(second))

        await wait_for_platform(lambda: alerts_at_least(expected_alerts), "every alert", [survivor], seconds=120)

        async def all_processed() -> bool:
            return len(await processed(notif_pool)) >= total

        await wait_for_platform(all_processed, "every incidents event applied", [survivor], seconds=60)
        await asyncio.sleep(2.0)  # anything redelivered after the rebalance has had time to arrive
    finally:
        stop_relay.set()
        await relay
        for worker in workers:
            worker.stop()
    report = f"seed {seed}\n{processes_report(workers)}"

    applied = await processed(notif_pool)
    assert len(applied) == len(set(applied)) == total, report
    rows = await sent_rows(notif_pool)
    per_alert = Counter((r["cause"], r["rule"], r["audience"], r["recipient"]) for r in rows)
    assert [key for key, n in per_alert.items() if n != 1] == [], report
    assert sorted((r["rule"], r["audience"], r["recipient"]) for r in rows) == sorted(
        PER_PUPIL * (len(first) + len(second))), report
    ids = {r["id"] for r in rows}
    assert len(ids) == len(rows) == expected_alerts, report

    # Delivered at least once, to exactly one file per notification (a repeat rewrote the same file).
    files = {p.name for p in outbox.iterdir() if not p.name.startswith(".tmp-")}
    assert files == {f"{i}.json" for i in ids}, report
    assert {json.loads((outbox / name).read_text())["notification_id"] for name in files} == ids
    ledger = await notif_pool.fetch("SELECT notification_id::text AS id, attempts FROM notification_deliveries"
                                    " WHERE delivered_at IS NOT NULL")
    assert {r["id"] for r in ledger} == ids, report
    repeats = sum(r["attempts"] - 1 for r in ledger)
    print(f"deliveries repeated after the kill (same file rewritten): {repeats}")
    await incidents_pool.close()
    await notif_pool.close()
