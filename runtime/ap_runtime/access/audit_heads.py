"""Publishing the head of the access-audit chain to a separate append-only store (a Kafka topic).

Rule served: an audit trail whose newest records cannot be deleted unnoticed (DPA 2018 s.62; OWASP
ASVS V16). The keyed chain stops edits and rebuilt chains; only the published heads stop
truncation: every ``interval_seconds`` (and on demand, and when a writer stops) a writer reads the
head ``(seq, hash)`` of the chain and appends it to ``ap.audit.heads``, a topic that keeps records
forever and is never compacted, which the audit database's users cannot write. ``verify`` then
requires every published head to still be in the chain, unchanged. Records newer than the last
published head are unanchored: at most one interval of them could be removed undetected.

Several chains (issue 11): a head names its chain (``chain_id``; "" is the shared chain of before, whose
heads keep their old form), and a publisher publishes the head of every chain that moved since it last
looked, so any writer's publisher also anchors the chains of writers that stopped without publishing.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

import asyncpg
from aiokafka import AIOKafkaConsumer

from ap_runtime.access.chain_keys import ChainKey, ChainKeyRing, chain_keys_from_env
from ap_runtime.kafka import client_security, ensure_topics, idempotent_producer, topic_partitions
from ap_runtime.logging import get_logger
from ap_runtime.periodic import Periodic
from ap_runtime.settings import platform_settings

HEADS_TOPIC = "ap.audit.heads"
HEADS_TOPIC_ENV = "AP_AUDIT_HEADS_TOPIC"
INTERVAL_ENV = "AP_AUDIT_HEAD_INTERVAL_SECONDS"
DEFAULT_INTERVAL_SECONDS = 10.0
# The head of every chain with a record numbered after $1 (the records since the last look, and a margin
# for transactions that took their numbers earlier and committed later), the newest chain last.
_MOVED_HEADS_SQL = """
SELECT * FROM (
    SELECT DISTINCT ON (chain_id) chain_id, COALESCE(chain_seq, seq) AS position, seq, hash, key_id
    FROM access_audit WHERE seq > $1 ORDER BY chain_id, COALESCE(chain_seq, seq) DESC
) moved ORDER BY seq
"""
_LAST_SEQ_SQL = "SELECT COALESCE(max(seq), 0) FROM access_audit"
LOOK_BACK = 10_000  # numbers taken before the last look whose records may have committed since

log = get_logger("ap.access.audit_heads")


@dataclass(frozen=True, slots=True)
class PublishedHead:
    """The chain's last record at one moment, as published: ``mac`` proves a key holder wrote it."""

    seq: int  # the record's place in its chain
    hash: str
    key_id: str
    published_at: datetime
    publisher: str
    mac: str
    chain_id: str = ""

    def as_json(self) -> bytes:
        return json.dumps({"seq": self.seq, "hash": self.hash, "key_id": self.key_id,
                           "published_at": self.published_at.isoformat(), "publisher": self.publisher,
                           "mac": self.mac, "chain_id": self.chain_id}, separators=(",", ":")).encode()

    @classmethod
    def from_json(cls, value: bytes) -> PublishedHead:
        raw = json.loads(value)
        return cls(int(raw["seq"]), str(raw["hash"]), str(raw["key_id"]), datetime.fromisoformat(raw["published_at"]),
                   str(raw["publisher"]), str(raw["mac"]), str(raw.get("chain_id", "")))

    def authentic(self, keys: ChainKeyRing) -> bool:
        """Whether the head was published by a holder of the chain key it names."""
        key = keys.get(self.key_id)
        return key is not None and hmac.compare_digest(head_mac(self.seq, self.hash, key, self.chain_id), self.mac)


def head_mac(seq: int, record_hash: str, key: ChainKey, chain_id: str = "") -> str:
    """The head's keyed MAC; a named chain's covers its name (the shared chain's keeps the old form)."""
    named = f"{chain_id}\x00" if chain_id else ""
    return hmac.new(key.secret, f"head\x00{named}{seq}\x00{record_hash}".encode(), hashlib.sha256).hexdigest()


def heads_topic_from_env(env: Mapping[str, str] | None = None) -> str:
    return platform_settings(env).audit_heads_topic or HEADS_TOPIC


class AuditHeadPublisher:
    """Appends the heads of the chains to the heads topic at an interval, on demand and on stop.

    Any number of writer processes may run one: each publishes the head of every chain that moved since
    that publisher last published it, so an idle platform publishes nothing. A new publisher looks back
    over the newest ``LOOK_BACK`` records at its first look (older chains were anchored by their writers).
    """

    def __init__(self, pool: asyncpg.Pool, bootstrap: str, *, topic: str = HEADS_TOPIC,
                 interval_seconds: float = DEFAULT_INTERVAL_SECONDS, keys: ChainKeyRing | None = None,
                 publisher: str | None = None) -> None:
        self._pool = pool
        self._bootstrap = bootstrap
        self.topic = topic
        self.interval_seconds = interval_seconds
        self._keys = keys or chain_keys_from_env()
        self._publisher = publisher or f"{socket.gethostname()}:{os.getpid()}"
        self._looked_up_to: int | None = None  # the highest record number seen at the last look
        self._published: dict[str, int] = {}  # each chain's place last published
        self._topic_ready = False
        self._periodic = Periodic("audit-head-publisher", self.publish_now, interval_seconds)

    @classmethod
    def from_env(cls, pool: asyncpg.Pool, publisher: str, env: Mapping[str, str] | None = None) -> AuditHeadPublisher:
        """``KAFKA_BOOTSTRAP_SERVERS``, ``AP_AUDIT_HEADS_TOPIC``, ``AP_AUDIT_HEAD_INTERVAL_SECONDS``, the chain key."""
        settings = platform_settings(env)  # refuses an interval outside (0, 3600] by its variable's name
        return cls(pool, settings.kafka_bootstrap, topic=settings.audit_heads_topic or HEADS_TOPIC,
                   interval_seconds=settings.audit_head_interval_seconds or DEFAULT_INTERVAL_SECONDS,
                   keys=chain_keys_from_env(env), publisher=publisher)

    async def publish_now(self, *, force: bool = False) -> PublishedHead | None:
        """Publish the head of each chain that moved (with ``force``, of each chain looked at, moved or not);
        the head of the chain holding the newest record published, or None when nothing was published."""
        async with self._pool.acquire() as conn:
            last = await conn.fetchval(_LAST_SEQ_SQL)
            since = (last if self._looked_up_to is None else self._looked_up_to) - LOOK_BACK
            rows = await conn.fetch(_MOVED_HEADS_SQL, max(0, since))
        self._looked_up_to = last
        now = datetime.now(UTC)
        heads = [self._head(row, now) for row in rows
                 if force or row["position"] > self._published.get(row["chain_id"], 0)]
        if not heads:
            return None
        if not self._topic_ready:  # one partition, kept forever, never compacted
            await ensure_topics(self._bootstrap, [self.topic], partitions=1)
            self._topic_ready = True
        producer = idempotent_producer(self._bootstrap)
        await producer.start()
        try:
            for head in heads:
                await producer.send_and_wait(self.topic, head.as_json(), key=b"access_audit")
        finally:
            await producer.stop()
        for head in heads:
            self._published[head.chain_id] = max(head.seq, self._published.get(head.chain_id, 0))
        return heads[-1]

    def _head(self, row: asyncpg.Record, now: datetime) -> PublishedHead:
        key = self._keys.get(row["key_id"]) or self._keys.active
        record_hash = row["hash"].strip()
        return PublishedHead(row["position"], record_hash, key.key_id, now, self._publisher,
                             head_mac(row["position"], record_hash, key, row["chain_id"]), row["chain_id"])

    async def start(self) -> None:
        """Publish in the background until ``stop``."""
        self._periodic.start()

    async def stop(self) -> None:
        """Stop the loop and publish the last head, so a clean shutdown leaves nothing unanchored."""
        await self._periodic.stop()


async def read_published_heads(bootstrap: str, topic: str = HEADS_TOPIC, timeout_seconds: float = 30.0
                               ) -> list[PublishedHead]:
    """Every head ever published on ``topic``, oldest first (none when the topic does not exist)."""
    # Described through the admin client: a consumer's metadata request could auto-create the
    # topic with the broker's default (finite) retention.
    parts = await topic_partitions(bootstrap, [topic])
    if not parts:
        return []
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, **client_security(),
                                group_id=None, enable_auto_commit=False)
    await consumer.start()
    try:
        consumer.assign(parts)
        await consumer.seek_to_beginning(*parts)
        ends = await consumer.end_offsets(parts)
        heads: list[PublishedHead] = []
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_seconds
        while [tp for tp in parts if await consumer.position(tp) < ends[tp]]:
            if loop.time() > deadline:
                raise TimeoutError(f"could not read {topic} to its end within {timeout_seconds} s")
            batch = await consumer.getmany(*parts, timeout_ms=1000)
            heads.extend(PublishedHead.from_json(m.value) for msgs in batch.values() for m in msgs if m.value)
        return sorted(heads, key=lambda h: (h.seq, h.published_at))
    finally:
        await consumer.stop()
