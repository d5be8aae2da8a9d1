"""Every projection of the platform is rebuildable from the operator CLI, on any topic.

Rule served: read models are disposable: an operator rebuilds any of them from its topics with
``ap projections rebuild <name>`` (``--topic`` to read other topics, ``--dsn`` another database),
including the notification alert projections, whose constructors need the service's dispatcher,
transfers and rule book (built from the environment by the service's projection catalogue).
Run as an OS process (the installed ``ap``), on the real Kafka and PostgreSQL.
"""

from __future__ import annotations

import asyncio
import importlib
import os
import pkgutil
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from uuid import uuid4

import asyncpg
import pytest

from ap_contracts.envelope import Actor
from ap_contracts.events.base import DomainEvent
from ap_contracts.events.pupil_vocabulary import Severity
from ap_runtime.eventstore import EventStore, NewEvent, migrate
from ap_runtime.privacy import KeyStore, PersonalDataCodec
from ap_runtime.privacy.masterkeys import MasterKeyRing
from ap_runtime.projection.base import Projection
from ap_runtime.projection.registry import registered_projections
from ap_runtime.relay import Relay
from ap_testing.notifications.builders import PROVISION, Events
from ap_testing.privacy import master_keys_env, random_ring

NewDatabase = Callable[[str], Awaitable[str]]
AP = str(Path(sys.executable).with_name("ap"))
SERVICE_PACKAGES = ("ap_incidents", "ap_finance", "ap_notifications", "ap_reporting", "ap_commissioning")
ACTOR = Actor(user_id="staff@provision", organisation_id=PROVISION, roles=("provision_staff",))


def _projection_classes() -> set[type[Projection]]:
    for package_name in SERVICE_PACKAGES:
        package = importlib.import_module(package_name)
        for module in pkgutil.walk_packages(package.__path__, f"{package_name}."):
            if ".tests" not in module.name and not module.name.endswith("__main__"):
                importlib.import_module(module.name)
    found: set[type[Projection]] = set()
    todo = list(Projection.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.split(".")[0] in SERVICE_PACKAGES and "name" in vars(cls):
            found.add(cls)
    return found


def test_every_projection_of_every_service_is_registered_for_the_cli() -> None:
    declared = {cls.name for cls in _projection_classes()}
    assert declared, "the search finds the services' projections"
    assert set(registered_projections()) == declared


async def _ap(env: dict[str, str], *args: str) -> tuple[int, str]:
    wide = {**os.environ, "COLUMNS": "250", **env}  # rich fits tables to the terminal: keep names whole
    process = await asyncio.create_subprocess_exec(AP, "projections", *args, env=wide,
                                                   stdout=asyncio.subprocess.PIPE,
                                                   stderr=asyncio.subprocess.STDOUT)
    out, _ = await asyncio.wait_for(process.communicate(), 180)
    return process.returncode or 0, out.decode(errors="replace")


async def _key_env(new_database: NewDatabase) -> dict[str, str]:
    """A key database and master key for the CLI's processes, as an operator's environment has them."""
    _ring, raw = random_ring("mk-cli")
    keys_dsn = await new_database("cli_rebuild_keys")
    return {"AP_DSN_AP_KEYS": keys_dsn, "AP_KEY_CACHE_TTL_SECONDS": "0", **master_keys_env(raw, "mk-cli")}


@pytest.mark.integration
async def test_each_registered_projection_rebuilds_from_the_cli_on_a_named_topic(
        new_database: NewDatabase, new_topic: Callable[..., Awaitable[str]], kafka_bootstrap: str,
        tmp_path: Path) -> None:
    env = {"KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap, "AP_NOTIFY_OUTBOX_DIR": str(tmp_path / "outbox"),
           **await _key_env(new_database)}
    for name in sorted(registered_projections()):
        dsn = await new_database(f"cli_{name}")
        topic = await new_topic(f"cli-{name}", partitions=1)
        code, out = await _ap(env, "rebuild", name, "--topic", topic, "--dsn", dsn)
        assert code == 0, f"{name}: {out}"
        assert f"now served from rm_{name}_g2" in " ".join(out.split()), out
        code, out = await _ap(env, "status", name, "--topic", topic, "--dsn", dsn, "--sample-seconds", "0.1")
        assert code == 0 and f"rm_{name}_g2" in out, out


async def _relay_all(pool: asyncpg.Pool, bootstrap: str, topic: str) -> None:
    stop = asyncio.Event()
    relay = Relay(pool, bootstrap, "cli-rebuild-relay", topic_override=topic)
    task = asyncio.create_task(relay.run(stop))
    head = await EventStore(pool).head()
    try:
        for _ in range(600):
            checkpoint = await relay.checkpoint()
            if (checkpoint.transaction_id, checkpoint.position) >= (head.transaction_id, head.position):
                return
            await asyncio.sleep(0.05)
        raise AssertionError("the relay did not reach the head of the event store")
    finally:
        stop.set()
        await task


@pytest.mark.integration
async def test_the_alert_projection_rebuilt_from_the_cli_decides_every_alert_once(
        new_database: NewDatabase, new_topic: Callable[..., Awaitable[str]], kafka_bootstrap: str,
        tmp_path: Path) -> None:
    key_env = await _key_env(new_database)
    incidents_pool = await asyncpg.create_pool(await new_database("cli_incidents"), min_size=1, max_size=4)
    await migrate(incidents_pool)
    keystore = await KeyStore.open(key_env["AP_DSN_AP_KEYS"], MasterKeyRing.from_env(key_env))
    store = EventStore(incidents_pool, PersonalDataCodec(keystore))
    pupil = Events()
    story: list[DomainEvent] = [pupil.started(), pupil.incident(Severity.SERIOUS), pupil.intervention()]
    for event in story:
        stream = f"pupil-{event.pii_subject()}"
        await store.append(stream, await store.stream_version(stream), [NewEvent(
            event, ACTOR, PROVISION, uuid4(), event_id=getattr(event, "record_id"),
            occurred_at=datetime(2025, 3, 14, 16, tzinfo=UTC))])
    topic = await new_topic("cli-alerts", partitions=1)
    await _relay_all(incidents_pool, kafka_bootstrap, topic)
    notif_dsn = await new_database("cli_notifications")
    outbox = tmp_path / "outbox"
    env = {"KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap, "AP_NOTIFY_OUTBOX_DIR": str(outbox), **key_env}
    recorded: list[int] = []
    try:
        for _ in range(2):  # a second rebuild decides every alert again and records none again
            code, out = await _ap(env, "rebuild", "notification_alerts", "--topic", topic, "--dsn", notif_dsn)
            assert code == 0, out
            recorded.append(await _count_sent(notif_dsn))
        assert recorded[0] > 0 and recorded[1] == recorded[0], recorded
        notif = await asyncpg.connect(notif_dsn)
        try:
            sent = await notif.fetch("SELECT payload->>'rule_name' AS rule FROM events"
                                     " WHERE event_type = 'NotificationSent'")
            placements = await notif.fetchval("SELECT count(*) FROM rm_notification_alerts_g3.placements")
            schemas = await notif.fetch("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'rm_notification_%'")
        finally:
            await notif.close()
        assert sent, "the rebuilt alert projection decided and recorded alerts"
        assert len(sent) == len(list(p for p in outbox.iterdir() if not p.name.startswith(".")))
        assert placements == 1
        assert [r["nspname"] for r in schemas] == ["rm_notification_alerts_g3"]
    finally:
        await keystore.close()
        await incidents_pool.close()


async def _count_sent(dsn: str) -> int:
    conn = await asyncpg.connect(dsn)
    try:
        return int(await conn.fetchval("SELECT count(*) FROM events WHERE event_type = 'NotificationSent'"))
    finally:
        await conn.close()
