"""A projection that fails while it holds decrypted data records the exception's type and place only
(issue 9): never its text, which can repeat the pupil's data, in the log, the dead-letter table or
the dead-letter topic's headers. An undecodable envelope is described by its fields, never its values."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from uuid import uuid4

import asyncpg
import pytest
from aiokafka import AIOKafkaConsumer
from structlog.testing import capture_logs

from ap_contracts.envelope import Actor, EventEnvelope
from ap_contracts.topics import dead_letter_topic
from ap_runtime.kafka import client_security, ensure_topics
from ap_runtime.projection import ProjectionRunner, read_model
from ap_runtime.projection.base import Projection, ReceivedEvent

pytestmark = pytest.mark.integration

NARRATIVE = "Bruising on both arms, disclosed to the keyworker"


class LeakyProjection(Projection):
    """Fails with an exception whose text repeats the event's (decrypted) narrative."""

    name = "leaky"

    def __init__(self, topic: str) -> None:
        self.topics = (topic,)

    async def setup(self, conn: asyncpg.Connection) -> None:
        await conn.execute("CREATE TABLE IF NOT EXISTS leaky (id int)")

    async def apply(self, conn: asyncpg.Connection, event: ReceivedEvent) -> None:
        raise ValueError(f"cannot store concern {event.payload['concern']!r}")

    async def apply_batch(self, conn: asyncpg.Connection, events: Sequence[ReceivedEvent]) -> None:
        for event in events:
            await self.apply(conn, event)


@dataclass
class Record:
    topic: str
    value: bytes | None
    offset: int = 0
    partition: int = 0
    key: bytes | None = b"pupil-1"
    headers: Sequence[tuple[str, bytes]] = field(default_factory=list)


def envelope_bytes() -> bytes:
    return EventEnvelope(
        event_type="SafeguardingConcernRaised", schema_version=1, stream_id="pupil-1", stream_version=1,
        occurred_at=datetime(2025, 3, 10, tzinfo=UTC), actor=Actor(user_id="u", organisation_id="p"),
        organisation_id="p", correlation_id=uuid4(), payload={"concern": NARRATIVE},
    ).model_dump_json().encode()


async def test_the_log_the_table_and_the_topic_name_the_exception_type_and_place_only(
        new_database: Callable[[str], object], new_topic: Callable[..., object], kafka_bootstrap: str) -> None:
    topic = await new_topic("leaky", partitions=1)  # type: ignore[misc]
    await ensure_topics(kafka_bootstrap, [dead_letter_topic(topic)], partitions=1)
    pool = await asyncpg.create_pool(await new_database("leaky"), min_size=1, max_size=2)  # type: ignore[misc]
    runner = ProjectionRunner(LeakyProjection(topic), pool, kafka_bootstrap, max_attempts=2)
    await runner.start()
    bad_json = b'{"event_type": "X", "stream_id": "' + NARRATIVE.encode() + b'"}'
    try:
        with capture_logs() as logs:
            await runner.apply_records([Record(topic, envelope_bytes(), offset=0), Record(topic, bad_json, offset=1)])
    finally:
        await runner.stop()
    async with read_model(pool, "leaky") as conn:
        errors = [r["error"] for r in await conn.fetch("SELECT error FROM dead_letters")]
    await pool.close()
    consumer = AIOKafkaConsumer(dead_letter_topic(topic), bootstrap_servers=kafka_bootstrap, group_id=None,
                                auto_offset_reset="earliest", **client_security())
    await consumer.start()
    try:
        got = await consumer.getmany(timeout_ms=10_000)
    finally:
        await consumer.stop()
    dlt_errors = [dict(r.headers)["ap-dlt-error"].decode() for rs in got.values() for r in rs]

    assert len(errors) == 1, errors
    assert re.fullmatch(r"ValueError at [\w.]*test_runtime_dead_letter_privacy:\d+", errors[0]), errors
    # The undecodable record may be dead-lettered twice (the failed whole-batch pass, then the careful one).
    assert errors[0] in dlt_errors
    undecodable = {e for e in dlt_errors if e != errors[0]}
    assert len(undecodable) == 1 and undecodable.pop().startswith("undecodable envelope: schema_version: ")
    written = repr(logs) + repr(errors) + repr(dlt_errors)
    assert "Bruising" not in written and "keyworker" not in written
    assert any(entry.get("error") == errors[0] for entry in logs)
