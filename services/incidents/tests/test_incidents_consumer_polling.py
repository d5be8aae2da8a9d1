"""The Kafka command consumer takes a command arriving while it is idle at once (issue 11: p50 under 15 ms at
100 commands/s offered).

Rule served: FastStream's batch subscriber slept ``batch_timeout_ms`` after every empty poll, so a command
arriving then waited the sleep out. The consumer's subscriber polls as the projection runners' do
(``ap_runtime.kafka_polling``): it waits in ``getmany``, which returns with the first record, and sleeps
only after a poll that came back empty early. Each poll's records go from the poll to the dispatcher, past
FastStream's pipeline for a batch (a JSON decoding of every body and a worker-thread hop per batch, which at
100 commands/s was per command).
"""

from __future__ import annotations

import asyncio
import inspect
import time
from types import SimpleNamespace
from typing import Any, cast

import pytest
from faststream.kafka.subscriber.usecase import BatchSubscriber

from ap_incidents.entrypoints.bootstrap import IncidentsDeps
from ap_incidents.entrypoints.commands import POLL_WAIT_MS, CommandConsumer
from ap_testing.kafka_polls import GetmanyConsumer

pytestmark = pytest.mark.unit


class _Dispatcher:
    """Records what the poll hands on, as ``KeyedDispatcher.dispatch`` receives it."""

    def __init__(self) -> None:
        self.handed: list[tuple[Any, tuple[Any, ...]]] = []

    async def dispatch(self, consumer: Any, records: tuple[Any, ...]) -> None:
        self.handed.append((consumer, records))


def _subscriber(max_records: int = 500) -> tuple[Any, _Dispatcher]:
    """The subscriber of a consumer that is never started (nothing connects), and what it hands records to."""
    deps = cast(IncidentsDeps, SimpleNamespace(application=lambda: None))
    consumer = CommandConsumer(deps, "127.0.0.1:1", max_records=max_records)
    dispatcher = _Dispatcher()
    consumer.dispatcher = cast(Any, dispatcher)
    (subscriber,) = consumer.broker.subscribers
    return subscriber, dispatcher


def test_the_consumers_subscriber_polls_in_getmany_and_faststreams_loop_calls_it() -> None:
    subscriber, _ = _subscriber()
    assert "poll_in_getmany" in subscriber.get_msg.__qualname__
    # The override works only while FastStream's consume loop gets its batches through ``self.get_msg``, and
    # hands FastStream's pipeline nothing only while the loop skips an empty batch.
    loop = inspect.getsource(BatchSubscriber._run_consume_loop)
    assert "await self.get_msg(consumer)" in loop
    assert "if msg:\n                    await self.consume_one(msg)" in loop


async def test_the_polls_records_go_to_the_dispatcher_and_faststream_gets_none() -> None:
    subscriber, dispatcher = _subscriber(max_records=64)
    kafka = GetmanyConsumer()
    kafka.arrived.set()
    assert await subscriber.get_msg(kafka) == ()  # FastStream's loop: nothing to decode or inject
    assert dispatcher.handed == [(kafka, ("r1", "r2", "r3"))]


async def test_a_command_arriving_after_an_empty_poll_is_taken_at_once_not_after_a_sleep() -> None:
    subscriber, dispatcher = _subscriber(max_records=64)
    kafka = GetmanyConsumer()
    arrived_at: list[float] = []

    def arrive() -> None:
        arrived_at.append(time.monotonic())
        kafka.arrived.set()

    # Idle: the first poll comes back empty after its wait, and the command arrives just after it (when
    # FastStream's subscriber would be sleeping as long again before polling).
    asyncio.get_running_loop().call_later(POLL_WAIT_MS / 1000 * 1.2, arrive)
    assert await subscriber.get_msg(kafka) == ()
    assert dispatcher.handed == []
    await subscriber.get_msg(kafka)
    assert dispatcher.handed == [(kafka, ("r1", "r2", "r3"))]
    assert time.monotonic() - arrived_at[0] < POLL_WAIT_MS / 1000 / 2  # taken as it arrived
    assert kafka.polls == [(POLL_WAIT_MS, 64), (POLL_WAIT_MS, 64)]


async def test_an_idle_consumer_whose_poll_cannot_wait_does_not_spin() -> None:
    subscriber, dispatcher = _subscriber()
    started = time.monotonic()
    assert await subscriber.get_msg(GetmanyConsumer(at_once=True)) == ()
    assert dispatcher.handed == []
    assert time.monotonic() - started >= POLL_WAIT_MS / 1000 * 0.9
