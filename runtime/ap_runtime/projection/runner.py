"""Consume event topics in batches and apply them to a read model exactly once.

Per batch, one PostgreSQL transaction: insert the batch's event ids into ``processed_events``
(ON CONFLICT DO NOTHING), apply only the ids that were new, update progress, commit; the Kafka
offset is committed afterwards. A crash anywhere replays the batch and the ids already recorded
are skipped, so redelivery changes nothing. A poison event is retried a bounded number of times
in a savepoint, then published to the dead-letter topic with the error and the partition moves on.
Connection-level failures of PostgreSQL are not poison: they fail the batch, which is redelivered.

Several runners of one projection form one consumer group (``group_id``) and share the partitions.
A rebalance needs nothing more (issue 11; ``runtime/tests/test_projection_runner_group.py``): the
new owner of a partition starts from the Kafka offset last committed, which is never ahead of what
the read model holds (it is committed after the transaction), so at worst it replays records. A
replayed record whose batch the old owner committed is skipped by its id; one still in the old
owner's open transaction waits on that transaction's uncommitted ``processed_events`` row and is
then skipped (commit) or applied (rollback, SIGKILL). Either way each event is applied once, and a
stream's later events cannot commit before its earlier ones, since the new owner's batch starts at
or before the old owner's and so contains the same earlier event.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import asyncpg
from aiokafka import AIOKafkaProducer
from faststream import AckPolicy, FastStream
from faststream.kafka import KafkaBroker
from pydantic import ValidationError

from ap_contracts.schema_tools import describe_validation_error
from ap_contracts.topics import dead_letter_topic
from ap_runtime.eventstore.codec import EventCodec
from ap_runtime.kafka import broker_security, idempotent_producer
from ap_runtime.kafka_polling import poll_in_getmany
from ap_runtime.logging import bind_message_context, clear_message_context, exception_place, get_logger
from ap_runtime.projection.base import Projection, ReceivedEvent
from ap_runtime.projection.batch_parser import parse_records_only
from ap_runtime.projection.batch_steps import Mode, enter_generation, record_processed
from ap_runtime.projection.checked_payload import TextCheckedPayload
from ap_runtime.projection.collector import collector_paused
from ap_runtime.projection.decoding import decode_envelope_json
from ap_runtime.projection.store import ensure_registered

log = get_logger("ap.projection")

_TRANSIENT = (asyncpg.PostgresConnectionError, asyncpg.InterfaceError, OSError, asyncio.TimeoutError)
# The most records a live batch (one transaction) takes: a runner behind catches up in batches this big (issue 11:
# the runner's batches back to back were the write path's tail; 2,000 for 500 cut their wall per event by ~23%).
LIVE_BATCH_RECORDS = 2000


class KafkaRecord(Protocol):
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: Sequence[tuple[str, bytes]]


@dataclass(slots=True)
class DecodedRecord:
    record: KafkaRecord
    event: ReceivedEvent | None
    error: str | None = None


class ProjectionRunner:
    def __init__(
        self,
        projection: Projection,
        pool: asyncpg.Pool,
        bootstrap: str,
        codec: EventCodec | None = None,
        max_attempts: int = 3,
        group_id: str | None = None,
    ) -> None:
        if projection.needs_personal_data and codec is None:
            raise ValueError(f"projection {projection.name} needs personal data: give it a PersonalDataCodec")
        self.projection = projection
        self._pool = pool
        self._bootstrap = bootstrap
        self._codec = codec
        self._max_attempts = max_attempts
        self.group_id = group_id or f"ap.projection.{projection.name}"
        self._dlq: AIOKafkaProducer | None = None
        self.applied = 0

    async def start(self) -> None:
        await ensure_registered(self._pool, self.projection)
        self._dlq = idempotent_producer(self._bootstrap)
        await self._dlq.start()

    async def stop(self) -> None:
        if self._dlq is not None:
            await self._dlq.stop()
            self._dlq = None

    # -- the core: one batch, one transaction ------------------------------------------------------

    async def apply_records(self, records: Sequence[KafkaRecord], schema: str | None = None) -> int:
        """Apply a batch of Kafka records; returns how many events were newly applied."""
        with collector_paused():  # the batch's objects are freed by reference counting (collector.py)
            return await self.apply_decoded(await self.decode(records), schema)

    async def decode(self, records: Sequence[KafkaRecord]) -> list[DecodedRecord]:
        """Each record's envelope (revealed for a projection that needs personal data) or why not."""
        decoded = [_decode_record(r) for r in records]
        if self.projection.needs_personal_data and self._codec is not None:
            for item in decoded:
                if item.event is not None:
                    envelope = item.event.envelope
                    payload = await self._codec.reveal(envelope.event_type, envelope.schema_version,
                                                       envelope.payload, envelope.pii_subject)
                    item.event = ReceivedEvent(envelope, payload, item.event.topic, item.event.partition,
                                               item.event.offset)
        return decoded

    async def apply_decoded(self, decoded: list[DecodedRecord], schema: str | None = None,
                            load_only: bool = False) -> int:
        """Apply decoded records in one transaction (event by event in savepoints if the batch fails).

        Into a generation being rebuilt (``schema``) a batch is first loaded: its event ids and the
        projection's rows copied in (``Mode.LOAD``). Should that fail (an event id of an earlier batch,
        which the relay may have published twice, or a poison event) it is applied as the live runner
        applies it, so the generation ends with the same rows either way; ``load_only``: it raises.
        """
        if schema is not None and all(item.event is not None for item in decoded):
            try:
                return await self._apply(decoded, schema, Mode.LOAD)
            except Exception as exc:
                if load_only or isinstance(exc, _TRANSIENT):  # a rebuild without its indexes decides (rebuild.py)
                    raise
                log.info("batch not loadable, applying it", projection=self.projection.name,
                         error=exception_place(exc))
        try:
            return await self._apply(decoded, schema, Mode.BATCH)
        except _TRANSIENT:
            raise
        except Exception:
            log.warning("batch failed, retrying event by event", projection=self.projection.name)
            return await self._apply(decoded, schema, Mode.CAREFUL)

    async def _apply(self, batch: list[DecodedRecord], schema: str | None, mode: Mode) -> int:
        name = self.projection.name
        async with self._pool.acquire() as conn, conn.transaction():
            target = await enter_generation(conn, name, schema)
            ids = [d.event.envelope.event_id for d in batch if d.event is not None]
            fresh = await record_processed(conn, ids, target if mode is Mode.LOAD else None)
            applied = dead = 0
            if len(fresh) == len(batch):  # the usual batch: every record decoded, new and once (fresh holds its ids)
                todo = batch
            else:
                todo, dead = await self._fresh_or_dead_lettered(conn, batch, fresh)
            events = [d.event for d in todo if d.event is not None]
            if mode is Mode.LOAD:
                await self.projection.load_batch(conn, events)
                applied = len(events)
            elif mode is Mode.BATCH:
                await self.projection.apply_batch(conn, events)
                applied = len(events)
            else:
                for item in todo:
                    if item.event is None:
                        continue
                    bind_message_context(item.event.envelope.correlation_id, item.event.envelope.causation_id,
                                         event_id=str(item.event.envelope.event_id), projection=name)
                    if await self._apply_guarded(conn, item):
                        applied += 1
                    else:
                        dead += 1
            last_event_at = events[-1].envelope.recorded_at if events else None
            clear_message_context()
            await conn.execute(
                "UPDATE public.projection_status SET events_applied = events_applied + $3,"
                " dead_lettered = dead_lettered + $4, duplicates = duplicates + $5,"
                " last_event_at = COALESCE($6, last_event_at), last_applied_at = now()"
                " WHERE name = $1 AND schema_name = $2",
                name, target, applied, dead, len(batch) - applied - dead, last_event_at,
            )
        self.applied += applied
        return applied

    async def _fresh_or_dead_lettered(self, conn: asyncpg.Connection, batch: list[DecodedRecord],
                                      fresh: set[int]) -> tuple[list[DecodedRecord], int]:
        """The batch's records to apply (each new event once) and how many undecodable ones were dead-lettered."""
        todo: list[DecodedRecord] = []
        dead = 0
        for item in batch:
            if item.event is None:
                await self._dead_letter(conn, item, item.error or "undecodable")
                dead += 1
            elif (key := item.event.envelope.event_id.int) in fresh:
                fresh.discard(key)  # a duplicate inside the batch applies once
                todo.append(item)
        return todo, dead

    async def _apply_guarded(self, conn: asyncpg.Connection, item: DecodedRecord) -> bool:
        if item.event is None:
            return False
        error = ""
        for attempt in range(1, self._max_attempts + 1):
            try:
                async with conn.transaction():  # a savepoint: a failed attempt leaves nothing behind
                    await self.projection.apply(conn, item.event)
                return True
            except _TRANSIENT:
                raise
            except Exception as exc:  # type and place only: the text may repeat decrypted data
                error = exception_place(exc)
                log.warning("apply failed", attempt=attempt, error=error)
        await self._dead_letter(conn, item, error)
        return False

    async def _dead_letter(self, conn: asyncpg.Connection, item: DecodedRecord, error: str) -> None:
        record = item.record
        if self._dlq is None:
            raise RuntimeError("projection runner used before start()")
        headers = [*list(record.headers), ("ap-dlt-error", error[:2000].encode()),
                   ("ap-dlt-projection", self.projection.name.encode()),
                   ("ap-dlt-origin", f"{record.topic}/{record.partition}/{record.offset}".encode())]
        await self._dlq.send_and_wait(dead_letter_topic(record.topic), value=record.value, key=record.key,
                                      headers=headers)
        event_id = item.event.envelope.event_id if item.event else None
        if event_id is not None:
            await conn.execute("UPDATE processed_events SET outcome = 'dead_lettered' WHERE event_id = $1", event_id)
            await conn.execute(
                'INSERT INTO dead_letters (event_id, topic, partition, "offset", error)'
                " VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
                event_id, record.topic, record.partition, record.offset, error)
        log.error("event dead-lettered", projection=self.projection.name, error=error,
                  origin=f"{record.topic}/{record.partition}/{record.offset}")

    # -- FastStream wiring --------------------------------------------------------------------------

    def attach(self, broker: KafkaBroker, max_records: int = LIVE_BATCH_RECORDS, poll_wait_ms: int = 100) -> None:
        """Register this projection as a batch subscriber of ``broker``; a poll returns as soon as records are
        there and otherwise waits up to ``poll_wait_ms`` (``kafka_polling``: no sleep after an empty poll)."""
        subscriber = broker.subscriber(
            *self.projection.topics, batch=True, group_id=self.group_id, auto_offset_reset="earliest",
            max_records=max_records, batch_timeout_ms=poll_wait_ms, ack_policy=AckPolicy.NACK_ON_ERROR,
            parser=parse_records_only,
            decoder=_records_as_they_came,
            title=f"projection {self.projection.name}",
        )
        poll_in_getmany(subscriber, max_records, poll_wait_ms)

        @subscriber
        async def handle(records: Any) -> None:  # no Context(): fast_depends resolves one in a thread per batch
            started = time.perf_counter()
            applied = await self.apply_records(records if isinstance(records, tuple) else (records,))
            log.debug("batch applied", projection=self.projection.name, records=len(records),
                      applied=applied, seconds=round(time.perf_counter() - started, 4))


def _decode_record(record: KafkaRecord) -> DecodedRecord:
    try:
        envelope = decode_envelope_json(record.value or b"")
    except ValidationError as exc:  # fields and problems only: the values may be personal
        problems = "; ".join(f"{p['field']}: {p['problem']}" for p in describe_validation_error(exc)[:3])
        return DecodedRecord(record, None, f"undecodable envelope: {problems}")
    payload = TextCheckedPayload(envelope.payload)  # its text checked: clear-field readers walk it no more
    event = ReceivedEvent(envelope, payload, record.topic, record.partition, record.offset)
    return DecodedRecord(record, event)


async def _records_as_they_came(message: Any) -> Any:
    """The batch's records as the handler's body: no per-record JSON decoding (the runner validates each envelope
    once), nor a ``Context("message")``, which fast_depends resolves in a worker thread per batch (issue 11)."""
    return message.raw_message


def build_app(runners: Sequence[ProjectionRunner], bootstrap: str) -> FastStream:
    """A FastStream application running the given projections."""
    # FastStream's per-batch access log is noise next to our own structured log; keep its warnings.
    access_log = logging.getLogger("ap.faststream")
    access_log.setLevel(logging.WARNING)
    broker = KafkaBroker(bootstrap, security=broker_security(), client_id="ap-projections", logger=access_log)
    for runner in runners:
        runner.attach(broker)
    app = FastStream(broker)

    @app.on_startup
    async def _start() -> None:
        for runner in runners:
            await runner.start()

    @app.after_shutdown
    async def _stop() -> None:
        for runner in runners:
            await runner.stop()

    return app
