"""SASL/SCRAM and ACLs on the real broker: a service principal may use its own topics and no other.

Rule served: issue 9 transport: "a service may produce and consume only its own topics". The
grants are the platform's own (``ap_runtime.kafka_acls.platform_grants``), applied with Kafka's
AclCommand to a fresh principal and fresh topics, as kafka.sh applies them to ``ap-finance``.
Needs the SASL broker ``make up`` starts (its admin credentials in AP_KAFKA_*): on a plaintext
broker the test fails, saying so.
"""

from __future__ import annotations

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.errors import KafkaConnectionError, TopicAuthorizationFailedError

from ap_runtime import kafka_acls
from ap_runtime.kafka import KafkaSecurity, admin_client, client_security
from ap_testing.infra import NewTopicFactory
from ap_testing.kafka_principals import admin_security, new_principal

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="session")]


async def test_a_service_principal_is_allowed_its_topics_and_refused_the_others(
    kafka_bootstrap: str, new_topic: NewTopicFactory,
) -> None:
    admin_security()
    # The admin works: it creates the topics (and with them proves its super-user rights).
    topics = kafka_acls.Topics(
        finance_events=await new_topic("acl-finance-events"),
        incidents_events=await new_topic("acl-incidents-events"),
        incidents_commands=await new_topic("acl-incidents-commands"),
    )
    as_finance = await new_principal(kafka_bootstrap, "finance", topics)

    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, **client_security(as_finance),
                                request_timeout_ms=15_000)
    await producer.start()
    try:
        await producer.send_and_wait(topics.finance_events, b"own topic")  # its own events topic: allowed
        for foreign in (topics.incidents_commands, topics.incidents_events):
            with pytest.raises(TopicAuthorizationFailedError):
                await producer.send_and_wait(foreign, b"not yours")
    finally:
        await producer.stop()

    consumer = AIOKafkaConsumer(topics.incidents_commands, bootstrap_servers=kafka_bootstrap,
                                **client_security(as_finance), group_id=None, auto_offset_reset="earliest")
    with pytest.raises(TopicAuthorizationFailedError):
        await consumer.start()
        await consumer.getmany(timeout_ms=5_000)
    await consumer.stop()

    manager = admin_client(kafka_bootstrap)
    await manager.start()
    try:
        assert {topics.finance_events, topics.incidents_commands} <= set(await manager.list_topics())
    finally:
        await manager.close()


async def test_a_client_without_credentials_is_not_served(kafka_bootstrap: str) -> None:
    admin_security()
    anonymous = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, **client_security(KafkaSecurity()),
                                 request_timeout_ms=5_000)
    with pytest.raises(KafkaConnectionError):
        await anonymous.start()
    await anonymous.stop()
