"""Commands do not outlive their processing on the command topic.

Rule served: a command record carries a pupil's personal values in clear (names, narratives), and
erasure must leave no trace of them anywhere (UK GDPR Art. 17, crypto-shredding only covers what
was encrypted). So the command topic is not a log to keep:

* ``ProcessedCommandPurger`` deletes, every few seconds, every record below the consumer group's
  committed offset (Kafka ``DeleteRecords``). A committed offset means the command was executed
  and its result published, and the command id makes any redelivery a no-op, so nothing deleted
  is ever needed again. Consumers reading from the beginning see none of it afterwards.
* ``ensure_command_topics`` creates the command topic with a bounded retention (``retention.ms``
  ``COMMAND_RETENTION_MS``) and short segments (``segment.ms`` ``COMMAND_SEGMENT_MS``): the
  backstop when the consumer is down, and the time within which the broker's own segment files
  holding deleted records are removed from disk (Kafka deletes whole segments only).

The results topic carries no personal values (statuses, ids, rules, field names) and is created
like an event topic.
"""

from __future__ import annotations

import asyncio
import contextlib

from aiokafka import TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic, RecordsToDelete

from ap_contracts.topics import PARTITIONS
from ap_runtime.kafka import ensure_topics
from ap_runtime.logging import get_logger

COMMAND_RETENTION_MS = 24 * 60 * 60 * 1000
COMMAND_SEGMENT_MS = 60 * 60 * 1000
TOPIC_ALREADY_EXISTS = 36
DEFAULT_PURGE_INTERVAL_SECONDS = 1.0

log = get_logger("ap.incidents.commands")


def command_topic_configuration() -> dict[str, str]:
    """Kafka topic configuration of a command topic (see the module docstring)."""
    return {"cleanup.policy": "delete", "retention.ms": str(COMMAND_RETENTION_MS),
            "segment.ms": str(COMMAND_SEGMENT_MS)}


async def ensure_command_topics(bootstrap: str, commands_topic: str, results_topic: str) -> None:
    """Create the command topic (bounded retention) and the results topic when they do not exist.

    An existing command topic keeps its configuration: set it with ``kafka-configs`` if it was
    created otherwise.
    """
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        if commands_topic not in set(await admin.list_topics()):
            response = await admin.create_topics([NewTopic(commands_topic, PARTITIONS, 1,
                                                           topic_configs=command_topic_configuration())])
            for topic, code, message, *_ in response.topic_errors:
                if code not in (0, TOPIC_ALREADY_EXISTS):
                    raise RuntimeError(f"could not create command topic {topic}: {message} (error {code})")
    finally:
        await admin.close()
    await ensure_topics(bootstrap, [results_topic])


class ProcessedCommandPurger:
    """Deletes the command records a consumer group has processed and committed."""

    def __init__(self, bootstrap: str, topic: str, group_id: str,
                 interval_seconds: float = DEFAULT_PURGE_INTERVAL_SECONDS) -> None:
        self.bootstrap = bootstrap
        self.topic = topic
        self.group_id = group_id
        self.interval_seconds = interval_seconds
        self.deleted_before: dict[TopicPartition, int] = {}  # the low watermark after the last deletion
        self._admin: AIOKafkaAdminClient | None = None
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._admin = AIOKafkaAdminClient(bootstrap_servers=self.bootstrap)
        await self._admin.start()
        self._stop.clear()
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        """Stop the periodic purge after one last one (the final batch's commit is in by now)."""
        self._stop.set()
        if self._task is not None:
            await self._task
            self._task = None
        with contextlib.suppress(Exception):
            await self.purge()
        if self._admin is not None:
            await self._admin.close()
            self._admin = None

    async def purge(self) -> int:
        """Delete every record below the group's committed offsets; returns how many partitions moved."""
        if self._admin is None:
            raise RuntimeError("purger not started")
        committed = await self._admin.list_consumer_group_offsets(self.group_id)
        due = {tp: RecordsToDelete(meta.offset) for tp, meta in committed.items()
               if tp.topic == self.topic and meta.offset > self.deleted_before.get(tp, 0)}
        if not due:
            return 0
        self.deleted_before.update(await self._admin.delete_records(due))
        log.debug("processed commands deleted from the topic", topic=self.topic,
                  below={f"{tp.partition}": offset for tp, offset in self.deleted_before.items()})
        return len(due)

    async def _run(self) -> None:
        while not self._stop.is_set():
            try:
                await self.purge()
            except Exception as exc:  # the group or its coordinator may not exist yet; try again
                log.warning("could not delete processed commands", topic=self.topic, error=repr(exc))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), self.interval_seconds)
