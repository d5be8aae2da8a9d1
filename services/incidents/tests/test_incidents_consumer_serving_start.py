"""The command consumer's process settles the collector once it has opened what it uses (issue 11).

Rule served: the Kafka burst drained at no less than the HTTP rate: the consumer's CPU goes to
commands, not to young collections every 700 allocations and full ones over what start-up made
(``ap_runtime.gc_tuning``). Its process runs under ``run_until_stopped``, which settles once the app
has started; a test's consumer (``start``) leaves the test process's collector alone.
"""

from __future__ import annotations

import asyncio
import gc
import os
import signal
from collections.abc import Callable
from typing import Any
from uuid import uuid4

import pytest

from ap_incidents.entrypoints.commands import CommandConsumer
from ap_runtime.gc_tuning import SERVING_THRESHOLDS
from ap_runtime.worker import run_until_stopped
from ap_testing.collector import collector_restored, collector_walks  # noqa: F401 - a fixture, found by its name

from .conftest import ServiceUnderTest

pytestmark = pytest.mark.integration


async def _consumer(service: ServiceUnderTest, new_topic: Callable[..., Any], name: str) -> CommandConsumer:
    """A consumer on topics and a group of its own (not started)."""
    return CommandConsumer(service.deps, service.bootstrap, commands_topic=await new_topic(f"{name}-commands"),
                           results_topic=await new_topic(f"{name}-results"), group_id=f"test-{name}-{uuid4().hex[:8]}")


@pytest.mark.usefixtures("collector_restored")
async def test_the_consumers_process_settles_the_collector_once_it_has_opened_the_consumer(
        service: ServiceUnderTest, new_topic: Callable[..., Any]) -> None:
    consumer = await _consumer(service, new_topic, "serving")
    gc.set_threshold(700, 10, 10)
    process = asyncio.create_task(run_until_stopped(consumer.faststream_app()))
    try:
        for _ in range(300):
            if gc.get_threshold() == SERVING_THRESHOLDS or process.done():
                break
            await asyncio.sleep(0.1)
        assert gc.get_threshold() == SERVING_THRESHOLDS
        assert consumer._producer is not None  # opened first: what it opened is frozen with the rest
        assert not collector_walks(consumer._producer)
    finally:
        os.kill(os.getpid(), signal.SIGTERM)
        await asyncio.wait_for(process, timeout=30)


async def test_a_tests_consumer_leaves_the_collector_alone(
        service: ServiceUnderTest, new_topic: Callable[..., Any]) -> None:
    consumer = await _consumer(service, new_topic, "plain")
    thresholds = gc.get_threshold()
    try:
        await consumer.start()
        assert gc.get_threshold() == thresholds
        assert collector_walks(consumer._producer)
    finally:
        await consumer.stop()
