"""Kafka adapters shared by the relay and the projection runner: producer, topics, record encoding."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from aiokafka import AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from ap_contracts.envelope import EventEnvelope
from ap_contracts.topics import PARTITIONS
from ap_runtime.eventstore.models import EncodedEvent, StoredEvent

Headers = list[tuple[str, bytes]]


def idempotent_producer(bootstrap: str, **overrides: Any) -> AIOKafkaProducer:
    """A producer that cannot duplicate or reorder its own retries (acks=all, idempotence on)."""
    options: dict[str, Any] = {
        "bootstrap_servers": bootstrap,
        "enable_idempotence": True,
        "acks": "all",
        "linger_ms": 5,
        "max_batch_size": 512 * 1024,
        "compression_type": None,
        "request_timeout_ms": 30_000,
    }
    options.update(overrides)
    return AIOKafkaProducer(**options)


async def ensure_topics(bootstrap: str, topics: Iterable[str], partitions: int = PARTITIONS) -> None:
    """Create event topics up front with fixed partitions and infinite retention (never compacted)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        wanted = [
            NewTopic(name=t, num_partitions=partitions, replication_factor=1,
                     topic_configs={"retention.ms": "-1", "cleanup.policy": "delete"})
            for t in set(topics) if t not in existing
        ]
        if wanted:
            try:
                await admin.create_topics(wanted)
            except TopicAlreadyExistsError:
                pass
    finally:
        await admin.close()


def encode_event(event: StoredEvent | EncodedEvent) -> tuple[bytes, bytes, Headers]:
    """Key (stream id: keeps a pupil's or budget's events in one partition, in order), value, headers."""
    value = event.envelope_json if isinstance(event, EncodedEvent) else event.envelope().model_dump_json().encode()
    headers: Headers = [
        ("ap-event-id", str(event.event_id).encode()),
        ("ap-event-type", event.event_type.encode()),
        ("ap-schema-version", str(event.schema_version).encode()),
        ("correlation_id", str(event.correlation_id).encode()),
    ]
    if event.causation_id is not None:
        headers.append(("causation_id", str(event.causation_id).encode()))
    return event.stream_id.encode(), value, headers


def decode_envelope(value: bytes) -> EventEnvelope:
    return EventEnvelope.model_validate_json(value)


def header(headers: Iterable[tuple[str, bytes]], name: str) -> str | None:
    for key, raw in headers:
        if key == name:
            return raw.decode()
    return None


def json_bytes(data: Any) -> bytes:
    return json.dumps(data, separators=(",", ":"), default=str).encode()


async def topic_partitions(bootstrap: str, topics: Iterable[str]) -> list[TopicPartition]:
    """Every partition of ``topics`` as the broker describes them (absent topics give none)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        described = await admin.describe_topics(list(topics))
    finally:
        await admin.close()
    return sorted(
        TopicPartition(d["topic"], p["partition"])
        for d in described if not d.get("error_code")
        for p in d.get("partitions", [])
    )
