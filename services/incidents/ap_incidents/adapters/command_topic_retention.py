"""Commands do not outlive their processing on the command topic.

Rule served: a command record carries a pupil's personal values in clear (names, narratives), and
erasure must leave no trace of them anywhere (UK GDPR Art. 17, crypto-shredding only covers what
was encrypted). So the command topic is not a log to keep:

* ``ProcessedCommandPurger`` deletes, every few seconds, every record below the consumer group's
  committed offset (Kafka ``DeleteRecords``). A committed offset means the command was executed
  and its result published, and the command id makes any redelivery a no-op, so nothing deleted
  is ever needed again. Consumers reading from the beginning see none of it afterwards.
* ``ensure_command_topics`` creates the command topic with ``COMMAND_TOPIC_BOUNDS``, or corrects
  a topic that exists with looser values (a producer may have had it auto-created with the
  broker's default retention, which can be infinite, or an older release made hour-long segments).
  Kafka deletes whole segment files only, and never the active segment for a deletion below the
  log start offset, so a deleted command's bytes stay on disk until its segment has rolled
  (``segment.ms``, or sooner by ``segment.bytes``) and been removed by the broker's retention check
  (``log.retention.check.interval.ms``, a broker setting, 5 minutes by default), or, on a quiet
  topic, until ``retention.ms`` after the segment's newest record; ``file.delete.delay.ms`` then
  removes the file. ``plaintext_bound_minutes`` adds these up: the README's promise. The price:
  a command no consumer processed within ``retention.ms`` (an outage of the consumer) is dropped
  unanswered; its client re-sends it (the command id keeps that safe).

The results topic carries no personal values (statuses, ids, rules, field names) and is created
like an event topic.
"""

from __future__ import annotations

from aiokafka import TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic, RecordsToDelete
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

from ap_contracts.asyncapi import COMMAND_TOPIC_RETENTION_MS
from ap_contracts.topics import PARTITIONS
from ap_runtime.kafka import client_security, ensure_topics
from ap_runtime.logging import get_logger
from ap_runtime.periodic import Periodic

COMMAND_RETENTION_MS = COMMAND_TOPIC_RETENTION_MS  # as documented in the AsyncAPI description
COMMAND_SEGMENT_MS = 5 * 60 * 1000
COMMAND_SEGMENT_BYTES = 4 * 1024 * 1024
COMMAND_FILE_DELETE_DELAY_MS = 0  # Linux keeps an open file readable after unlinking: no need to wait
BROKER_RETENTION_CHECK_MS = 5 * 60 * 1000  # Kafka's default log.retention.check.interval.ms
COMMAND_TOPIC_BOUNDS: dict[str, str] = {
    "segment.ms": str(COMMAND_SEGMENT_MS), "segment.bytes": str(COMMAND_SEGMENT_BYTES),
    "retention.ms": str(COMMAND_RETENTION_MS), "file.delete.delay.ms": str(COMMAND_FILE_DELETE_DELAY_MS),
}
TOPIC_ALREADY_EXISTS = 36
DYNAMIC_TOPIC_CONFIG = 1  # DescribeConfigs config_source: set on the topic itself
DEFAULT_PURGE_INTERVAL_SECONDS = 1.0

log = get_logger("ap.incidents.commands")


def command_topic_configuration() -> dict[str, str]:
    """Kafka topic configuration of a command topic (see the module docstring)."""
    return {"cleanup.policy": "delete", **COMMAND_TOPIC_BOUNDS}


def plaintext_bound_minutes(retention_check_ms: int = BROKER_RETENTION_CHECK_MS) -> int:
    """The longest a command's plaintext stays in the broker's files after it was written, in whole
    minutes: its segment rolls within ``segment.ms`` (or a quiet topic's segment ages out within
    ``retention.ms`` of its newest record), the next retention check removes it, the file goes after
    ``file.delete.delay.ms``."""
    total_ms = COMMAND_SEGMENT_MS + COMMAND_RETENTION_MS + retention_check_ms + COMMAND_FILE_DELETE_DELAY_MS
    return -(-total_ms // 60_000)


def _bounded(current: dict[str, str]) -> dict[str, str]:
    """The settings to change so the topic's retention and segments are no longer than a command's."""
    wanted = command_topic_configuration()
    changes = {}
    if current.get("cleanup.policy") != "delete":  # compaction would keep commands (and refuse deletion)
        changes["cleanup.policy"] = wanted["cleanup.policy"]
    for name in COMMAND_TOPIC_BOUNDS:
        value = int(current.get(name, "-1"))
        if value < 0 or value > int(wanted[name]):
            changes[name] = wanted[name]
    return changes


async def _bound_existing(admin: AIOKafkaAdminClient, topic: str) -> None:
    """Bound the retention of a command topic created otherwise (e.g. auto-created by a producer,
    inheriting the broker's default, which may keep records for ever)."""
    [described] = await admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topic)])
    entries = [entry for resource in described.resources for entry in resource[4]]
    current = {name: value for name, value, *_ in entries}
    changes = _bounded(current)
    if not changes:
        return
    # AlterConfigs replaces every dynamic setting of the topic: keep the ones an operator made.
    kept = {name: value for name, value, _read_only, source, sensitive, *_ in entries
            if source == DYNAMIC_TOPIC_CONFIG and not sensitive}
    [altered] = await admin.alter_configs([ConfigResource(ConfigResourceType.TOPIC, topic,
                                                          configs={**kept, **changes})])
    for code, message, *_ in altered.resources:
        if code:
            raise RuntimeError(f"could not bound the retention of command topic {topic}: {message} (error {code})")
    log.warning("command topic retention bounded", topic=topic, changed=changes)


async def ensure_command_topics(bootstrap: str, commands_topic: str, results_topic: str) -> None:
    """Create the command topic with bounded retention, or bound an existing one; create the results topic."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, **client_security())
    await admin.start()
    try:
        if commands_topic not in set(await admin.list_topics()):
            response = await admin.create_topics([NewTopic(commands_topic, PARTITIONS, 1,
                                                           topic_configs=command_topic_configuration())])
            for topic, code, message, *_ in response.topic_errors:
                if code not in (0, TOPIC_ALREADY_EXISTS):
                    raise RuntimeError(f"could not create command topic {topic}: {message} (error {code})")
        await _bound_existing(admin, commands_topic)
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
        self._periodic = Periodic("processed-command-purger", self.purge, interval_seconds)

    async def start(self) -> None:
        self._admin = AIOKafkaAdminClient(bootstrap_servers=self.bootstrap, **client_security())
        await self._admin.start()
        self._periodic.start()

    async def stop(self) -> None:
        """Stop the periodic purge after one last one (the final batch's commit is in by now)."""
        await self._periodic.stop()
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
