"""Reading back every record a relay published, and checking what a consumer would make of it.

A relay publishes at least once: after a crash or a change of leader some records may be sent twice.
What must hold for consumers that apply each event id once (the projection runner's rule) is that
every stored event is on the topic and that, per stream, the first copy of each event comes in
stream order. ``first_copies_out_of_order`` checks exactly that.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from uuid import UUID

from aiokafka import AIOKafkaConsumer

from ap_runtime.kafka import client_security, topic_partitions


@dataclass(frozen=True, slots=True)
class PublishedRecord:
    partition: int
    offset: int
    event_id: UUID
    stream_id: str
    stream_version: int


async def read_topic(bootstrap: str, topic: str) -> list[PublishedRecord]:
    """Every record on ``topic`` from the beginning to the current end, in (partition, offset) order."""
    parts = await topic_partitions(bootstrap, [topic])
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False,
                                max_partition_fetch_bytes=4 * 1024 * 1024, **client_security())
    await consumer.start()
    records: list[PublishedRecord] = []
    try:
        consumer.assign(parts)
        await consumer.seek_to_beginning(*parts)
        ends = await consumer.end_offsets(parts)
        while [tp for tp in parts if await consumer.position(tp) < ends[tp]]:
            for batch in (await consumer.getmany(*parts, timeout_ms=500, max_records=5000)).values():
                for r in batch:
                    doc = json.loads(r.value or b"{}")
                    records.append(PublishedRecord(r.partition, r.offset, UUID(doc["event_id"]),
                                                   doc["stream_id"], int(doc["stream_version"])))
    finally:
        await consumer.stop()
    return sorted(records, key=lambda r: (r.partition, r.offset))


def first_copies_out_of_order(records: Iterable[PublishedRecord]) -> list[str]:
    """Where, keeping the first copy of each event id, a stream's versions do not run 1, 2, 3... in order."""
    seen: set[UUID] = set()
    last_version: dict[str, int] = {}
    bad: list[str] = []
    for r in sorted(records, key=lambda r: (r.partition, r.offset)):
        if r.event_id in seen:
            continue
        seen.add(r.event_id)
        previous = last_version.get(r.stream_id, 0)
        if r.stream_version != previous + 1:  # streams read from their start: no gap, no step back
            bad.append(f"{r.stream_id}: version {r.stream_version} after {previous}")
        last_version[r.stream_id] = r.stream_version
    return bad
