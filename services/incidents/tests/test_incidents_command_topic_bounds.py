"""The command topic keeps plaintext commands on the broker's disk for a bounded time only.

Rule served: a command record carries a pupil's personal values in clear, and the broker keeps a
deleted record in its segment file until the segment is removed (Kafka deletes whole segments).
So the topic rolls segments after minutes (``segment.ms``, ``segment.bytes``), keeps unprocessed
commands for a bounded time (``retention.ms``) and removes files promptly (``file.delete.delay.ms``);
these are set when the topic is created and corrected on start when the topic exists with others.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

from ap_incidents.adapters.command_topic_retention import (
    COMMAND_TOPIC_BOUNDS,
    ensure_command_topics,
    plaintext_bound_minutes,
)
from ap_runtime.kafka import client_security

pytestmark = pytest.mark.integration

# What the README promises: a processed command's plaintext is gone from the broker's disk within this.
PROMISED_MINUTES = 25
LIMITS = {"segment.ms": 5 * 60_000, "segment.bytes": 4 * 1024 * 1024, "retention.ms": 15 * 60_000,
          "file.delete.delay.ms": 0}


async def _configs(bootstrap: str, topic: str) -> dict[str, str]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, **client_security())
    await admin.start()
    try:
        [response] = await admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topic)])
    finally:
        await admin.close()
    return {entry[0]: entry[1] for resource in response.resources for entry in resource[4]}


def _within_bounds(configs: dict[str, str]) -> None:
    for name, limit in LIMITS.items():
        assert 0 <= int(configs[name]) <= limit, f"{name} is {configs[name]}, more than {limit}"
    assert configs["cleanup.policy"] == "delete"


def test_the_documented_bound_follows_from_the_settings() -> None:
    assert {name: int(value) for name, value in COMMAND_TOPIC_BOUNDS.items()} == LIMITS
    # segment.ms + retention.ms + the broker's default retention check (5 min) + file deletion delay (none)
    assert plaintext_bound_minutes() == PROMISED_MINUTES


async def test_a_new_command_topic_is_created_with_the_bounds(
        unique_topic: Callable[[str], str], kafka_bootstrap: str) -> None:
    commands = unique_topic("bounded-commands")
    await ensure_command_topics(kafka_bootstrap, commands, unique_topic("bounded-results"))
    _within_bounds(await _configs(kafka_bootstrap, commands))


async def test_an_existing_command_topic_with_looser_settings_is_corrected_on_start(
        unique_topic: Callable[[str], str], kafka_bootstrap: str,
        new_topic: Callable[..., Awaitable[str]]) -> None:
    commands = unique_topic("loose-commands")
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka_bootstrap, **client_security())
    await admin.start()
    try:  # as an operator or an older release left it: hour-long segments, a day's retention
        await admin.create_topics([NewTopic(commands, 1, 1, topic_configs={
            "segment.ms": str(3_600_000), "segment.bytes": str(1024 ** 3), "retention.ms": str(86_400_000),
            "file.delete.delay.ms": "60000", "max.message.bytes": "300000"})])
    finally:
        await admin.close()
    before = await _configs(kafka_bootstrap, commands)
    assert before["segment.ms"] == "3600000"
    await ensure_command_topics(kafka_bootstrap, commands, unique_topic("loose-results"))
    after = await _configs(kafka_bootstrap, commands)
    _within_bounds(after)
    assert after["max.message.bytes"] == "300000", "an operator's unrelated setting is kept"
