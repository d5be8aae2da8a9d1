"""Records handled as soon as they are fetched, one key's in order, offsets committed only over
handled records, and a failed record retried while other keys go on (``ap_runtime.kafka_dispatch``,
issue 11)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any
from uuid import uuid4

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from hypothesis import given, settings
from hypothesis import strategies as st

from ap_runtime.kafka import client_security, idempotent_producer
from ap_runtime.kafka_dispatch import KeyedDispatcher, PartitionProgress

KEYS = 5
PER_KEY = 40


@pytest.mark.unit
def test_the_committable_offset_stops_at_the_first_record_not_yet_handled() -> None:
    progress = PartitionProgress()
    for offset in (10, 11, 12, 13):
        progress.take(offset)
    assert not progress.finish(12) and progress.committable is None  # 10 and 11 are still running
    assert progress.finish(10) and progress.committable == 11
    assert progress.first_unfinished == 11
    assert progress.finish(11) and progress.committable == 13  # 12 was already done
    assert progress.finish(13) and progress.committable == 14 and progress.first_unfinished is None


@pytest.mark.unit
@settings(derandomize=True, max_examples=200)
@given(st.permutations(list(range(30))))
def test_the_committable_offset_is_one_past_the_longest_handled_prefix(order: list[int]) -> None:
    progress = PartitionProgress()
    for offset in range(30):
        progress.take(offset)
    handled: set[int] = set()
    for offset in order:
        progress.finish(offset)
        handled.add(offset)
        prefix = next(i for i in range(31) if i not in handled)
        assert progress.committable == (prefix if prefix else None)


class _Consuming:
    """A consumer of ``topic`` in its own group whose fetch loop hands records to ``dispatcher``."""

    def __init__(self, bootstrap: str, topic: str, dispatcher: KeyedDispatcher, group: str | None = None) -> None:
        self.consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=group or f"dispatch-{uuid4().hex[:8]}",
                                         enable_auto_commit=False, auto_offset_reset="earliest",
                                         **client_security())
        self.topic, self.dispatcher = topic, dispatcher
        self._loop: asyncio.Task[None] | None = None

    async def __aenter__(self) -> _Consuming:
        await self.consumer.start()
        self.consumer.subscribe([self.topic], listener=self.dispatcher.listener())
        self._loop = asyncio.create_task(self._fetching())
        return self

    async def _fetching(self) -> None:
        while True:
            batches = await self.consumer.getmany(timeout_ms=200, max_records=50)
            await self.dispatcher.dispatch(self.consumer, [r for records in batches.values() for r in records])

    async def __aexit__(self, *_: object) -> None:
        assert self._loop is not None
        self._loop.cancel()
        await asyncio.gather(self._loop, return_exceptions=True)
        await self.dispatcher.close()
        await self.consumer.stop()


async def _produce(bootstrap: str, topic: str, pause_seconds: float = 0.0) -> dict[TopicPartition, int]:
    """``PER_KEY`` rounds of a record for each of ``KEYS`` keys, values ``key:n``, ``pause_seconds`` apart;
    the end offset of each partition."""
    producer = idempotent_producer(bootstrap)
    await producer.start()
    ends: dict[TopicPartition, int] = {}
    try:
        for n in range(PER_KEY):
            for key in range(KEYS):
                sent = await (await producer.send(topic, f"{key}:{n}".encode(), key=str(key).encode()))
                partition = TopicPartition(topic, sent.partition)
                ends[partition] = max(ends.get(partition, 0), sent.offset + 1)
            await asyncio.sleep(pause_seconds)
    finally:
        await producer.stop()
    return ends


async def _until(condition: Callable[[], bool], wait_seconds: float = 60.0) -> None:
    deadline = time.monotonic() + wait_seconds
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the records were not all handled")
        await asyncio.sleep(0.05)


def _firsts_in_order(handled: list[str]) -> dict[str, list[int]]:
    """Per key, the sequence numbers in the order each was first handled."""
    seen: set[str] = set()
    by_key: dict[str, list[int]] = {}
    for value in handled:
        if value not in seen:
            seen.add(value)
            key, n = value.split(":")
            by_key.setdefault(key, []).append(int(n))
    return by_key


@pytest.mark.integration
async def test_a_failed_record_is_retried_while_other_keys_go_on_and_each_key_keeps_its_order(
        new_topic: Callable[..., Any], kafka_bootstrap: str) -> None:
    topic = await new_topic("dispatch", partitions=3)
    handled: list[str] = []
    failed_after: list[int] = []  # how many were handled when the record failed

    async def handle(record: Any) -> None:
        value = record.value.decode()
        await asyncio.sleep(0.001 * (int(value.split(":")[1]) % 3))  # records finish out of step
        if value == "2:7" and not failed_after:  # a dependency down, once
            failed_after.append(len(handled))
            raise ConnectionError("the database went away")
        handled.append(value)

    dispatcher = KeyedDispatcher(handle, max_in_flight=100, retry_delay_seconds=0.2)
    async with _Consuming(kafka_bootstrap, topic, dispatcher) as consuming:
        ends = await _produce(kafka_bootstrap, topic)
        await _until(lambda: len(set(handled)) == KEYS * PER_KEY)
        await dispatcher.commit()
        committed = {p: await consuming.consumer.committed(p) for p in ends}
    assert len(failed_after) == 1 and handled.count("2:7") == 1
    while_retrying = handled[failed_after[0]:handled.index("2:7")]
    assert while_retrying and not [v for v in while_retrying if v.startswith("2:")]  # other keys went on
    assert _firsts_in_order(handled) == {str(key): list(range(PER_KEY)) for key in range(KEYS)}
    assert committed == ends  # every record handled, so every offset committed


@pytest.mark.integration
async def test_a_record_starts_while_the_one_fetched_before_it_is_still_running(
        new_topic: Callable[..., Any], kafka_bootstrap: str) -> None:
    topic = await new_topic("dispatch", partitions=1)
    release = asyncio.Event()
    handled: list[str] = []

    async def handle(record: Any) -> None:
        if record.value == b"slow":
            await release.wait()
        handled.append(record.value.decode())

    dispatcher = KeyedDispatcher(handle)
    async with _Consuming(kafka_bootstrap, topic, dispatcher) as consuming:
        producer = idempotent_producer(kafka_bootstrap)
        await producer.start()
        try:
            await (await producer.send(topic, b"slow", key=b"a"))
            await _until(lambda: dispatcher.in_flight == 1)  # the slow one is running
            await (await producer.send(topic, b"quick", key=b"b"))
            await _until(lambda: handled == ["quick"])
            partition = TopicPartition(topic, 0)
            await dispatcher.commit()
            assert await consuming.consumer.committed(partition) is None  # not past the slow one
            release.set()
            await _until(lambda: handled == ["quick", "slow"])
            await dispatcher.commit()
            assert await consuming.consumer.committed(partition) == 2
        finally:
            release.set()
            await producer.stop()


@pytest.mark.integration
async def test_a_member_joining_while_records_flow_starts_where_the_records_in_flight_ended(
        new_topic: Callable[..., Any], kafka_bootstrap: str) -> None:
    """Before partitions move, their records in flight are finished and committed: none is handled twice."""
    topic, group = await new_topic("dispatch", partitions=6), f"dispatch-{uuid4().hex[:8]}"
    handled: list[str] = []

    async def handle(record: Any) -> None:
        await asyncio.sleep(0.005)  # still running when the second member asks for partitions
        handled.append(record.value.decode())

    async with _Consuming(kafka_bootstrap, topic, KeyedDispatcher(handle), group) as first:
        # Records keep coming (about 6 s) while the second member joins and the group rebalances.
        producing = asyncio.create_task(_produce(kafka_bootstrap, topic, pause_seconds=0.15))
        await _until(lambda: len(handled) >= KEYS * PER_KEY // 4)
        async with _Consuming(kafka_bootstrap, topic, KeyedDispatcher(handle), group) as second:
            ends = await producing
            await _until(lambda: len(handled) >= KEYS * PER_KEY)
            assert second.consumer.assignment() and first.consumer.assignment()  # the partitions were shared
    assert sorted(handled) == sorted(f"{key}:{n}" for key in range(KEYS) for n in range(PER_KEY))  # once each
    assert _firsts_in_order(handled) == {str(key): list(range(PER_KEY)) for key in range(KEYS)}
    checking = AIOKafkaConsumer(bootstrap_servers=kafka_bootstrap, group_id=group, enable_auto_commit=False,
                                **client_security())
    await checking.start()
    try:
        assert {p: await checking.committed(p) for p in ends} == ends  # both committed all they handled
    finally:
        await checking.stop()
