"""The shared fixtures reach real servers: a fresh PostgreSQL database and a Kafka round trip."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient

from ap_runtime.kafka import client_security
from ap_testing.infra import NewDatabase, NewTopicFactory, UniqueTopic

pytestmark = pytest.mark.integration


async def test_new_database_is_a_fresh_database_on_the_real_server(new_database: NewDatabase) -> None:
    dsn = await new_database("infra servers")
    connection = await asyncpg.connect(dsn)
    try:
        name = await connection.fetchval("SELECT current_database()")
        await connection.execute("CREATE TABLE probe (id int PRIMARY KEY, note text NOT NULL)")
        await connection.execute("INSERT INTO probe VALUES (1, 'written')")
        note = await connection.fetchval("SELECT note FROM probe WHERE id = 1")
        version = await connection.fetchval("SHOW server_version_num")
    finally:
        await connection.close()
    assert name.startswith("test_infra_servers_")
    assert dsn.endswith("/" + name)
    assert note == "written"
    assert int(version) >= 130000  # DROP DATABASE ... WITH (FORCE) needs 13+


async def test_two_databases_never_share_a_name(new_database: NewDatabase) -> None:
    first, second = await asyncio.gather(new_database("twin"), new_database("twin"))
    assert first != second


async def test_created_topic_has_the_requested_partitions(kafka_bootstrap: str, new_topic: NewTopicFactory) -> None:
    topic = await new_topic("infra partitions", partitions=3)
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka_bootstrap, **client_security())
    await admin.start()
    try:
        described = await admin.describe_topics([topic])
    finally:
        await admin.close()
    assert topic.startswith("test-infra-partitions-")
    assert len(described[0]["partitions"]) == 3


async def test_record_round_trips_through_the_real_broker(kafka_bootstrap: str, new_topic: NewTopicFactory) -> None:
    topic = await new_topic("infra roundtrip", partitions=1)
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, **client_security(),
                                acks="all", enable_idempotence=True)
    await producer.start()
    try:
        sent = await producer.send_and_wait(topic, key=b"stream-1", value=b"hello", headers=[("h", b"1")])
    finally:
        await producer.stop()
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=kafka_bootstrap, **client_security(), auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    try:
        record = await asyncio.wait_for(consumer.getone(), timeout=30)
    finally:
        await consumer.stop()
    assert (record.key, record.value, list(record.headers)) == (b"stream-1", b"hello", [("h", b"1")])
    assert record.offset == sent.offset


def test_unique_topic_names_are_unique_and_legal(unique_topic: UniqueTopic) -> None:
    names = {unique_topic("Orders/Events v1") for _ in range(50)}
    assert len(names) == 50
    for name in names:
        assert name.startswith("test-orders-events-v1-")
        assert set(name) <= set("abcdefghijklmnopqrstuvwxyz0123456789.-")
