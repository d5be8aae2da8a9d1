"""What the write path waits for at a low rate (issue 11: p99 at 1,000 events/s within 1.2x the baseline).

Neither the relay nor a projection runner waits for records that are not there: the relay's producer
sends a batch without lingering for more, and a runner's poll after an empty one comes within 5 ms.
"""

from __future__ import annotations

from typing import Any, cast

import asyncpg
import pytest
from faststream.kafka import KafkaBroker

from ap_runtime import relay as relay_module
from ap_runtime.kafka import broker_security
from ap_runtime.projection import ProjectionRunner
from ap_testing.projections import CounterProjection


def test_the_relay_producer_sends_without_lingering(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: dict[str, Any] = {}

    def producer(bootstrap: str, **overrides: Any) -> object:
        asked.update(overrides, bootstrap=bootstrap)
        return object()

    monkeypatch.setattr(relay_module, "idempotent_producer", producer)
    relay_module.Relay(cast(asyncpg.Pool, None), "127.0.0.1:1", "r").new_producer()
    assert asked == {"bootstrap": "127.0.0.1:1", "linger_ms": 0}


def test_a_runner_polls_again_within_5_ms_of_an_empty_poll() -> None:
    broker = KafkaBroker("127.0.0.1:1", security=broker_security())
    ProjectionRunner(CounterProjection(topics=("t",)), cast(asyncpg.Pool, None), "127.0.0.1:1").attach(broker)
    (subscriber,) = broker.subscribers
    assert cast(Any, subscriber).batch_timeout_ms == 5
