"""A client of the Kafka command interface: send commands, collect their results.

For provision systems loading in bulk, the scripted day, the end-to-end tests and the benchmark.
Commands are keyed by pupil (or provision) so one pupil's commands keep their order; results are
read from the results topic from where it stood when the client started. The topics are created
as the consumer creates them (``command_topic_retention``), whichever of the two starts first.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Collection
from typing import Any
from uuid import UUID

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from ap_contracts.topics import INCIDENTS_COMMAND_RESULTS, INCIDENTS_COMMANDS
from ap_incidents.adapters.command_topic_retention import ensure_command_topics
from ap_runtime.kafka import client_security, idempotent_producer, topic_partitions


class CommandTopicClient:
    def __init__(self, bootstrap: str, *, commands_topic: str = INCIDENTS_COMMANDS,
                 results_topic: str = INCIDENTS_COMMAND_RESULTS) -> None:
        self.bootstrap = bootstrap
        self.commands_topic = commands_topic
        self.results_topic = results_topic
        self.results: dict[str, dict[str, Any]] = {}  # the latest result per command id
        self.history: list[dict[str, Any]] = []  # every result read, in order
        self.received_at: dict[str, float] = {}  # perf_counter when the result was read here
        # Wall-clock seconds the consumer produced the result (the record's CreateTime): with the
        # send's wall-clock time it splits a latency into the consumer's part and the way back.
        self.result_created_at: dict[str, float] = {}
        self._producer: AIOKafkaProducer | None = None
        self._consumer: AIOKafkaConsumer | None = None

    async def start(self) -> None:
        await ensure_command_topics(self.bootstrap, self.commands_topic, self.results_topic)
        # No linger: one command is sent at once; a bulk load still goes in batches, of what is
        # sent while the previous request to its partition is in flight.
        self._producer = idempotent_producer(self.bootstrap, linger_ms=0)
        await self._producer.start()
        self._consumer = AIOKafkaConsumer(bootstrap_servers=self.bootstrap, **client_security(),
                                          enable_auto_commit=False)
        await self._consumer.start()
        partitions = await topic_partitions(self.bootstrap, [self.results_topic])
        self._consumer.assign(partitions)
        await self._consumer.seek_to_end(*partitions)
        for partition in partitions:  # pin the starting point now, before anything is sent
            await self._consumer.position(partition)

    async def stop(self) -> None:
        if self._producer is not None:
            await self._producer.stop()
        if self._consumer is not None:
            await self._consumer.stop()

    async def send(self, command_type: str, command: dict[str, Any], token: str, *, pupil_ref: UUID | None = None,
                   provision_id: str | None = None, purpose: str | None = None, wait: bool = True,
                   correlation_id: UUID | None = None) -> None:
        """Publish one command message (``wait``: until the broker acknowledged it).

        ``correlation_id`` travels as the ``correlation_id`` header: the access audit and the
        events recorded carry it (without it the consumer draws a fresh one).
        """
        assert self._producer is not None, "client not started"
        message: dict[str, Any] = {"command_type": command_type, "command": command}
        if pupil_ref is not None:
            message["pupil_ref"] = str(pupil_ref)
        if provision_id is not None:
            message["provision_id"] = provision_id
        headers = [("authorization", f"Bearer {token}".encode())]
        if purpose:
            headers.append(("x-access-purpose", purpose.encode()))
        if correlation_id is not None:
            headers.append(("correlation_id", str(correlation_id).encode()))
        key = str(pupil_ref or provision_id or command.get("command_id")).encode()
        future = await self._producer.send(self.commands_topic, json.dumps(message).encode(), key=key,
                                           headers=headers)
        if wait:
            await future

    async def flush(self) -> None:
        assert self._producer is not None, "client not started"
        await self._producer.flush()

    async def wait_for(self, command_ids: Collection[str], wait_seconds: float = 60.0) -> dict[str, dict[str, Any]]:
        """The results of ``command_ids`` (by command id), reading the results topic until all arrived."""
        wanted = set(command_ids)
        deadline = time.monotonic() + wait_seconds
        while not wanted <= self.results.keys():
            if time.monotonic() > deadline:
                missing = sorted(wanted - self.results.keys())
                raise TimeoutError(f"{len(missing)} command results did not arrive, e.g. {missing[:3]}")
            await self._read()
        return {command_id: self.results[command_id] for command_id in wanted}

    async def wait_for_count(self, command_id: str, count: int, wait_seconds: float = 60.0) -> list[dict[str, Any]]:
        """Every result for one command id once ``count`` have arrived (a command sent several times)."""
        deadline = time.monotonic() + wait_seconds
        while len(found := [r for r in self.history if r.get("command_id") == command_id]) < count:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{len(found)} of {count} results for {command_id} arrived")
            await self._read()
        return found

    async def _read(self) -> None:
        assert self._consumer is not None, "client not started"
        batches: dict[TopicPartition, list[Any]] = await self._consumer.getmany(timeout_ms=200)
        now = time.perf_counter()
        for records in batches.values():
            for record in records:
                result = json.loads(record.value)
                key = result.get("command_id") or (record.key or b"").decode()
                self.results[key] = result
                self.history.append(result)
                self.received_at.setdefault(key, now)
                self.result_created_at.setdefault(key, record.timestamp / 1000)
        await asyncio.sleep(0)
