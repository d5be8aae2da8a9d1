"""What the Kafka command path's consumer design costs in latency, apart from the command's own work.

    python -m bench.kafka_command_plumbing [--rate 100] [--commands 500] [--work-ms 5] [--repeats 3]

Issue 11 (Kafka command p50 under 15 ms at 100 commands/s). The full benchmark
(``bench.incidents_ingest``) measures the real consumer, whose CPU per command makes its latency
swing with a shared machine's load. This one replaces the command handler by a pause of
``--work-ms`` (an I/O wait, about the raw append's p50, using no CPU) and measures, in the same run
and in turn, the three consumer designs the issue's work went through, on the real broker:

* ``lockstep_linger5``: the consumer before: a FastStream batch subscriber (``batch_timeout_ms`` 20)
  handling each fetched batch whole (one key's records in order, keys concurrently), waiting for
  the batch's results, committing, then fetching again; result and client producers linger 5 ms.
* ``lockstep_linger0``: the same with producers that do not linger.
* ``dispatch_linger0``: the consumer now (``ap_runtime.kafka_dispatch``): each record handled as soon
  as it is fetched, offsets committed in the background; no linger.

Latency runs from the client's send to its reading the echoed result, commands sent open-loop at
``--rate`` (each on its schedule), keyed over 50 keys. Prints and writes
``bench/results/kafka_command_plumbing-<time>.json``: medians of the repeats.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import statistics
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from faststream import AckPolicy, Context
from faststream.kafka import KafkaBroker

from ap_runtime.kafka import broker_security, client_security, ensure_topics, idempotent_producer, topic_partitions
from ap_runtime.kafka_dispatch import KeyedDispatcher
from ap_testing.infra import resolve_infrastructure
from bench.pipeline_baseline import percentiles
from bench.publish import publish

KEYS = 50
DESIGNS = ("lockstep_linger5", "lockstep_linger0", "dispatch_linger0")


def _lockstep(out: AIOKafkaProducer, results: str, work: Callable[[], Awaitable[None]]) -> Callable[..., Any]:
    async def handle(_bodies: list[Any], message: Any = Context("message")) -> None:
        records: Sequence[Any] = message.raw_message
        by_key: dict[bytes | None, list[Any]] = {}
        for record in records:
            by_key.setdefault(record.key, []).append(record)
        sent: list[asyncio.Future[Any]] = []

        async def run(keyed: list[Any]) -> None:
            for record in keyed:
                await work()
                sent.append(await out.send(results, value=record.value, key=record.key))

        await asyncio.gather(*(run(keyed) for keyed in by_key.values()))
        await asyncio.gather(*sent)  # then FastStream commits the batch and fetches again
    return handle


async def one_design(bootstrap: str, design: str, rate: float, commands: int, work_ms: float) -> dict[str, float]:
    topic, results = f"bench-plumbing-c-{uuid4().hex[:8]}", f"bench-plumbing-r-{uuid4().hex[:8]}"
    await ensure_topics(bootstrap, [topic, results])
    linger = 5 if design.endswith("linger5") else 0
    out = idempotent_producer(bootstrap, linger_ms=linger)
    await out.start()

    async def work() -> None:
        await asyncio.sleep(work_ms / 1000)

    quiet = logging.getLogger("bench.plumbing")  # the document is the only output on stdout
    quiet.setLevel(logging.WARNING)
    broker = KafkaBroker(bootstrap, security=broker_security(), logger=quiet)
    if design.startswith("lockstep"):
        broker.subscriber(topic, batch=True, group_id=f"g-{topic}", auto_offset_reset="earliest", max_records=500,
                          batch_timeout_ms=20, ack_policy=AckPolicy.NACK_ON_ERROR)(_lockstep(out, results, work))
    else:
        async def answer(record: Any) -> None:
            await work()
            await (await out.send(results, value=record.value, key=record.key))

        dispatcher = KeyedDispatcher(answer, max_in_flight=500)

        async def handle(_bodies: list[Any], message: Any = Context("message")) -> None:
            await dispatcher.dispatch(message.consumer, message.raw_message)

        broker.subscriber(topic, batch=True, group_id=f"g-{topic}", auto_offset_reset="earliest", max_records=500,
                          batch_timeout_ms=5, ack_policy=AckPolicy.MANUAL, listener=dispatcher.listener())(handle)
    await broker.start()
    client = idempotent_producer(bootstrap, linger_ms=linger)
    reader = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, **client_security())
    await client.start()
    await reader.start()
    try:
        partitions = await topic_partitions(bootstrap, [results])
        reader.assign(partitions)
        await reader.seek_to_end(*partitions)
        for partition in partitions:
            await reader.position(partition)
        return await _measure(client, reader, topic, rate, commands)
    finally:
        await client.stop()
        await reader.stop()
        await broker.stop()
        await out.stop()


async def _measure(client: AIOKafkaProducer, reader: AIOKafkaConsumer, topic: str, rate: float,
                   commands: int) -> dict[str, float]:
    arrived: dict[bytes, float] = {}
    warm, answered = asyncio.Event(), asyncio.Event()

    async def read() -> None:
        while True:
            batches = await reader.getmany(timeout_ms=200)
            now = time.perf_counter()
            for records in batches.values():
                for record in records:
                    arrived.setdefault(record.value, now)
            if b"warm-up" in arrived:
                warm.set()
            if len(arrived) > commands:  # the warm-up and every command
                answered.set()

    reading = asyncio.create_task(read())
    await (await client.send(topic, b"warm-up", key=b"warm"))  # the consumer has joined its group
    await asyncio.wait_for(warm.wait(), 120)
    sent: dict[bytes, float] = {}
    started = time.perf_counter()
    for index in range(commands):
        await asyncio.sleep(max(0.0, started + index / rate - time.perf_counter()))
        value = f"command-{index}".encode()
        sent[value] = time.perf_counter()
        await client.send(topic, value, key=str(index % KEYS).encode())
    await asyncio.wait_for(answered.wait(), 120)
    reading.cancel()
    await asyncio.gather(reading, return_exceptions=True)
    return percentiles([(arrived[value] - at) * 1000 for value, at in sent.items()])


async def run(repeats: int, rate: float, commands: int, work_ms: float) -> dict[str, Any]:
    _, bootstrap = resolve_infrastructure()
    runs: dict[str, list[dict[str, float]]] = {design: [] for design in DESIGNS}
    for _ in range(repeats):
        for design in DESIGNS:  # in turn, so a change in the machine's load falls on all three
            runs[design].append(await one_design(bootstrap, design, rate, commands, work_ms))
    median = {design: {k: round(statistics.median(r[k] for r in values), 2) for k in values[0]}
              for design, values in runs.items()}
    return {"benchmark": "kafka_command_plumbing", "at": datetime.now(UTC).isoformat(),
            "machine": {"cpus": os.cpu_count(), "load_average_at_end": os.getloadavg()},
            "parameters": {"rate_per_second": rate, "commands": commands, "work_ms": work_ms, "keys": KEYS,
                           "repeats": repeats},
            "median": median, "runs": runs}


def cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rate", type=float, default=100.0)
    parser.add_argument("--commands", type=int, default=500)
    parser.add_argument("--work-ms", type=float, default=5.0)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    started = time.time()
    publish("kafka_command_plumbing", asyncio.run(run(args.repeats, args.rate, args.commands, args.work_ms)), started)


if __name__ == "__main__":
    cli()
