"""The relay's records sent as one record batch per partition, not one ``send`` per record.

Rule served: the relay publishes each stream's events in order, at least once (``relay.py``), at
the least cost per event (issue 11: ``AIOKafkaProducer.send`` costs about 12 us of Python per record,
a record appended to a batch about 4.5). Each record goes to the partition the producer's own
``send`` would choose (aiokafka's ``DefaultPartitioner`` over the topic's partitions: murmur2 of the
stream key), so streams keep their partitions. A partition's batches are handed to the producer in
the relay's order, and the idempotent producer keeps each partition's batches in that order,
retries included.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.partitioner import DefaultPartitioner

_PARTITIONER = DefaultPartitioner()

# A stream's partition, remembered: aiokafka's murmur2 is pure Python (about 2 us a key here) and a
# stream's events come again and again. The topics' partitions are fixed at creation, so an entry
# never goes stale; the memo is emptied when it grows past this many streams, to bound its memory.
_MEMO_LIMIT = 100_000
_partition_of: dict[tuple[str, bytes, int], int] = {}


def partition_for(topic: str, key: bytes, every: list[int]) -> int:
    """The partition the producer's own ``send`` picks for ``key`` among ``every`` (the topic's partitions)."""
    memo_key = (topic, key, len(every))
    found = _partition_of.get(memo_key)
    if found is None:
        if len(_partition_of) >= _MEMO_LIMIT:
            _partition_of.clear()
        found = _partition_of[memo_key] = _PARTITIONER(key, every, every)
    return found

Record = tuple[str, bytes, bytes, Sequence[tuple[str, bytes]]]  # topic, key, value, headers


class RecordTooLarge(ValueError):
    """A record that does not fit an empty record batch (the producer's ``max_batch_size``)."""


async def send_batched(producer: AIOKafkaProducer, records: Iterable[Record],
                       partitions: dict[str, list[int]]) -> list[asyncio.Future[Any]]:
    """Hand ``records`` to the producer in per-partition batches; one acknowledgement future per batch.

    ``partitions`` caches each topic's partitions (fixed at creation: ``ap_runtime.kafka.ensure_topics``).
    """
    open_batches: dict[tuple[str, int], Any] = {}
    acks: list[asyncio.Future[Any]] = []
    for topic, key, value, headers in records:
        if topic not in partitions:
            partitions[topic] = sorted(await producer.partitions_for(topic))
        every = partitions[topic]
        place = (topic, partition_for(topic, key, every))
        batch = open_batches.get(place)
        if batch is None:
            batch = open_batches[place] = producer.create_batch()
        if batch.append(key=key, value=value, timestamp=None, headers=headers) is None:
            acks.append(await _close_and_send(producer, batch, place))  # full: on its way, in order
            batch = open_batches[place] = producer.create_batch()
            if batch.append(key=key, value=value, timestamp=None, headers=headers) is None:
                raise RecordTooLarge(f"a record for {topic} is larger than a whole record batch")
    for place, batch in open_batches.items():
        acks.append(await _close_and_send(producer, batch, place))
    return acks


async def _close_and_send(producer: AIOKafkaProducer, batch: Any, place: tuple[str, int]) -> asyncio.Future[Any]:
    batch.close()
    future: asyncio.Future[Any] = await producer.send_batch(batch, place[0], partition=place[1])
    return future
