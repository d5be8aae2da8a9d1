"""SASL/SCRAM and ACLs on the real broker: a service principal may use its own topics and no other.

Rule served: issue 9 transport: "a service may produce and consume only its own topics". The
grants are the platform's own (``ap_runtime.kafka_acls.platform_grants``), applied with Kafka's
AclCommand to a fresh principal and fresh topics, as kafka.sh applies them to ``ap-finance``.
Needs the SASL broker ``make up`` starts (its admin credentials in AP_KAFKA_*): on a plaintext
broker the test fails, saying so.
"""

from __future__ import annotations

import asyncio
import os
import secrets
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.errors import KafkaConnectionError, TopicAuthorizationFailedError

from ap_runtime import kafka_acls
from ap_runtime.kafka import KafkaSecurity, admin_client, client_security
from ap_runtime.testing.infra import NewTopicFactory

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="session")]


def _kafka_libs() -> Path:
    state = Path(os.environ.get("AP_STATE_DIR", Path.home() / ".cache" / "ap-platform"))
    libs = Path(os.environ.get("AP_KAFKA_LIBS", state / "kafka" / "libs"))
    assert any(libs.glob("kafka-tools-*.jar")), f"Kafka's tools are not in {libs} (deploy/local/kafka.sh fetches them)"
    return libs


async def test_a_service_principal_is_allowed_its_topics_and_refused_the_others(
    kafka_bootstrap: str, new_topic: NewTopicFactory, tmp_path: Path,
) -> None:
    admin = KafkaSecurity.from_env()
    assert admin.sasl and admin.password, (
        "the broker under test must run SASL/SCRAM with ACLs (deploy/local/kafka.sh start) and AP_KAFKA_USERNAME/"
        "AP_KAFKA_PASSWORD must name its admin: `make test` passes them"
    )
    # The admin works: it creates the topics (and with them proves its super-user rights).
    topics = kafka_acls.Topics(
        finance_events=await new_topic("acl-finance-events"),
        incidents_events=await new_topic("acl-incidents-events"),
        incidents_commands=await new_topic("acl-incidents-commands"),
    )
    prefix = f"t{secrets.token_hex(4)}-"
    finance = f"{prefix}finance"
    password = secrets.token_hex(16)
    config = tmp_path / "admin.properties"
    config.write_text(kafka_acls.admin_properties(admin.password, admin.username or kafka_acls.ADMIN))
    libs = _kafka_libs()
    grants = [g for g in kafka_acls.platform_grants(topics, principal_prefix=prefix) if g.principal == finance]
    await asyncio.to_thread(kafka_acls.add_scram_user, finance, password, kafka_bootstrap, config, libs)
    await asyncio.to_thread(kafka_acls.apply, grants, kafka_bootstrap, config, libs)
    as_finance = KafkaSecurity("SASL_PLAINTEXT", finance, password)

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
    assert KafkaSecurity.from_env().sasl, "the broker under test must run SASL/SCRAM (deploy/local/kafka.sh start)"
    anonymous = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, **client_security(KafkaSecurity()),
                                 request_timeout_ms=5_000)
    with pytest.raises(KafkaConnectionError):
        await anonymous.start()
    await anonymous.stop()
