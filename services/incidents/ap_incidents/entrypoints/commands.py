"""Kafka ingestion of incidents commands (bulk loads from provision systems).

    python -m ap_incidents.entrypoints.commands

Consumes ``ap.incidents.commands`` (``AP_INCIDENTS_COMMANDS_TOPIC`` overrides): each command
starts as soon as it is fetched, without waiting for the commands fetched before it, and commands
with the same key (the pupil) run in order while different pupils run concurrently
(``ap_runtime.kafka_dispatch``). Every result goes to ``ap.incidents.command-results``
(``AP_INCIDENTS_RESULTS_TOPIC``), sent at once (no linger) and acknowledged before the command's
offset is committed, so a crash redelivers the command and its id makes the retry record nothing
twice. See ``command_ingestion`` for the message and result formats.

Commands carry pupils' personal values in clear, so they are deleted from the command topic once
processed: every ``AP_INCIDENTS_COMMANDS_PURGE_SECONDS`` (default 1) the consumer deletes the
records below its group's committed offsets, and the topic is created with a bounded retention
as a backstop (``adapters.command_topic_retention``). Results carry no personal values.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import uvloop
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from faststream import AckPolicy, FastStream
from faststream.kafka import KafkaBroker

from ap_contracts.topics import INCIDENTS_COMMAND_RESULTS, INCIDENTS_COMMANDS
from ap_incidents.adapters.command_topic_retention import (
    DEFAULT_PURGE_INTERVAL_SECONDS,
    ProcessedCommandPurger,
    ensure_command_topics,
)
from ap_incidents.application.service import IncidentsApplication
from ap_incidents.entrypoints.bootstrap import IncidentsDeps, bootstrap
from ap_incidents.entrypoints.cache_eviction import start_cache_eviction
from ap_incidents.entrypoints.command_ingestion import CommandResult, ingest
from ap_incidents.entrypoints.settings import incidents_settings
from ap_runtime.access import TokenVerifier
from ap_runtime.access.token_replay import WriteTokenLedger
from ap_runtime.kafka import broker_security, idempotent_producer
from ap_runtime.kafka_dispatch import KeyedDispatcher
from ap_runtime.kafka_polling import poll_in_getmany
from ap_runtime.logging import configure_logging, get_logger
from ap_runtime.privacy.erasure_listener import ErasureListener
from ap_runtime.worker import run_until_stopped

GROUP_ID = "ap.incidents.commands"
# How long an idle poll waits for a first record. A command arriving meanwhile is taken at once (the poll
# returns with it, ``kafka_polling``: no sleep after an empty poll), so the wait costs no latency; longer
# waits mean fewer polls of an idle consumer (a 5 ms poll and FastStream's 5 ms sleep were 100 a second).
POLL_WAIT_MS = 100

log = get_logger("ap.incidents.commands")


async def ingest_record(app: IncidentsApplication, verifier: TokenVerifier, record: Any,
                        write_tokens: WriteTokenLedger | None = None) -> CommandResult:
    """The result of one consumed command record, its source named by topic, partition and offset."""
    source = f"{record.topic}/{record.partition}/{record.offset}"
    return await ingest(app, verifier, record.value, record.headers or (), source, write_tokens)


async def ingest_batch(app: IncidentsApplication, verifier: TokenVerifier, records: Sequence[Any],
                       on_result: Callable[[CommandResult], Awaitable[None]] | None = None,
                       write_tokens: WriteTokenLedger | None = None) -> list[CommandResult]:
    """Results in record order; one pupil's commands sequentially, pupils concurrently.

    ``on_result`` is awaited with each result as soon as it is known (to publish it early).
    """
    by_key: dict[bytes | None, list[int]] = {}
    for index, record in enumerate(records):
        by_key.setdefault(record.key, []).append(index)
    results: list[CommandResult | None] = [None] * len(records)

    async def run(indexes: list[int]) -> None:
        for index in indexes:
            result = await ingest_record(app, verifier, records[index], write_tokens)
            results[index] = result
            if on_result is not None:
                await on_result(result)

    await asyncio.gather(*(run(indexes) for indexes in by_key.values()))
    return [r for r in results if r is not None]


class CommandConsumer:
    """The FastStream application consuming commands and publishing their results."""

    def __init__(self, deps: IncidentsDeps, bootstrap: str, *, commands_topic: str = INCIDENTS_COMMANDS,
                 results_topic: str = INCIDENTS_COMMAND_RESULTS, group_id: str = GROUP_ID,
                 max_records: int = 500, purge_interval_seconds: float = DEFAULT_PURGE_INTERVAL_SECONDS,
                 events_topic: str | None = None) -> None:
        """``max_records``: the most commands fetched at once, and the most being processed at once."""
        self.deps = deps
        self.app = deps.application()
        self.bootstrap = bootstrap
        self.commands_topic = commands_topic
        self.results_topic = results_topic
        self.events_topic = events_topic
        self._eviction: ErasureListener | None = None
        self.processed = 0
        self._producer: AIOKafkaProducer | None = None
        self.purger = ProcessedCommandPurger(bootstrap, commands_topic, group_id, purge_interval_seconds)
        access_log = logging.getLogger("ap.faststream")
        access_log.setLevel(logging.WARNING)
        self.broker = KafkaBroker(bootstrap, security=broker_security(), client_id="ap-incidents-commands",
                                  logger=access_log)
        self.dispatcher = KeyedDispatcher(self._answer, max_in_flight=max_records)
        subscriber = self.broker.subscriber(
            commands_topic, batch=True, group_id=group_id, auto_offset_reset="earliest",
            max_records=max_records, batch_timeout_ms=POLL_WAIT_MS, ack_policy=AckPolicy.MANUAL,
            listener=self.dispatcher.listener(), title="incidents commands",
        )
        # The poll hands each fetch to the dispatcher (which commits the offsets once answered) itself.
        poll_in_getmany(subscriber, max_records, POLL_WAIT_MS, hand=self._take)
        subscriber(self._handle)

    async def _take(self, consumer: AIOKafkaConsumer, records: tuple[Any, ...]) -> None:
        await self.dispatcher.dispatch(consumer, records)

    async def _handle(self, _bodies: list[Any]) -> None:
        """FastStream's handler of the subscriber, never called: the poll hands the records on (``_take``)."""
        raise RuntimeError("command records go from the poll to the dispatcher, not through FastStream")

    async def _answer(self, record: Any) -> None:
        """One command record: its result published and acknowledged (transient failures raise)."""
        producer = self._producer
        assert producer is not None, "consumer not started"
        result = await ingest_record(self.app, self.deps.verifier, record, self.deps.write_tokens)
        await (await producer.send(self.results_topic, value=result.as_json(), key=result.key()))
        self.processed += 1

    async def _open(self) -> None:
        self._eviction = await start_cache_eviction(self.app, self.bootstrap, self.events_topic)
        await ensure_command_topics(self.bootstrap, self.commands_topic, self.results_topic)
        # No linger: each result goes out as soon as it is known (5 ms of linger was 5 ms on every
        # answer); a burst still batches, the results made while a request is in flight go together.
        self._producer = idempotent_producer(self.bootstrap, linger_ms=0)
        await self._producer.start()
        await self.purger.start()

    async def _close(self) -> None:
        if self._eviction is not None:
            await self._eviction.stop()
            self._eviction = None
        await self.purger.stop()
        if self._producer is not None:
            await self._producer.stop()
            self._producer = None

    async def start(self) -> None:
        await self._open()
        await self.broker.start()

    async def stop(self) -> None:
        await self.dispatcher.close()
        await self.broker.stop()
        await self._close()

    def faststream_app(self) -> FastStream:
        app = FastStream(self.broker)

        @app.on_startup  # its process settles the collector once started (``run_until_stopped``)
        async def _start() -> None:
            await self._open()

        @app.on_shutdown
        async def _finish() -> None:  # before the broker stops: answer and commit what is in flight
            await self.dispatcher.close()

        @app.after_shutdown
        async def _stop() -> None:
            await self._close()

        return app


async def _main() -> None:
    settings = incidents_settings()  # a bad value stops here, naming the variable
    configure_logging(settings.log_level)
    deps = await bootstrap(settings)
    await deps.migrate()
    commands_topic = settings.commands_topic
    consumer = CommandConsumer(
        deps, settings.kafka_bootstrap, commands_topic=commands_topic,
        results_topic=settings.results_topic,
        # A test topic gets its own consumer group, so runs on other topics never share one.
        group_id=GROUP_ID if commands_topic == INCIDENTS_COMMANDS else f"{GROUP_ID}.{commands_topic}",
        purge_interval_seconds=settings.purge_interval_seconds,
    )
    await run_until_stopped(consumer.faststream_app(), deps.close)


def main() -> None:
    uvloop.run(_main())  # less per-message overhead than asyncio's loop, as the API and projections


if __name__ == "__main__":
    main()
