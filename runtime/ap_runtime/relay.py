"""Relay from a service's event store to Kafka (transactional outbox, at-least-once).

Reads events after its checkpoint in commit-safe order (see eventstore.schema), publishes them with
an idempotent producer keyed by stream id, waits for every acknowledgement, then records the new
checkpoint. A crash between publishing and recording re-sends the tail: duplicates are possible
here by design and consumers remove them by event id.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import time

import asyncpg
from aiokafka.errors import KafkaError

from ap_contracts.events.base import event_model
from ap_contracts.events.catalogue import load_all
from ap_runtime.eventstore import Checkpoint, EventStore, migrate
from ap_runtime.eventstore.models import EncodedEvent, StoredEvent
from ap_runtime.eventstore.store import NOTIFY_CHANNEL
from ap_runtime.kafka import encode_event, ensure_topics, idempotent_producer
from ap_runtime.logging import configure_logging, get_logger
from ap_runtime.settings import Settings

log = get_logger("ap.relay")


def topic_of(event: StoredEvent | EncodedEvent) -> str:
    topic: str = event_model(event.event_type, event.schema_version).topic
    return topic


class Relay:
    def __init__(self, pool: asyncpg.Pool, bootstrap: str, name: str, batch_size: int = 500,
                 idle_poll_seconds: float = 0.05, topic_override: str | None = None) -> None:
        self._pool = pool
        self._store = EventStore(pool)
        self._bootstrap = bootstrap
        self._name = name
        self._batch_size = batch_size
        self._idle_poll = idle_poll_seconds
        self._wake = asyncio.Event()
        self._topic_override = topic_override
        self.published = 0

    def _topic(self, event: StoredEvent | EncodedEvent) -> str:
        return self._topic_override or topic_of(event)

    async def checkpoint(self) -> Checkpoint:
        row = await self._pool.fetchrow(
            "SELECT transaction_id::text::bigint AS t, position FROM relay_checkpoints WHERE relay = $1",
            self._name,
        )
        return Checkpoint() if row is None else Checkpoint(row["t"], row["position"])

    async def _save(self, cp: Checkpoint, count: int) -> None:
        await self._pool.execute(
            "INSERT INTO relay_checkpoints (relay, transaction_id, position, published)"
            " VALUES ($1, $2::text::xid8, $3, $4)"
            " ON CONFLICT (relay) DO UPDATE SET transaction_id = EXCLUDED.transaction_id,"
            " position = EXCLUDED.position, published = relay_checkpoints.published + $4, updated_at = now()",
            self._name, str(cp.transaction_id), cp.position, count,
        )

    async def run(self, stop: asyncio.Event | None = None) -> None:
        stop = stop or asyncio.Event()
        load_all()
        producer = idempotent_producer(self._bootstrap)
        await producer.start()
        listener = await self._pool.acquire()

        def wake(*_: object) -> None:
            self._wake.set()

        await listener.add_listener(NOTIFY_CHANNEL, wake)
        cp = await self.checkpoint()
        known_topics: set[str] = set()
        log.info("relay started", relay=self._name, checkpoint=cp)
        try:
            while not stop.is_set():
                batch = await self._store.read_all_encoded(cp, self._batch_size)
                if not batch:
                    self._wake.clear()
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._wake.wait(), self._idle_poll)
                    continue
                topics = {self._topic(e) for e in batch} - known_topics
                if topics:
                    try:
                        await ensure_topics(self._bootstrap, topics)
                    except KafkaError as error:  # a broker restarting: nothing was sent, try the batch again
                        log.warning("relay could not ensure topics", relay=self._name, error=type(error).__name__)
                        with contextlib.suppress(TimeoutError):
                            await asyncio.wait_for(stop.wait(), self._idle_poll)
                        continue
                    known_topics |= topics
                started = time.perf_counter()
                futures = []
                for event in batch:
                    topic = self._topic(event)
                    key, value, headers = encode_event(event, topic)
                    futures.append(await producer.send(topic, value=value, key=key, headers=headers))
                await asyncio.gather(*futures)
                last = batch[-1]
                cp = Checkpoint(last.transaction_id, last.position)
                await self._save(cp, len(batch))
                self.published += len(batch)
                log.debug("relay published", count=len(batch), seconds=round(time.perf_counter() - started, 4))
        finally:
            with contextlib.suppress(Exception):
                await listener.remove_listener(NOTIFY_CHANNEL, wake)
            await self._pool.release(listener)
            await producer.stop()


async def _main(service: str, dsn: str | None, topic: str | None) -> None:
    configure_logging()
    settings = Settings.from_env(service)
    pool = await asyncpg.create_pool(dsn or settings.events_dsn, min_size=2, max_size=4)
    await migrate(pool)
    try:
        await Relay(pool, settings.kafka_bootstrap, name=f"{service}-relay", topic_override=topic).run()
    finally:
        await pool.close()


def main() -> None:
    parser = argparse.ArgumentParser(description="Publish a service's stored events to Kafka.")
    parser.add_argument("--service", required=True, help="incidents | finance | notifications")
    parser.add_argument("--dsn", help="event store DSN (default: DATABASE_URL server, ap_<service> database)")
    parser.add_argument("--topic", help="publish every event to this topic instead of its contract's (tests)")
    args = parser.parse_args()
    asyncio.run(_main(args.service, args.dsn, args.topic))


if __name__ == "__main__":
    main()
