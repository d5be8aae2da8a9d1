"""The command consumer's process settles the collector once it has opened what it uses (issue 11).

Rule served: the Kafka burst drained at no less than the HTTP rate: the consumer's CPU goes to
commands, not to young collections every 700 allocations and full ones over what start-up made
(``ap_runtime.gc_tuning``). A test's consumer (``start``) leaves the test process's collector alone.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from typing import Any
from uuid import uuid4

import pytest

from ap_incidents.entrypoints.commands import CommandConsumer
from ap_runtime.gc_tuning import SERVING_THRESHOLDS

from .conftest import ServiceUnderTest

pytestmark = pytest.mark.integration


async def _consumer(service: ServiceUnderTest, new_topic: Callable[..., Any], name: str) -> CommandConsumer:
    """A consumer on topics and a group of its own (not started)."""
    return CommandConsumer(service.deps, service.bootstrap, commands_topic=await new_topic(f"{name}-commands"),
                           results_topic=await new_topic(f"{name}-results"), group_id=f"test-{name}-{uuid4().hex[:8]}")


async def test_the_serving_start_up_opens_the_consumer_then_settles_the_collector(
        service: ServiceUnderTest, new_topic: Callable[..., Any]) -> None:
    consumer = await _consumer(service, new_topic, "serving")
    thresholds = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    try:
        await consumer.open_for_serving()
        assert consumer._producer is not None  # opened first: what it opened is frozen with the rest
        assert gc.get_threshold() == SERVING_THRESHOLDS
        assert gc.get_freeze_count() > 0
        assert not any(o is consumer._producer for o in gc.get_objects())
    finally:
        await consumer.stop()
        gc.unfreeze()
        gc.set_threshold(*thresholds)


async def test_a_tests_consumer_leaves_the_collector_alone(
        service: ServiceUnderTest, new_topic: Callable[..., Any]) -> None:
    consumer = await _consumer(service, new_topic, "plain")
    thresholds = gc.get_threshold()
    try:
        await consumer.start()
        assert gc.get_threshold() == thresholds
        assert any(o is consumer._producer for o in gc.get_objects())
    finally:
        await consumer.stop()
