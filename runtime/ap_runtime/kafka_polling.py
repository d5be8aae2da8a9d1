"""How a batch subscriber polls Kafka: it waits in the poll itself, never in a sleep after it.

Rule served (issue 11: p99 at 1,000 events/s for the projection runners, p50 under 15 ms at 100
commands/s for the incidents command consumer): FastStream's batch subscriber polls with
``getmany(timeout_ms=batch_timeout_ms)`` and, after an empty poll, sleeps ``batch_timeout_ms`` more
before the next. ``getmany`` returns as soon as records are there, but a record arriving during the
sleep waits it out: at 5 ms, up to 5 ms on a record at a low rate, and an idle subscriber polled 100
times a second. Here the poll waits up to ``wait_ms`` for records and returns with the first; only a
poll that came back empty early (it could not wait, e.g. before its partitions are assigned) sleeps
out the rest of ``wait_ms``, so the loop never spins. Used by ``ProjectionRunner.attach`` and the
incidents ``CommandConsumer``.

With ``hand``, the records a poll fetched go to ``hand`` from the poll itself and FastStream gets none:
its pipeline for each batch (every body decoded as JSON, the handler's ``Context`` fields resolved in a
worker thread, middlewares) is skipped, for a subscriber whose handler only passed the raw records on
(the command consumer: at 100 commands/s each command came in a batch of its own, so each paid a thread
hop and a JSON decoding of its body that nothing read).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from itertools import chain
from typing import Any

from aiokafka import AIOKafkaConsumer

# Takes the records of one poll (in offset order per partition) from the consumer that fetched them.
Hand = Callable[[AIOKafkaConsumer, tuple[Any, ...]], Awaitable[None]]


def poll_in_getmany(subscriber: Any, max_records: int, wait_ms: int, hand: Hand | None = None) -> None:
    """Make FastStream's ``BatchSubscriber`` (its consume loop calls ``get_msg``) poll as the module says;
    with ``hand``, the records go to ``hand`` and FastStream's loop is handed none."""

    async def get_msg(consumer: AIOKafkaConsumer) -> tuple[Any, ...]:
        loop = asyncio.get_running_loop()
        started = loop.time()
        messages = await consumer.getmany(timeout_ms=wait_ms, max_records=max_records)
        if not messages:
            await asyncio.sleep(max(0.0, wait_ms / 1000 - (loop.time() - started)))
            return ()
        records = tuple(chain.from_iterable(messages.values()))
        if hand is None:
            return records
        await hand(consumer, records)
        return ()

    subscriber.get_msg = get_msg
