"""Event records carry the CloudEvents 1.0 attributes in Kafka binary mode, mapped from their envelope.

Rule served (issue 10): any CloudEvents consumer can read the event topics. The ``cloudevents``
package is not a dependency, so the CloudEvents Kafka protocol binding (1.0) is checked here by its
rules: in binary mode each context attribute is a header named ``ce_<attribute>`` (lower-case
letters and digits) holding its value as UTF-8 text, ``datacontenttype`` is the ``content-type``
header and the record value is the data; ``specversion``, ``id``, ``source`` (a URI reference) and
``type`` are required and non-empty; ``time`` is an RFC 3339 timestamp; ``dataschema`` an absolute
URI. The relay runs in this process on a real event store and broker; records are read back from Kafka.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from urllib.parse import urlsplit
from uuid import UUID, uuid4

import asyncpg
import pytest
from aiokafka import AIOKafkaConsumer
from aiokafka.structs import ConsumerRecord

from ap_contracts.envelope import EventEnvelope, OrgKind
from ap_contracts.events.organisations import OrganisationRegistered
from ap_contracts.schema_tools import SCHEMAS_DIR
from ap_runtime.eventstore import Checkpoint, EventStore, NewEvent
from ap_runtime.eventstore.models import EncodedEvent
from ap_runtime.kafka import client_security, encode_event, topic_partitions
from ap_runtime.relay import Relay

from .conftest import ACTOR, counter_events, wait_until

pytestmark = pytest.mark.integration

ATTRIBUTE_HEADER = re.compile(r"^ce_[a-z0-9]{1,20}$")
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")
REQUIRED = ("ce_specversion", "ce_id", "ce_source", "ce_type")


def binding_problems(record: ConsumerRecord[bytes, bytes]) -> list[str]:
    """Where a record breaks the CloudEvents Kafka binding in binary mode (empty when it keeps it)."""
    problems: list[str] = []
    names = [key for key, _ in record.headers]
    attributes = [name for name in names if name.startswith("ce_")]
    problems += [f"{name}: not a valid attribute header name" for name in attributes
                 if not ATTRIBUTE_HEADER.match(name)]
    problems += [f"{name}: appears more than once" for name in set(names) if names.count(name) > 1
                 and (name.startswith("ce_") or name == "content-type")]
    if "ce_datacontenttype" in attributes:
        problems.append("ce_datacontenttype: binary mode carries it as content-type")
    values = {key: bytes(value).decode("utf-8") for key, value in record.headers}
    problems += [f"{name}: required and missing or empty" for name in REQUIRED if not values.get(name)]
    if values.get("ce_specversion") != "1.0":
        problems.append("ce_specversion: must be 1.0")
    source = values.get("ce_source", "")
    if re.search(r"\s", source) or not urlsplit(source).path:
        problems.append("ce_source: not a URI reference")
    if "ce_time" in values and not RFC3339.match(values["ce_time"]):
        problems.append("ce_time: not an RFC 3339 timestamp")
    if "ce_dataschema" in values and not (urlsplit(values["ce_dataschema"]).scheme
                                         and urlsplit(values["ce_dataschema"]).netloc):
        problems.append("ce_dataschema: not an absolute URI")
    if values.get("content-type") != "application/json":
        problems.append("content-type: the data is JSON")
    return problems


async def _read(bootstrap: str, topic: str, count: int) -> list[ConsumerRecord[bytes, bytes]]:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, **client_security())
    await consumer.start()
    records: list[ConsumerRecord[bytes, bytes]] = []
    try:
        partitions = await topic_partitions(bootstrap, [topic])
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)

        async def enough() -> bool:
            for batch in (await consumer.getmany(timeout_ms=500)).values():
                records.extend(batch)
            return len(records) >= count

        await wait_until(enough, timeout=60)
    finally:
        await consumer.stop()
    return records


def _headers(record: ConsumerRecord[bytes, bytes]) -> dict[str, str]:
    return {key: bytes(value).decode() for key, value in record.headers}


async def test_a_relayed_record_carries_the_cloudevents_attributes_of_its_envelope(
    store: EventStore, store_db: tuple[str, asyncpg.Pool], new_topic: Callable[[str], object], kafka_bootstrap: str,
) -> None:
    topic = await new_topic("cloudevents")  # type: ignore[misc]
    registered = OrganisationRegistered(organisation_id="home-school-2", kind=OrgKind.HOME_SCHOOL,
                                        local_authority_id="la-1")
    occurred = datetime(2026, 3, 4, 10, 15, 30, 123456, tzinfo=UTC)
    await store.append("organisation-home-school-2", 0, [NewEvent(registered, ACTOR, "platform", uuid4(),
                                                                  causation_id=uuid4(), occurred_at=occurred)])
    await store.append("c-1", 0, counter_events("c-1", 0, 1))
    stop = asyncio.Event()
    relay = asyncio.create_task(Relay(store_db[1], kafka_bootstrap, "ce", topic_override=topic).run(stop))
    try:
        records = await _read(kafka_bootstrap, topic, 2)
    finally:
        stop.set()
        await relay

    assert [binding_problems(r) for r in records] == [[], []]
    by_type = {EventEnvelope.model_validate_json(r.value or b"").event_type: r for r in records}
    organisation = by_type["OrganisationRegistered"]
    envelope = EventEnvelope.model_validate_json(organisation.value or b"")
    headers = _headers(organisation)
    committed = json.loads((SCHEMAS_DIR / "ap.incidents.events" / "OrganisationRegistered.v1.json").read_text())
    assert {name: headers[name] for name in headers if name.startswith("ce_") or name == "content-type"} == {
        "ce_specversion": "1.0",
        "ce_id": str(envelope.event_id),
        "ce_source": "/ap/incidents",
        "ce_type": "uk.gov.ap.incidents.OrganisationRegistered.v1",
        "ce_time": headers["ce_time"],
        "ce_subject": "organisation-home-school-2",
        "ce_dataschema": committed["$id"],
        "content-type": "application/json",
    }
    assert datetime.fromisoformat(headers["ce_time"]) == envelope.occurred_at == occurred
    # The platform's own headers stay for its consumers.
    assert UUID(headers["ap-event-id"]) == envelope.event_id
    assert (headers["ap-event-type"], headers["ap-schema-version"]) == ("OrganisationRegistered", "1")
    assert headers["correlation_id"] == str(envelope.correlation_id)
    assert headers["causation_id"] == str(envelope.causation_id)

    # An event without a committed contract (the runtime's test event) names its context and has no schema.
    counter = _headers(by_type["CounterIncremented"])
    assert (counter["ce_source"], counter["ce_type"]) == ("/ap/test", "uk.gov.ap.test.CounterIncremented.v1")
    assert "ce_dataschema" not in counter


async def test_an_event_read_one_by_one_is_encoded_as_the_relay_encodes_it(store: EventStore) -> None:
    """The slow path (a StoredEvent, as tests and tools publish) gives the same attributes as the relay's."""
    await store.append("c-2", 0, counter_events("c-2", 0, 1))
    [stored] = await store.read_stream("c-2")
    found: list[EncodedEvent] = []

    async def readable() -> bool:  # the relay's reader waits for older transactions server-wide
        found[:] = [e for e in await store.read_all_encoded(Checkpoint()) if e.event_id == stored.event_id]
        return bool(found)

    await wait_until(readable, timeout=60)
    [encoded] = found
    slow, fast = dict(encode_event(stored)[2]), dict(encode_event(encoded)[2])
    assert {k: v for k, v in slow.items() if k.startswith("ce_")} == {k: v for k, v in fast.items()
                                                                     if k.startswith("ce_")}
    assert datetime.fromisoformat(slow["ce_time"].decode()) == stored.occurred_at
