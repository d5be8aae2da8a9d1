"""Incidents events -> relay -> real Kafka -> the alert worker process -> NotificationSent, exactly once.

The incidents events are appended with the real contracts to a real event store whose personal
fields are sealed with a real key store. The worker runs as an OS process
(``python -m ap_notifications.entrypoints.worker``), is SIGKILLed mid-way and restarted, then run
again under a new consumer group so every event is delivered a second time, and finally its read
model is rebuilt from the start of the topic so every alert is decided again. Each expected
notification is recorded once and delivered to the outbox once.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from uuid import uuid4

import asyncpg
import pytest
import pytest_asyncio

from ap_contracts.envelope import Actor
from ap_contracts.events.base import DomainEvent
from ap_contracts.events.privacy import SafeguardingFileOffered
from ap_contracts.events.pupil_vocabulary import PlacementEndReason, ProhibitedItem, Severity
from ap_notifications.adapters.file_outbox import FileOutbox
from ap_notifications.entrypoints.bootstrap import open_services
from ap_notifications.entrypoints.settings import NotificationSettings
from ap_notifications.projections.alerting import AlertingProjection
from ap_runtime.eventstore import EventStore, NewEvent, migrate
from ap_runtime.privacy import KeyStore, PersonalDataCodec
from ap_runtime.projection import ProjectionRunner
from ap_runtime.projection.rebuild import rebuild
from ap_runtime.relay import Relay
from ap_testing.notifications.builders import COMMISSIONER, HOME_SCHOOL, NEW_SCHOOL, PROVISION, Events
from ap_testing.privacy import master_keys_env, random_ring

pytestmark = pytest.mark.fault  # the worker is SIGKILLed mid-way (ap_testing.levels)

ACTOR = Actor(user_id="staff@provision", organisation_id=PROVISION, roles=("provision_staff",))
NewDatabase = Callable[[str], Awaitable[str]]


class Worker:
    """The alert worker as a real OS process."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, **overrides: str) -> Worker:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "ap_notifications.entrypoints.worker"],
            env={**os.environ, **self.env, **overrides}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        return self

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None


@pytest.fixture
def workers() -> Iterator[list[Worker]]:
    started: list[Worker] = []
    yield started
    for worker in started:
        worker.stop()


async def wait_for(check: Callable[[], Awaitable[bool]], timeout: float = 90.0) -> None:  # noqa: ASYNC109
    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.2)


@pytest_asyncio.fixture(loop_scope="session")
async def keys(new_database: NewDatabase) -> AsyncIterator[tuple[KeyStore, str, dict[str, str]]]:
    ring, raw = random_ring("mk-1")
    dsn = await new_database("e2e_notif_keys")
    store = await KeyStore.open(dsn, ring, cache_ttl_seconds=0)
    yield store, dsn, master_keys_env(raw, "mk-1")
    await store.close()


def placement_story(a: Events, b: Events) -> tuple[list[DomainEvent], list[DomainEvent]]:
    """Two pupils' events, in two rounds (before and after the worker is killed)."""
    first = [
        a.started(), a.concern(), a.incident(Severity.SERIOUS), a.incident(Severity.MODERATE), a.intervention(),
        b.started(), b.thresholds(date(2025, 3, 1), Severity.VERY_SERIOUS),
        b.incident(Severity.SERIOUS, on=date(2025, 3, 5)),
    ]
    second = [
        a.search(ProhibitedItem.CONTROLLED_DRUG),
        a.ended(reason=PlacementEndReason.MANAGED_MOVE, destination_id=NEW_SCHOOL),
        b.incident(Severity.CRITICAL, on=date(2025, 3, 6)),
    ]
    return first, second


EXPECTED = sorted([
    ("safeguarding_concern", "home_school", HOME_SCHOOL), ("safeguarding_concern", "dsl", PROVISION),
    ("safeguarding_concern", "dsl", HOME_SCHOOL),
    ("incident_at_threshold", "home_school", HOME_SCHOOL), ("incident_at_threshold", "commissioner", COMMISSIONER),
    ("physical_intervention", "home_school", HOME_SCHOOL),
    ("physical_intervention_parents", "parent", HOME_SCHOOL),  # issue 14: parents told the same day
    ("prohibited_items_found", "home_school", HOME_SCHOOL), ("drug_or_weapon_found", "dsl", PROVISION),
    ("drug_or_weapon_found", "dsl", HOME_SCHOOL),
    ("placement_ended", "home_school", HOME_SCHOOL), ("safeguarding_file_offered", "dsl", NEW_SCHOOL),
    # pupil b: the SERIOUS incident came after the threshold was raised; only the CRITICAL one alerts
    ("incident_at_threshold", "home_school", HOME_SCHOOL), ("incident_at_threshold", "commissioner", COMMISSIONER),
])


async def append(store: EventStore, events: list[DomainEvent]) -> None:
    for event in events:
        stream = f"pupil-{event.pii_subject()}"
        version = await store.stream_version(stream)
        record_id = getattr(event, "record_id")
        await store.append(stream, version, [NewEvent(event, ACTOR, PROVISION, uuid4(), event_id=record_id,
                                                      occurred_at=datetime(2025, 3, 14, 16, tzinfo=UTC))])


async def sent_rows(pool: asyncpg.Pool) -> list[asyncpg.Record]:
    return await pool.fetch(
        "SELECT payload->>'rule_name' AS rule, payload->>'audience' AS audience,"
        " payload->>'recipient_organisation_id' AS recipient, payload->>'notification_id' AS id,"
        " payload->>'cause_event_id' AS cause FROM events WHERE event_type = 'NotificationSent'"
    )


async def duplicates_seen(pool: asyncpg.Pool) -> int:
    try:
        value = await pool.fetchval(
            "SELECT coalesce(sum(duplicates), 0) FROM public.projection_status WHERE name = 'notification_alerts'")
    except asyncpg.UndefinedTableError:
        return 0
    return int(value)


async def test_each_alert_is_recorded_and_delivered_once_through_kills_redelivery_and_rebuild(
    new_database: NewDatabase, new_topic: Callable[..., Awaitable[str]], kafka_bootstrap: str,
    keys: tuple[KeyStore, str, dict[str, str]], tmp_path: Path, workers: list[Worker],
) -> None:
    keystore, keys_dsn, key_env = keys
    codec = PersonalDataCodec(keystore)
    incidents_pool = await asyncpg.create_pool(await new_database("e2e_notif_incidents"), min_size=2, max_size=6)
    notif_dsn = await new_database("e2e_notif")
    notif_pool = await asyncpg.create_pool(notif_dsn, min_size=1, max_size=4)
    await migrate(incidents_pool)
    incidents = EventStore(incidents_pool, codec)
    topic = await new_topic("e2e-notif-incidents")
    inbox_topic = await new_topic("e2e-notif-inbox")
    outbox = tmp_path / "outbox"
    env = {
        "AP_DSN_AP_NOTIFICATIONS": notif_dsn, "AP_DSN_AP_KEYS": keys_dsn, "AP_KEY_CACHE_TTL_SECONDS": "0",
        "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap, "AP_NOTIFY_INCIDENTS_TOPIC": topic,
        "AP_NOTIFY_NOTIFICATIONS_TOPIC": inbox_topic, "AP_NOTIFY_GROUP_PREFIX": f"e2e-{uuid4().hex[:8]}",
        "AP_NOTIFY_OUTBOX_DIR": str(outbox), "AP_LOG_LEVEL": "WARNING", **key_env,
    }
    stop_relay = asyncio.Event()
    relay = asyncio.create_task(
        Relay(incidents_pool, kafka_bootstrap, "e2e-notif-relay", topic_override=topic).run(stop_relay))
    a, b = Events(), Events()
    first, second = placement_story(a, b)
    try:
        worker = Worker(env).start()
        workers.append(worker)
        await append(incidents, first)
        await wait_for(lambda: _count_is(notif_pool, 6))
        worker.kill()

        await append(incidents, second)
        worker = Worker(env).start()
        workers.append(worker)
        await wait_for(lambda: _count_is(notif_pool, len(EXPECTED)))
        worker.stop()

        # Every event delivered again to a new consumer group: the runner skips what it applied.
        before = await duplicates_seen(notif_pool)
        again = Worker(env).start(AP_NOTIFY_GROUP_PREFIX=f"e2e-again-{uuid4().hex[:8]}")
        workers.append(again)
        total = len(first) + len(second)
        await wait_for(lambda: _at_least(duplicates_seen(notif_pool), before + total))
        again.stop()

        # The read model rebuilt from offset 0: every alert is decided again, none recorded again.
        settings = NotificationSettings(dsn=notif_dsn, kafka_bootstrap=kafka_bootstrap, outbox_dir=outbox)
        services = await open_services(settings, codec=codec, delivery=FileOutbox(outbox))
        try:
            projection = AlertingProjection(services.dispatcher, services.transfers, services.book, topics=(topic,),
                                            codec=services.codec)
            runner = ProjectionRunner(projection, services.pool, kafka_bootstrap, group_id=f"rebuild-{uuid4().hex}")
            await runner.start()
            try:
                await rebuild(runner, services.pool, kafka_bootstrap, show_progress=False)
            finally:
                await runner.stop()
            assert runner.applied == total
        finally:
            await services.close()
    finally:
        stop_relay.set()
        await relay

    rows = await sent_rows(notif_pool)
    assert sorted((r["rule"], r["audience"], r["recipient"]) for r in rows) == EXPECTED
    assert len({r["id"] for r in rows}) == len(EXPECTED)
    assert len({(r["cause"], r["rule"], r["audience"], r["recipient"]) for r in rows}) == len(EXPECTED)
    assert sorted(p.name for p in outbox.iterdir() if not p.name.startswith(".")) == sorted(
        f"{r['id']}.json" for r in rows)
    offers = await notif_pool.fetch("SELECT payload FROM events WHERE event_type = 'SafeguardingFileOffered'")
    assert len(offers) == 1
    offered = SafeguardingFileOffered.model_validate_json(offers[0]["payload"])
    assert (offered.pupil_ref, offered.to_organisation_id, offered.due_by) == (a.pupil_ref, NEW_SCHOOL,
                                                                              date(2025, 3, 21))
    await incidents_pool.close()
    await notif_pool.close()


async def _count_is(pool: asyncpg.Pool, expected: int) -> bool:
    try:
        return len(await sent_rows(pool)) >= expected
    except asyncpg.UndefinedTableError:
        return False


async def _at_least(value: Awaitable[int], expected: int) -> bool:
    return await value >= expected
