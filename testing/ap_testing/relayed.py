"""A projection fed the way production feeds it, for pipeline tests: events already in an event store are relayed to
a Kafka topic and applied by the projection's runner, until a given number are applied (or 90 s pass).

Several pipeline tests wrote these lines each (the early-warning and history tests, reporting's pipeline helper);
new ones call ``relay_and_apply``.
"""

from __future__ import annotations

import asyncio
from uuid import uuid4

import asyncpg

from ap_runtime.projection.base import Projection
from ap_runtime.projection.runner import ProjectionRunner, build_app
from ap_runtime.relay import Relay


async def run_until_applied(runner: ProjectionRunner, kafka_bootstrap: str, total: int,
                            timeout_seconds: float = 90) -> None:
    """Run ``runner`` on its own broker until it has applied ``total`` events, then stop it."""
    app = build_app([runner], kafka_bootstrap)
    async with app.broker:  # type: ignore[union-attr]
        await runner.start()
        await app.broker.start()  # type: ignore[union-attr]
        deadline = asyncio.get_running_loop().time() + timeout_seconds
        while runner.applied < total:
            assert asyncio.get_running_loop().time() < deadline, f"applied {runner.applied}/{total}"
            await asyncio.sleep(0.2)
        await runner.stop()


async def relay_and_apply(store_pool: asyncpg.Pool, topic: str, projection: Projection, read_pool: asyncpg.Pool,
                          kafka_bootstrap: str, total: int) -> None:
    """Relay ``store_pool``'s events to ``topic`` while ``projection`` (reading ``topic``) applies ``total`` of them
    into ``read_pool``; the relay stops once they are applied."""
    stop = asyncio.Event()
    relay = asyncio.create_task(
        Relay(store_pool, kafka_bootstrap, f"relay-{uuid4().hex}", topic_override=topic).run(stop))
    try:
        runner = ProjectionRunner(projection, read_pool, kafka_bootstrap, group_id=f"relayed-{uuid4().hex}")
        await run_until_applied(runner, kafka_bootstrap, total)
    finally:
        stop.set()
        await relay
