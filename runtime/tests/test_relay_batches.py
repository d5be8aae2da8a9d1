"""The relay sends one record batch per partition (``relay_batches``), and streams keep their partitions.

Rule served: each stream's events stay in one partition, in order (README, "Published at least
once"): the partition the relay picks for a stream is the one the producer's own ``send`` picks for
its key, so records published before the relay batched by partition and after share partitions.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import asyncpg
import pytest

from ap_runtime.eventstore import Checkpoint, EventStore, migrate
from ap_runtime.kafka import PARTITIONS, admin_client, idempotent_producer
from ap_runtime.relay import Relay
from ap_testing.topic_reads import first_copies_out_of_order, read_topic

from .conftest import counter_events, wait_until

pytestmark = pytest.mark.integration


async def test_each_stream_goes_where_the_producer_would_send_it_and_in_order(
    store: EventStore, store_db: tuple[str, asyncpg.Pool], new_topic: Callable[[str], Any], kafka_bootstrap: str,
) -> None:
    topic = await new_topic("batched")
    streams = [f"s-{s}" for s in range(40)]
    for stream in streams:  # several relay batches, each spread over every partition
        await store.append(stream, 0, counter_events(stream, 0, 30))
    stop = asyncio.Event()
    relay = Relay(store_db[1], kafka_bootstrap, "batched", topic_override=topic, batch_size=200)
    running = asyncio.create_task(relay.run(stop))
    try:
        await wait_until(lambda: relay.published >= 40 * 30, timeout=60)
    finally:
        stop.set()
        await running
    records = await read_topic(kafka_bootstrap, topic)
    assert len(records) == 40 * 30 and first_copies_out_of_order(records) == []
    relay_partition = {r.stream_id: r.partition for r in records}
    assert len({(r.stream_id, r.partition) for r in records}) == len(streams)  # one partition per stream
    producer = idempotent_producer(kafka_bootstrap)
    await producer.start()
    try:
        own_choice = {s: (await (await producer.send(topic, key=s.encode(), value=b"probe"))).partition
                      for s in streams}
    finally:
        await producer.stop()
    assert relay_partition == own_choice
    assert len(set(own_choice.values())) > 1  # the streams really were spread over partitions


async def test_a_relay_with_one_topic_ensures_it_as_it_begins_to_lead_before_any_event(
    dsn: str, unique_topic: Callable[[str], str], kafka_bootstrap: str,
) -> None:
    # Issue 11: ensuring a topic (an admin connection and a listing, 40-120 ms here) held up the first batch.
    topic = unique_topic("ensured-early")
    pool = await asyncpg.create_pool(dsn, min_size=1, max_size=4)
    await migrate(pool)
    stop = asyncio.Event()
    relay = Relay(pool, kafka_bootstrap, "ensured-early", topic_override=topic)
    running = asyncio.create_task(relay.run(stop))
    admin = admin_client(kafka_bootstrap)
    await admin.start()
    try:
        await wait_until(lambda: relay.leading, timeout=30)
        await wait_until(lambda: _has_topic(admin, topic), timeout=30)
        described = await admin.describe_topics([topic])
        assert len(described[0]["partitions"]) == PARTITIONS  # created by the relay, not by a first send
        assert relay.published == 0 and await EventStore(pool).head() == Checkpoint()
    finally:
        stop.set()
        await running
        await admin.close()
        await pool.close()


async def _has_topic(admin: Any, topic: str) -> bool:
    return topic in await admin.list_topics()
