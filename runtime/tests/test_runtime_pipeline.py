"""Store -> relay -> Kafka -> projection on the real broker and database, with crashes.

Relays and projection consumers run as real OS processes and are killed with SIGKILL mid-stream.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable

import asyncpg
import pytest
from aiokafka import AIOKafkaConsumer

from ap_contracts.topics import dead_letter_topic
from ap_runtime.eventstore import EventStore
from ap_runtime.kafka import client_security
from ap_runtime.projection import ProjectionRunner, read_model
from ap_runtime.projection.rebuild import rebuild
from ap_runtime.projection.runner import build_app
from ap_runtime.relay import Relay
from ap_testing.projections import CounterProjection

from .conftest import Proc, counter_events, wait_until

# Levels (ap_testing.levels): the tests that SIGKILL a process are fault tests; the others
# are integration tests, by the servers they use.

COUNTER = "ap_testing.projections:CounterProjection"


async def _totals(pool: asyncpg.Pool, name: str = "counter") -> tuple[int, int, int]:
    """(distinct events applied, sum of application counts, max application count)."""
    async with read_model(pool, name) as conn:
        row = await conn.fetchrow(
            "SELECT count(*) AS n, coalesce(sum(applied_count), 0) AS s, coalesce(max(applied_count), 0) AS m"
            " FROM counter_events"
        )
    return int(row["n"]), int(row["s"]), int(row["m"])


async def _append_many(store: EventStore, streams: int, per_stream: int, chunk: int) -> int:
    async def one(s: int) -> None:
        version = 0
        for start in range(0, per_stream, chunk):
            n = min(chunk, per_stream - start)
            await store.append(f"s-{s}", version, counter_events(f"s-{s}", start, n))
            version += n

    await asyncio.gather(*(one(s) for s in range(streams)))
    return streams * per_stream


async def _projection_db(new_database: Callable[[str], object]) -> tuple[str, asyncpg.Pool]:
    dsn = await new_database("rm")  # type: ignore[misc]
    return dsn, await asyncpg.create_pool(dsn, min_size=2, max_size=10)


@pytest.mark.fault
async def test_relay_killed_mid_stream_loses_nothing_and_projection_counts_once(
    store: EventStore, store_db: tuple[str, asyncpg.Pool], new_database: Callable[[str], object],
    new_topic: Callable[[str], object], kafka_bootstrap: str, processes: Callable[[list[str], dict[str, str]], Proc],
) -> None:
    topic = await new_topic("relaykill")  # type: ignore[misc]
    rm_dsn, rm_pool = await _projection_db(new_database)
    env = {"KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap, "AP_TEST_TOPICS": topic, "AP_LOG_LEVEL": "WARNING"}
    consumer = processes(["-m", "ap_runtime.projection", "run", "--projection", COUNTER, "--dsn", rm_dsn], env)
    relay_args = ["-m", "ap_runtime.relay", "--service", "test", "--dsn", store_db[0], "--topic", topic]
    relay = processes(relay_args, env)
    total = 0
    for round_ in range(3):
        total += await _append_many(store, streams=20, per_stream=100, chunk=10) if round_ == 0 else 0
        if round_ > 0:
            total += await _append_many_offset(store, round_)
        # Kill the relay while it is publishing: after some but not all of the checkpoints.
        await wait_until(lambda: _published(store_db[1]), timeout=60)
        relay.kill()
        relay = processes(relay_args, env)
    await wait_until(lambda: _checkpoint_at_head(store_db[1]), timeout=90)
    await wait_until(lambda: _count_is(rm_pool, total), timeout=90)
    n, applied_sum, max_applied = await _totals(rm_pool)
    assert (n, applied_sum, max_applied) == (total, total, 1)
    async with read_model(rm_pool, "counter") as conn:
        # Per stream, events were applied in stream order.
        bad = await conn.fetchval(
            "SELECT count(*) FROM (SELECT stream_version, lag(stream_version) OVER (PARTITION BY counter"
            " ORDER BY applied_at, stream_version) AS prev FROM counter_events) x"
            " WHERE prev IS NOT NULL AND stream_version <= prev"
        )
    assert bad == 0
    assert consumer.alive()
    await rm_pool.close()


async def _append_many_offset(store: EventStore, round_: int) -> int:
    async def one(s: int) -> None:
        version = await store.stream_version(f"s-{s}")
        await store.append(f"s-{s}", version, counter_events(f"s-{s}", round_ * 1000, 50))

    await asyncio.gather(*(one(s) for s in range(20)))
    return 20 * 50


async def _published(pool: asyncpg.Pool) -> bool:
    return bool(await pool.fetchval("SELECT coalesce(max(published), 0) > 0 FROM relay_checkpoints"))


async def _checkpoint_at_head(pool: asyncpg.Pool) -> bool:
    head = await EventStore(pool).head()
    return bool(await pool.fetchval("SELECT position = $1 FROM relay_checkpoints LIMIT 1", head.position))


async def _count_is(pool: asyncpg.Pool, expected: int) -> bool:
    try:
        return (await _totals(pool))[0] >= expected
    except LookupError:
        return False


@pytest.mark.fault
async def test_consumer_killed_mid_batch_applies_every_event_exactly_once(
    store: EventStore, store_db: tuple[str, asyncpg.Pool], new_database: Callable[[str], object],
    new_topic: Callable[[str], object], kafka_bootstrap: str, processes: Callable[[list[str], dict[str, str]], Proc],
) -> None:
    topic = await new_topic("consumerkill")  # type: ignore[misc]
    rm_dsn, rm_pool = await _projection_db(new_database)
    total = await _append_many(store, streams=10, per_stream=200, chunk=50)
    relay_stop = asyncio.Event()
    relay = asyncio.create_task(Relay(store_db[1], kafka_bootstrap, "r", topic_override=topic).run(relay_stop))
    # Slow applies make each batch long, so SIGKILL lands inside an open transaction.
    env = {"KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap, "AP_TEST_TOPICS": topic, "AP_TEST_SLOW_APPLY": "0.002",
           "AP_LOG_LEVEL": "WARNING"}
    args = ["-m", "ap_runtime.projection", "run", "--projection", COUNTER, "--dsn", rm_dsn]
    kills = 0
    consumer = processes(args, env)
    while kills < 3:
        await wait_until(lambda: _some_applied(rm_pool), timeout=60)
        await asyncio.sleep(0.5)
        consumer.kill()
        kills += 1
        consumer = processes(args, env)
    os.environ.pop("AP_TEST_SLOW_APPLY", None)
    await wait_until(lambda: _count_is(rm_pool, total), timeout=120)
    relay_stop.set()
    await relay
    await asyncio.sleep(1.0)  # anything redelivered after the last kill has had time to arrive
    assert await _totals(rm_pool) == (total, total, 1)
    await rm_pool.close()


async def _some_applied(pool: asyncpg.Pool) -> bool:
    try:
        return (await _totals(pool))[0] > 0
    except LookupError:
        return False


async def test_poison_event_goes_to_dead_letter_topic_and_later_events_still_apply(
    store: EventStore, store_db: tuple[str, asyncpg.Pool], new_database: Callable[[str], object],
    new_topic: Callable[[str], object], kafka_bootstrap: str,
) -> None:
    topic = await new_topic("poison")  # type: ignore[misc]
    await new_topic_named(kafka_bootstrap, dead_letter_topic(topic))
    _, rm_pool = await _projection_db(new_database)
    await store.append("p-1", 0, counter_events("p-1", 0, 10, poison_at={4}))
    relay_stop = asyncio.Event()
    relay = asyncio.create_task(Relay(store_db[1], kafka_bootstrap, "r", topic_override=topic).run(relay_stop))
    runner = ProjectionRunner(CounterProjection(topics=(topic,)), rm_pool, kafka_bootstrap, max_attempts=3)
    app = build_app([runner], kafka_bootstrap)
    async with app.broker:  # type: ignore[union-attr]
        await runner.start()
        await app.broker.start()  # type: ignore[union-attr]
        await wait_until(lambda: _count_is(rm_pool, 9), timeout=60)
        await runner.stop()
    relay_stop.set()
    await relay
    async with read_model(rm_pool, "counter") as conn:
        seqs = [r["seq"] for r in await conn.fetch("SELECT seq FROM counter_events ORDER BY seq")]
        dead = await conn.fetch("SELECT error FROM dead_letters")
    assert seqs == [0, 1, 2, 3, 5, 6, 7, 8, 9]
    assert len(dead) == 1 and dead[0]["error"].startswith("PoisonEventError at ap_testing.projections:")
    dlt = AIOKafkaConsumer(dead_letter_topic(topic), bootstrap_servers=kafka_bootstrap, **client_security(),
                           auto_offset_reset="earliest",
                           group_id=None)
    await dlt.start()
    try:
        got = await dlt.getmany(timeout_ms=10_000)
        records = [r for rs in got.values() for r in rs]
    finally:
        await dlt.stop()
    assert len(records) == 1
    headers = dict(records[0].headers)
    assert b"PoisonEventError" in headers["ap-dlt-error"]
    assert headers["ap-event-type"] == b"CounterIncremented"
    await rm_pool.close()


async def new_topic_named(bootstrap: str, name: str) -> None:
    from ap_runtime.kafka import ensure_topics

    await ensure_topics(bootstrap, [name], partitions=1)


async def test_rebuild_switches_to_new_generation_while_old_keeps_serving(
    store: EventStore, store_db: tuple[str, asyncpg.Pool], new_database: Callable[[str], object],
    new_topic: Callable[[str], object], kafka_bootstrap: str,
) -> None:
    topic = await new_topic("rebuild")  # type: ignore[misc]
    _, rm_pool = await _projection_db(new_database)
    total = await _append_many(store, streams=5, per_stream=200, chunk=100)
    relay_stop = asyncio.Event()
    relay = asyncio.create_task(Relay(store_db[1], kafka_bootstrap, "r", topic_override=topic).run(relay_stop))
    live = ProjectionRunner(CounterProjection(topics=(topic,)), rm_pool, kafka_bootstrap)
    app = build_app([live], kafka_bootstrap)
    async with app.broker:  # type: ignore[union-attr]
        await live.start()
        await app.broker.start()  # type: ignore[union-attr]
        await wait_until(lambda: _count_is(rm_pool, total), timeout=60)
        rebuilder = ProjectionRunner(CounterProjection(topics=(topic,)), rm_pool, kafka_bootstrap)
        await rebuilder.start()
        writes = asyncio.create_task(_append_many_offset(store, 1))  # new events arrive during the rebuild
        schema = await rebuild(rebuilder, rm_pool, kafka_bootstrap, show_progress=False)
        total += await writes
        await rebuilder.stop()
        assert schema.endswith("_g2")
        await wait_until(lambda: _count_is(rm_pool, total), timeout=60)
        await asyncio.sleep(0.5)
        await live.stop()
    relay_stop.set()
    await relay
    assert await _totals(rm_pool) == (total, total, 1)
    async with read_model(rm_pool, "counter") as conn:
        assert await conn.fetchval("SELECT current_schema()") == schema
    generations = await rm_pool.fetch("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'rm\\_counter\\_g%'")
    assert [r["nspname"] for r in generations] == [schema], "the retired generation must be dropped at the switch"
    await rm_pool.close()


async def test_operator_sees_applied_count_rate_and_lag_and_logs_carry_correlation_ids(
    store: EventStore, store_db: tuple[str, asyncpg.Pool], new_database: Callable[[str], object],
    new_topic: Callable[[str], object], kafka_bootstrap: str,
) -> None:
    import structlog

    from ap_runtime.projection.status import projection_health

    topic = await new_topic("status")  # type: ignore[misc]
    await new_topic_named(kafka_bootstrap, dead_letter_topic(topic))
    _, rm_pool = await _projection_db(new_database)
    batch = counter_events("o-1", 0, 300, poison_at={7})
    correlation = batch[0].correlation_id
    await store.append("o-1", 0, batch)
    relay_stop = asyncio.Event()
    relay = asyncio.create_task(Relay(store_db[1], kafka_bootstrap, "r", topic_override=topic).run(relay_stop))
    runner = ProjectionRunner(CounterProjection(topics=(topic,)), rm_pool, kafka_bootstrap)
    app = build_app([runner], kafka_bootstrap)
    capture = structlog.testing.LogCapture()
    previous = structlog.get_config()
    structlog.configure(processors=[structlog.contextvars.merge_contextvars, capture])
    logs = capture.entries
    try:
        async with app.broker:  # type: ignore[union-attr]
            await runner.start()
            await app.broker.start()  # type: ignore[union-attr]
            await wait_until(lambda: _count_is(rm_pool, 299), timeout=60)
            await asyncio.sleep(6)  # FastStream commits offsets after each batch; let the last commit land
            health = await projection_health(rm_pool, kafka_bootstrap, {"counter": (topic,)}, sample_seconds=0.2)
            await runner.stop()
    finally:
        structlog.configure(**previous)
    relay_stop.set()
    await relay
    [counter] = [h for h in health if h.name == "counter"]
    assert (counter.events_applied, counter.dead_lettered, counter.consumer_lag) == (299, 1, 0)
    failures = [entry for entry in logs if entry.get("event") == "apply failed"]
    assert failures and all(entry["correlation_id"] == str(correlation) for entry in failures)
    await rm_pool.close()
