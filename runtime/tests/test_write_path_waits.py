"""What the write path waits for at a low rate (issue 11: p99 at 1,000 events/s within 1.2x the baseline).

Neither the relay nor a projection runner waits for records that are not there: the relay's producer
sends a batch without lingering for more, and a runner's poll takes records as soon as they are there,
with no sleep after an empty poll (``kafka_polling``, shared with the incidents command consumer).
"""

from __future__ import annotations

import asyncio
import inspect
import time
from types import SimpleNamespace
from typing import Any, cast

import asyncpg
import pytest
from faststream.kafka import KafkaBroker
from faststream.kafka.subscriber.usecase import BatchSubscriber

from ap_runtime import relay as relay_module
from ap_runtime.kafka import broker_security
from ap_runtime.kafka_polling import poll_in_getmany
from ap_runtime.projection import ProjectionRunner
from ap_testing.kafka_polls import GetmanyConsumer
from ap_testing.projections import CounterProjection


def test_the_relay_producer_sends_without_lingering(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: dict[str, Any] = {}

    def producer(bootstrap: str, **overrides: Any) -> object:
        asked.update(overrides, bootstrap=bootstrap)
        return object()

    monkeypatch.setattr(relay_module, "idempotent_producer", producer)
    relay_module.Relay(cast(asyncpg.Pool, None), "127.0.0.1:1", "r").new_producer()
    assert asked == {"bootstrap": "127.0.0.1:1", "linger_ms": 0}


async def test_a_record_arriving_after_an_empty_poll_is_taken_at_once_not_after_a_sleep() -> None:
    subscriber = SimpleNamespace()
    poll_in_getmany(subscriber, max_records=500, wait_ms=300)
    consumer = GetmanyConsumer()
    assert await subscriber.get_msg(consumer) == ()  # an empty poll: 300 ms waited in getmany
    started = time.monotonic()
    asyncio.get_running_loop().call_later(0.05, consumer.arrived.set)
    assert await subscriber.get_msg(consumer) == ("r1", "r2", "r3")
    assert time.monotonic() - started < 0.25  # FastStream's poll would have slept 300 ms after the empty one
    assert consumer.polls == [(300, 500), (300, 500)]


async def test_a_poll_that_cannot_wait_does_not_spin() -> None:
    subscriber = SimpleNamespace()
    poll_in_getmany(subscriber, max_records=10, wait_ms=100)
    started = time.monotonic()
    assert await subscriber.get_msg(GetmanyConsumer(at_once=True)) == ()
    assert time.monotonic() - started >= 0.09


def test_a_runners_subscriber_polls_in_getmany_and_faststreams_loop_calls_it() -> None:
    broker = KafkaBroker("127.0.0.1:1", security=broker_security())
    ProjectionRunner(CounterProjection(topics=("t",)), cast(asyncpg.Pool, None), "127.0.0.1:1").attach(broker)
    (subscriber,) = broker.subscribers
    assert "poll_in_getmany" in cast(Any, subscriber).get_msg.__qualname__
    # The override works only while FastStream's consume loop gets its batches through ``self.get_msg``.
    assert "await self.get_msg(consumer)" in inspect.getsource(BatchSubscriber._run_consume_loop)
