"""Relay from a service's event store to Kafka (transactional outbox, at-least-once).

Reads events after its checkpoint in commit-safe order (see eventstore.schema), publishes them with
an idempotent producer keyed by stream id, waits for every acknowledgement, then records the new
checkpoint. A crash between publishing and recording re-sends the tail: duplicates are possible
here by design and consumers remove them by event id.

Several relays may run per event store: one leads (``relay_leadership``), the others stand by and
the first to take the lock after the leader dies resumes from the recorded checkpoint.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import time
from collections import deque
from dataclasses import dataclass
from typing import Any

import asyncpg
import uvloop
from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError

from ap_contracts.events.catalogue import load_all
from ap_contracts.topics import REPORTING_EVENTS
from ap_runtime.eventstore import Checkpoint, migrate
from ap_runtime.eventstore.store import NOTIFY_CHANNEL
from ap_runtime.gc_tuning import settle_for_serving
from ap_runtime.health import heartbeat
from ap_runtime.kafka import ensure_topics, idempotent_producer
from ap_runtime.logging import configure_logging, get_logger
from ap_runtime.relay_batches import Record, send_batched
from ap_runtime.relay_leadership import CONNECTION_LOST, Leadership, give_back
from ap_runtime.relay_reads import checkpoint_after, load_checkpoint, read_batch, save_checkpoint
from ap_runtime.relay_records import relayed_records
from ap_runtime.settings import Settings, platform_settings

log = get_logger("ap.relay")


OWN_TOPIC = {"reporting": REPORTING_EVENTS}
"""Where a service's relay publishes when that is not its events' contract topic: reporting's store holds only the
``ReportPublished`` it records, an event type finance records too (on finance's topic); reporting's go to its own
topic, the only one its Kafka principal may write (``kafka_acls``)."""


class Relay:
    def __init__(self, pool: asyncpg.Pool, bootstrap: str, name: str, batch_size: int = 500,
                 idle_poll_seconds: float = 0.05, topic_override: str | None = None,
                 standby_retry_seconds: float = 0.5, max_in_flight: int = 4) -> None:
        self._pool = pool
        self._bootstrap = bootstrap
        self._name = name
        self._batch_size = batch_size
        self._idle_poll = idle_poll_seconds
        self._max_in_flight = max_in_flight
        self._wake = asyncio.Event()
        self._topic_override = topic_override
        self._leadership = Leadership(pool, name, standby_retry_seconds)
        self._known_topics: set[str] = set()
        self._partitions: dict[str, list[int]] = {}
        self.published = 0
        self.leading = False
        # Whether the next turn reads without a notification: after a full batch (there may be more), an
        # idle poll's end or a batch not sent. A short read took all there was until an append commits.
        self._read_due = True

    async def checkpoint(self) -> Checkpoint:
        async with self._pool.acquire() as conn:
            return await load_checkpoint(conn, self._name)

    async def run(self, stop: asyncio.Event | None = None) -> None:
        """Stand by until this relay leads, publish while it leads; stand by again if leadership is lost."""
        stop = stop or asyncio.Event()
        load_all()
        deposed = False
        while not stop.is_set():
            conn = await self._leadership.acquire(stop, deposed)
            if conn is None:
                return
            self.leading = True
            try:
                await self._lead(conn, stop)
            except CONNECTION_LOST as error:  # the lock went with the session: stop publishing at once
                log.warning("relay lost its leadership session", relay=self._name, error=type(error).__name__)
                deposed = True
            except KafkaError as error:
                # A send the broker never acknowledged (a broker restarting outlasts the producer's own
                # retries): nothing after the recorded checkpoint counts as published, so lead again from
                # it with a new producer. Batches acknowledged in part may go out twice; consumers apply
                # each event id once.
                log.warning("relay send failed; resuming from its checkpoint", relay=self._name,
                            error=type(error).__name__)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self._idle_poll * 10)
            finally:
                self.leading = False
                await self._leadership.release(conn)

    def new_producer(self) -> AIOKafkaProducer:
        """The idempotent producer a leading relay publishes with, without linger.

        A batch is whole before the producer's sender runs (``_send`` never waits between its records),
        so lingering for more records only delays it: at a low rate it added up to 5 ms to every event
        (issue 11: p99 at 1,000 events/s).
        """
        return idempotent_producer(self._bootstrap, linger_ms=0)

    async def _lead(self, conn: asyncpg.Connection, stop: asyncio.Event) -> None:
        """Publish from the recorded checkpoint; every read and checkpoint write on the lock's session."""
        producer = self.new_producer()
        await producer.start()

        def wake(*_: object) -> None:
            self._wake.set()

        # A connection of its own only listens (``ap_testing.processes.relay_listening`` looks for it);
        # a lost notification costs at most one idle poll.
        listener = await self._pool.acquire()
        await listener.add_listener(NOTIFY_CHANNEL, wake)
        in_flight: deque[_InFlight] = deque()
        try:
            if self._topic_override is not None:  # ensured now, not on the first batch read (``_topics_ready``)
                await self._topics_ready({self._topic_override}, stop)
            read_from = await load_checkpoint(conn, self._name)
            self._read_due = True
            log.info("relay resuming", relay=self._name, checkpoint=read_from)
            while not stop.is_set():
                read_from = await self._turn(conn, producer, read_from, in_flight, stop)
            while in_flight:  # stopping: record what the broker acknowledged
                await self._settle(conn, in_flight.popleft())
        finally:
            for flight in in_flight:  # not recorded, so read again from the checkpoint by whoever leads next
                flight.acks.cancel()
            with contextlib.suppress(Exception):
                await listener.remove_listener(NOTIFY_CHANNEL, wake)
            await give_back(self._pool, listener)
            await producer.stop()

    async def _turn(self, conn: asyncpg.Connection, producer: AIOKafkaProducer, read_from: Checkpoint,
                    in_flight: deque[_InFlight], stop: asyncio.Event) -> Checkpoint:
        """One turn of the loop: send the next batch while earlier ones wait for their acknowledgements.

        Up to ``max_in_flight`` batches are sent ahead of their checkpoint, which is recorded in order,
        batch by batch, once every record of the batch is acknowledged. Order on the topic holds: the
        idempotent producer keeps each partition's records in send order, retries included. A read
        comes when due (``_read_due``) or notified: at 1,000 events/s two reads in three found nothing.
        """
        batch: list[asyncpg.Record] = []
        full = len(in_flight) >= self._max_in_flight
        if not full and (self._read_due or self._wake.is_set()):
            self._wake.clear()  # before the read: an append committing during it still wakes the wait below
            batch = await read_batch(conn, read_from, self._batch_size)
            self._read_due = len(batch) >= self._batch_size
        records = relayed_records(batch, self._topic_override)
        if batch and await self._topics_ready({record[0] for record in records}, stop):
            in_flight.append(await self._send(producer, records, checkpoint_after(batch)))
            read_from = in_flight[-1].checkpoint
        else:
            self._read_due = self._read_due or bool(batch)  # a batch not sent is read again
            if in_flight:
                await self._acks_or_appends(in_flight[0].acks, full)
            elif not batch:
                try:
                    await asyncio.wait_for(self._wake.wait(), self._idle_poll)
                except TimeoutError:
                    self._read_due = True  # a notification lost, or a transaction that sends none
        while in_flight and in_flight[0].acks.done():
            await self._settle(conn, in_flight.popleft())
        return read_from

    async def _acks_or_appends(self, acks: asyncio.Future[list[Any]], full: bool) -> None:
        """Wait for the oldest batch's acknowledgements, or (room permitting) for new appends."""
        if full:
            await asyncio.wait({acks})
            return
        appended: asyncio.Future[Any] = asyncio.ensure_future(self._wake.wait())
        try:
            done, _ = await asyncio.wait({acks, appended}, timeout=self._idle_poll,
                                         return_when=asyncio.FIRST_COMPLETED)
        finally:
            appended.cancel()
        self._read_due = self._read_due or not done  # the idle poll's end

    async def _topics_ready(self, wanted: set[str], stop: asyncio.Event) -> bool:
        """Whether every ``wanted`` topic exists, created if not (``ensure_topics``, once per topic and relay).

        Ensuring takes an admin client's connection and a listing (40-120 ms here): a relay with one topic
        ensures it as it begins to lead, so the first events (and the first after a takeover) do not wait.
        """
        topics = wanted - self._known_topics
        if not topics:
            return True
        try:
            await ensure_topics(self._bootstrap, topics)
        except KafkaError as error:  # a broker restarting: nothing was sent, try the batch again
            log.warning("relay could not ensure topics", relay=self._name, error=type(error).__name__)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self._idle_poll)
            return False
        self._known_topics |= topics
        return True

    async def _send(self, producer: AIOKafkaProducer, records: list[Record], checkpoint: Checkpoint) -> _InFlight:
        """Hand the batch to the producer, one record batch per partition (``relay_batches``)."""
        futures = await send_batched(producer, records, self._partitions)
        return _InFlight(checkpoint, len(records), asyncio.gather(*futures), time.perf_counter())

    async def _settle(self, conn: asyncpg.Connection, flight: _InFlight) -> None:
        """Every record of the batch acknowledged (a failure raises here): record the checkpoint after it."""
        await flight.acks
        await save_checkpoint(conn, self._name, flight.checkpoint, flight.count)
        self.published += flight.count
        log.debug("relay published", count=flight.count, seconds=round(time.perf_counter() - flight.sent_at, 4))


@dataclass(frozen=True, slots=True)
class _InFlight:
    """A batch sent and not yet recorded: its checkpoint, size and the acknowledgements awaited."""

    checkpoint: Checkpoint
    count: int
    acks: asyncio.Future[list[Any]]
    sent_at: float


async def _main(service: str, dsn: str | None, topic: str | None) -> None:
    configure_logging()
    settings = Settings.from_env(service)
    pool = await asyncpg.create_pool(dsn or settings.events_dsn, min_size=2, max_size=4)
    await migrate(pool)
    settle_for_serving()  # what it opened lives as long as the process (issue 11)
    try:
        # Leader or standby, a running relay is live: its Kubernetes probe reads this file (ap_runtime.health).
        async with heartbeat(platform_settings().heartbeat_file):
            await Relay(pool, settings.kafka_bootstrap, name=f"{service}-relay",
                        topic_override=topic or OWN_TOPIC.get(service)).run()
    finally:
        await pool.close()


def main() -> None:
    parser = argparse.ArgumentParser(description="Publish a service's stored events to Kafka.")
    parser.add_argument("--service", required=True,
                        help="incidents | finance | notifications | commissioning | reporting")
    parser.add_argument("--dsn", help="event store DSN (default: DATABASE_URL server, ap_<service> database)")
    parser.add_argument("--topic", help="publish every event to this topic instead of its contract's (tests)")
    args = parser.parse_args()
    uvloop.run(_main(args.service, args.dsn, args.topic))  # the event loop the services run on


if __name__ == "__main__":
    main()
