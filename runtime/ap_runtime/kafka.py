"""Kafka adapters shared by the relay and the projection runner: producer, topics, record encoding."""

from __future__ import annotations

import functools
import json
import ssl
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aiokafka import AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError
from faststream.security import SASLScram512

from ap_contracts.cloudevents import CONTENT_TYPE, CONTENT_TYPE_HEADER, SPEC_VERSION, cloudevent_source, cloudevent_type
from ap_contracts.envelope import EventEnvelope
from ap_contracts.events.base import UnknownEventType, event_model
from ap_contracts.schema_tools import CONTRACT_EVENTS_PACKAGE, SCHEMA_BASE_URI, event_schema_path
from ap_contracts.topics import PARTITIONS
from ap_runtime.eventstore.models import EncodedEvent, StoredEvent
from ap_runtime.settings import platform_settings

Headers = list[tuple[str, bytes]]


SECURITY_PROTOCOL_ENV = "AP_KAFKA_SECURITY_PROTOCOL"
USERNAME_ENV = "AP_KAFKA_USERNAME"
PASSWORD_ENV = "AP_KAFKA_PASSWORD"  # noqa: S105  # nosec B105  # the variable's name, not a password
SASL_MECHANISM = "SCRAM-SHA-512"


@dataclass(frozen=True, slots=True)
class KafkaSecurity:
    """How this process authenticates to Kafka: its SCRAM-SHA-512 principal, or plaintext when unset.

    Rule served (issue 9, transport): every Kafka client of the platform gets its security settings
    here, from ``AP_KAFKA_SECURITY_PROTOCOL`` (PLAINTEXT, SASL_PLAINTEXT or SASL_SSL; default
    SASL_PLAINTEXT when a username is set, else PLAINTEXT), ``AP_KAFKA_USERNAME`` and
    ``AP_KAFKA_PASSWORD``. The broker's ACLs (``ap_runtime.kafka_acls``) then decide which topics
    and consumer groups the principal may use.
    """

    protocol: str = "PLAINTEXT"
    username: str | None = None
    password: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> KafkaSecurity:
        settings = platform_settings(env)  # refuses an unknown protocol by its variable's name
        username = settings.kafka_username
        protocol = settings.kafka_security_protocol or ("SASL_PLAINTEXT" if username else "PLAINTEXT")
        password = settings.kafka_password.get_secret_value() if settings.kafka_password else None
        if protocol != "PLAINTEXT" and not (username and password):
            raise ValueError(f"{SECURITY_PROTOCOL_ENV}={protocol} needs {USERNAME_ENV} and {PASSWORD_ENV}")
        return cls(protocol, username, password)

    @property
    def sasl(self) -> bool:
        return self.protocol != "PLAINTEXT"


def client_security(security: KafkaSecurity | None = None) -> dict[str, Any]:
    """Keyword arguments for every aiokafka producer, consumer and admin client of the platform."""
    chosen = security or KafkaSecurity.from_env()
    if not chosen.sasl:
        return {"security_protocol": "PLAINTEXT"}
    options: dict[str, Any] = {
        "security_protocol": chosen.protocol,
        "sasl_mechanism": SASL_MECHANISM,
        "sasl_plain_username": chosen.username,
        "sasl_plain_password": chosen.password,
    }
    if chosen.protocol == "SASL_SSL":
        options["ssl_context"] = ssl.create_default_context()
    return options


def broker_security(security: KafkaSecurity | None = None) -> SASLScram512 | None:
    """The same settings for a FastStream ``KafkaBroker(..., security=broker_security())``."""
    chosen = security or KafkaSecurity.from_env()
    if not chosen.sasl:
        return None
    if chosen.username is None or chosen.password is None:  # from_env refuses this; a hand-made one may not
        raise ValueError("SASL needs AP_KAFKA_USERNAME and AP_KAFKA_PASSWORD")
    return SASLScram512(chosen.username, chosen.password, use_ssl=chosen.protocol == "SASL_SSL")


def admin_client(bootstrap: str, **overrides: Any) -> AIOKafkaAdminClient:
    """An admin client with this process's Kafka security settings."""
    return AIOKafkaAdminClient(bootstrap_servers=bootstrap, **client_security(), **overrides)


def idempotent_producer(bootstrap: str, **overrides: Any) -> AIOKafkaProducer:
    """A producer that cannot duplicate or reorder its own retries (acks=all, idempotence on)."""
    options: dict[str, Any] = {
        **client_security(),
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
    """Create event topics up front with fixed partitions and infinite retention (never compacted).

    Why ``PARTITIONS`` (6): a consumer group shares a topic's partitions, so the partition count is
    the most runners of one projection (or command consumers) that do work at once. It is fixed at
    creation because adding partitions later moves stream keys to other partitions and breaks
    per-stream order. 6 lets the fault test's three runners, and up to six in a region, share a topic,
    and divides evenly by 1, 2, 3 and 6 replicas. Throughput does not call for more: one runner applies
    about 9,000 events/s here (``make bench``), far above a region's daily writes and enough to load
    a term's history in minutes; a second and third replica are for availability (a rebalance moves
    a dead runner's partitions in seconds). More partitions would lengthen every rebalance and the
    single-broker development setup's start-up for no gain.
    """
    admin = admin_client(bootstrap)
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


def encode_event(event: StoredEvent | EncodedEvent, topic: str | None = None) -> tuple[bytes, bytes, Headers]:
    """Key (stream id: keeps a pupil's or budget's events in one partition, in order), value, headers.

    The headers carry the platform's own ``ap-*`` and correlation headers (what its consumers read)
    and the CloudEvents attributes of the Kafka binding in binary mode (``ap_contracts.cloudevents``),
    so any CloudEvents consumer can read the record. ``topic`` is where the record goes; it names the
    source only for an event without a contract in this process (the runtime's own test events).
    """
    if isinstance(event, EncodedEvent):
        value = event.envelope_json
        occurred_at = event.occurred_at or _occurred_at_of(value)
    else:
        value = event.envelope().model_dump_json().encode()
        occurred_at = event.occurred_at
    key = event.stream_id.encode()
    causation_id = None if event.causation_id is None else str(event.causation_id).encode()
    return key, value, record_headers(event.event_type, event.schema_version, topic, str(event.event_id).encode(),
                                      str(event.correlation_id).encode(), causation_id, _rfc3339(occurred_at), key)


def record_headers(event_type: str, schema_version: int, topic: str | None, event_id: bytes,
                   correlation_id: bytes, causation_id: bytes | None, ce_time: bytes, stream_id: bytes) -> Headers:
    """A record's headers from its values already encoded (the relay has PostgreSQL render them: issue 11).

    ``ce_time`` is the RFC 3339 form of ``occurred_at`` that ``datetime.isoformat`` gives in UTC.
    """
    kind = _type_headers(event_type, schema_version, topic)
    headers: Headers = [("ap-event-id", event_id), kind.event_type, kind.schema_version,
                        ("correlation_id", correlation_id)]
    if causation_id is not None:
        headers.append(("causation_id", causation_id))
    headers += (_SPEC_VERSION, ("ce_id", event_id), kind.source, kind.ce_type, ("ce_time", ce_time),
                ("ce_subject", stream_id), _CONTENT_TYPE, *kind.dataschema)
    return headers


_SPEC_VERSION = ("ce_specversion", SPEC_VERSION.encode())
_CONTENT_TYPE = (CONTENT_TYPE_HEADER, CONTENT_TYPE.encode())


@dataclass(frozen=True, slots=True)
class _TypeHeaders:
    """The headers every record of one event type and schema version carries alike, built once.

    Issue 11: the relay encodes every event it publishes; these were rebuilt and re-encoded for each.
    """

    event_type: tuple[str, bytes]
    schema_version: tuple[str, bytes]
    source: tuple[str, bytes]
    ce_type: tuple[str, bytes]
    dataschema: tuple[tuple[str, bytes], ...]  # empty for an event without a committed schema


@functools.lru_cache(maxsize=1024)
def _type_headers(event_type: str, schema_version: int, topic: str | None) -> _TypeHeaders:
    source, ce_type, dataschema = _cloudevent_names(event_type, schema_version, topic)
    return _TypeHeaders(("ap-event-type", event_type.encode()), ("ap-schema-version", str(schema_version).encode()),
                        ("ce_source", source), ("ce_type", ce_type),
                        () if dataschema is None else (("ce_dataschema", dataschema),))


def _cloudevent_names(event_type: str, schema_version: int, topic: str | None) -> tuple[bytes, bytes, bytes | None]:
    """``ce_source``, ``ce_type`` and ``ce_dataschema`` of an event type: from its contract's topic."""
    try:
        model = event_model(event_type, schema_version)
    except UnknownEventType:
        if topic is None:
            raise
        return (cloudevent_source(topic).encode(),
                cloudevent_type(topic, event_type, schema_version).encode(), None)
    source = cloudevent_source(model.topic).encode()
    ce_type = cloudevent_type(model.topic, event_type, schema_version).encode()
    if not model.__module__.startswith(CONTRACT_EVENTS_PACKAGE):  # a test's own event: no committed schema
        return source, ce_type, None
    dataschema = SCHEMA_BASE_URI + str(event_schema_path(model.topic, event_type, schema_version))
    return source, ce_type, dataschema.encode()


def _rfc3339(moment: datetime) -> bytes:
    if moment.tzinfo is None:  # the store keeps timestamptz; a naive time could not say which instant
        raise ValueError("occurred_at has no time zone: the CloudEvents time must be RFC 3339")
    return moment.isoformat().encode()


def _occurred_at_of(envelope_json: bytes) -> datetime:
    # Only for an EncodedEvent built without its occurred_at (the store's fast path selects it).
    return datetime.fromisoformat(json.loads(envelope_json)["occurred_at"])


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
    admin = admin_client(bootstrap)
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
