"""The relay rides out a broker it cannot reach for a moment instead of dying.

A relay whose first batch arrived while the broker was restarting called ``ensure_topics``, got
``KafkaConnectionError`` and ended: nothing more was published until someone restarted it (seen in
the broker-restart fault test on a loaded machine). Now a batch whose topics cannot be ensured is
tried again after the idle poll, and nothing is lost or doubled.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from typing import Any
from uuid import uuid4

import asyncpg
import pytest
from aiokafka import AIOKafkaConsumer
from aiokafka.errors import KafkaConnectionError

from ap_contracts.envelope import Actor
from ap_runtime import relay as relay_module
from ap_runtime.eventstore import EventStore, NewEvent, migrate
from ap_runtime.kafka import client_security, ensure_topics, topic_partitions
from ap_runtime.relay import Relay
from ap_testing.events import CounterIncremented

pytestmark = pytest.mark.integration
ACTOR = Actor(user_id="relay-outage-test", organisation_id="org-test")


async def test_a_relay_that_cannot_ensure_its_topics_retries_and_publishes_everything_once(
        new_database: Callable[[str], Any], unique_topic: Callable[[str], str], kafka_bootstrap: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    pool = await asyncpg.create_pool(await new_database("relay_outage"), min_size=2, max_size=4)
    topic = unique_topic("relay-outage")
    real_ensure = ensure_topics
    failures = 0

    async def ensure_after_an_outage(bootstrap: str, topics: Iterable[str]) -> None:
        nonlocal failures
        if failures < 2:  # the broker is away for the first two attempts
            failures += 1
            raise KafkaConnectionError(f"Unable to bootstrap from {bootstrap}")
        await real_ensure(bootstrap, topics)

    monkeypatch.setattr(relay_module, "ensure_topics", ensure_after_an_outage)
    try:
        await migrate(pool)
        store = EventStore(pool)
        await store.append("c-1", 0, [NewEvent(CounterIncremented(counter="c-1", seq=i), ACTOR, "org-test", uuid4())
                                      for i in range(20)])
        stop = asyncio.Event()
        relay = Relay(pool, kafka_bootstrap, "outage", topic_override=topic, idle_poll_seconds=0.05)
        running = asyncio.create_task(relay.run(stop))
        deadline = asyncio.get_running_loop().time() + 30
        while relay.published < 20 and asyncio.get_running_loop().time() < deadline:
            assert not running.done(), "the relay ended during the outage"
            await asyncio.sleep(0.05)
        stop.set()
        await asyncio.wait_for(running, 10)
        assert failures == 2 and relay.published == 20
        assert sorted(await _seqs(kafka_bootstrap, topic)) == list(range(20))  # each once
    finally:
        await pool.close()


async def _seqs(bootstrap: str, topic: str) -> list[int]:
    parts = await topic_partitions(bootstrap, [topic])
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False,
                                **client_security())
    await consumer.start()
    try:
        consumer.assign(parts)
        await consumer.seek_to_beginning(*parts)
        ends = await consumer.end_offsets(parts)
        seqs: list[int] = []
        while [tp for tp in parts if await consumer.position(tp) < ends[tp]]:
            for batch in (await consumer.getmany(*parts, timeout_ms=500)).values():
                seqs += [__import__("json").loads(r.value)["payload"]["seq"] for r in batch]
        return seqs
    finally:
        await consumer.stop()
