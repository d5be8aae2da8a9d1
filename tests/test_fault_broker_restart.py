"""A Kafka broker restarted under load: the relay and the projection carry on, nothing lost or doubled.

Runs a private single-node broker (its own ports and data directory, the jars of the shared one)
so restarting it disturbs no other test.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import asyncpg
import pytest
import pytest_asyncio

from ap_contracts.envelope import Actor
from ap_runtime.eventstore import EventStore, NewEvent, migrate
from ap_runtime.kafka import ensure_topics
from ap_runtime.projection import ProjectionRunner, read_model
from ap_runtime.projection.runner import build_app
from ap_runtime.relay import Relay
from ap_testing.events import CounterIncremented
from ap_testing.projections import CounterProjection

pytestmark = pytest.mark.fault

ROOT = Path(__file__).resolve().parents[1]
KAFKA = ROOT / "deploy" / "local" / "kafka.sh"
ACTOR = Actor(user_id="fault-test", organisation_id="org-test")


class PrivateBroker:
    def __init__(self, state: Path) -> None:
        shared_libs = Path(os.environ.get("AP_STATE_DIR", Path.home() / ".cache" / "ap-platform")) / "kafka" / "libs"
        self.env = {**os.environ, "AP_STATE_DIR": str(state), "AP_KAFKA_PORT": "59192",
                    "AP_KAFKA_CONTROLLER_PORT": "59193"}
        if (shared_libs / ".complete").exists():
            self.env["AP_KAFKA_LIBS"] = str(shared_libs)
        self.bootstrap = "127.0.0.1:59192"

    def run(self, action: str) -> None:
        # A SASL broker's JVM start takes 30-40 s on an idle 2-core machine and several times that
        # when the machine is loaded; kafka.sh itself gives up after AP_KAFKA_START_SECONDS (180).
        subprocess.run(["bash", str(KAFKA), action], env=self.env, check=True, timeout=420,
                       stdout=subprocess.DEVNULL)


@pytest_asyncio.fixture(loop_scope="session")
async def private_broker(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[PrivateBroker]:
    broker = PrivateBroker(tmp_path_factory.mktemp("kafka-fault"))
    await asyncio.to_thread(broker.run, "start")
    yield broker
    await asyncio.to_thread(broker.run, "stop")


async def test_broker_restart_mid_stream_loses_and_doubles_nothing(
    private_broker: PrivateBroker, new_database: Callable[[str], object]
) -> None:
    store_pool = await asyncpg.create_pool(await new_database("fault_store"), min_size=2, max_size=10)  # type: ignore[misc]
    rm_pool = await asyncpg.create_pool(await new_database("fault_rm"), min_size=2, max_size=10)  # type: ignore[misc]
    await migrate(store_pool)
    store = EventStore(store_pool)
    topic = "fault-counter"
    await ensure_topics(private_broker.bootstrap, [topic])
    relay_stop = asyncio.Event()
    relay = asyncio.create_task(Relay(store_pool, private_broker.bootstrap, "fault", topic_override=topic)
                                .run(relay_stop))
    runner = ProjectionRunner(CounterProjection(topics=(topic,)), rm_pool, private_broker.bootstrap)
    app = build_app([runner], private_broker.bootstrap)
    assert app.broker is not None
    total = 0

    async def write(rounds: int, offset: int, until: asyncio.Event | None = None) -> int:
        written = 0
        r = 0
        while r < rounds or (until is not None and not until.is_set()):
            stream = f"f-{r % 10}"
            version = await store.stream_version(stream)
            await store.append(stream, version, [
                NewEvent(CounterIncremented(counter=stream, seq=offset + r * 100 + i), ACTOR, "org-test",
                         __import__("uuid").uuid4()) for i in range(50)])
            written += 50
            r += 1
            await asyncio.sleep(0.01)
        return written

    async with app.broker:
        await runner.start()
        await app.broker.start()
        total += await write(20, 0)
        # Restart the broker while events keep arriving: the relay's sends fail and are retried.
        restarted = asyncio.Event()
        writer = asyncio.create_task(write(10, 10_000, until=restarted))
        published_before = await store_pool.fetchval("SELECT coalesce(max(published), 0) FROM relay_checkpoints")
        await asyncio.to_thread(private_broker.run, "restart")
        await asyncio.sleep(1.0)
        restarted.set()
        total += await writer
        assert total > published_before + 500, "events were appended while the broker was down"
        # Far above the restart round's seqs (10,000 + 100 per round, unbounded while the broker is away:
        # a restart of 4 s or more on a loaded machine reached 50,000 and two events shared a counter seq).
        total += await write(10, 10_000_000)
        deadline = asyncio.get_running_loop().time() + 120
        while runner.applied < total and asyncio.get_running_loop().time() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.2)
        await asyncio.sleep(1.0)
        await runner.stop()
    relay_stop.set()
    await asyncio.wait_for(relay, 30)
    async with read_model(rm_pool, "counter") as conn:
        n, applied_sum, worst = await conn.fetchrow(
            "SELECT count(*), coalesce(sum(applied_count), 0), coalesce(max(applied_count), 0) FROM counter_events")
    assert (n, applied_sum, worst) == (total, total, 1), "every stored event applied exactly once"
    await store_pool.close()
    await rm_pool.close()
