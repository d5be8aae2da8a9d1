"""Tell this process's caches of decrypted pupil data when a pupil is erased anywhere.

Rule served: erasure (UK GDPR Art. 17) reaches every copy, including what a process holds in
memory. The process that erases drops its own caches at once; every other process learns of the
erasure from the ``PupilDataErased`` event on the event topic and drops the pupil's entries as
soon as it reads it (typically well under a second after the relay publishes it). It reads from
the end of every partition of the topic (nothing was cached before it started), as its own
consumer outside any group. An erasure it misses (e.g. published in the instant between start and subscription)
is still bounded by the caches' maximum age, which ``on_tick`` lets them enforce even when idle.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Sequence

from aiokafka import AIOKafkaConsumer

from ap_runtime.kafka import client_security, decode_envelope, header, topic_partitions
from ap_runtime.logging import get_logger
from ap_runtime.tasks import cancel_and_wait

ERASURE_EVENT = "PupilDataErased"
DEFAULT_TICK_SECONDS = 30.0

log = get_logger("ap.privacy.erasure")

Forget = Callable[[str], None]


def erased_subject(value: bytes | None, headers: Iterable[tuple[str, bytes]]) -> str | None:
    """The pupil (``pii_subject``) a record's ``PupilDataErased`` names; None for any other record."""
    event_type = header(headers, "ap-event-type")
    if event_type is not None and event_type != ERASURE_EVENT:
        return None
    try:
        envelope = decode_envelope(value or b"")
    except ValueError:
        return None
    if envelope.event_type != ERASURE_EVENT:
        return None
    subject = envelope.pii_subject or envelope.payload.get("pupil_ref")
    return None if subject is None else str(subject)


class ErasureListener:
    """Calls each ``forget(subject)`` for every ``PupilDataErased`` read, and ``on_tick`` periodically."""

    def __init__(self, bootstrap: str, topics: Sequence[str], forget: Sequence[Forget],
                 on_tick: Callable[[], None] | None = None, tick_seconds: float = DEFAULT_TICK_SECONDS) -> None:
        self._bootstrap = bootstrap
        self._topics = tuple(topics)
        self._forget = tuple(forget)
        self._on_tick = on_tick
        self._tick_seconds = tick_seconds
        self._consumer: AIOKafkaConsumer | None = None
        self._task: asyncio.Task[None] | None = None
        self._listening = False
        self.erasures_seen = 0

    async def start(self) -> None:
        """Positioned at the end of every partition when this returns: any erasure published later is seen."""
        self._consumer = AIOKafkaConsumer(bootstrap_servers=self._bootstrap, group_id=None,
                                          enable_auto_commit=False, **client_security())
        await self._consumer.start()
        parts = await topic_partitions(self._bootstrap, self._topics)
        if parts:
            self._consumer.assign(parts)
            await self._consumer.seek_to_end(*parts)
            for part in parts:
                await self._consumer.position(part)
        else:  # no erasure can arrive before the topic exists; until this process restarts, age bounds the caches
            log.warning("erasure topics do not exist; caches are bounded by age only", topics=list(self._topics))
        self._listening = bool(parts)
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        await cancel_and_wait(self._task)
        self._task = None
        if self._consumer is not None:
            await self._consumer.stop()
            self._consumer = None

    async def _run(self) -> None:
        assert self._consumer is not None
        loop = asyncio.get_running_loop()
        next_tick = loop.time() + self._tick_seconds
        while True:
            if not self._listening:
                await asyncio.sleep(min(self._tick_seconds, 5.0))
                batches = {}
            else:
                batches = await self._consumer.getmany(timeout_ms=500, max_records=1000)
            for records in batches.values():
                for record in records:
                    subject = erased_subject(record.value, record.headers or ())
                    if subject is not None:
                        self._erased(subject)
            if self._on_tick is not None and loop.time() >= next_tick:
                next_tick = loop.time() + self._tick_seconds
                self._on_tick()

    def _erased(self, subject: str) -> None:
        self.erasures_seen += 1
        for forget in self._forget:
            forget(subject)
        log.info("cached pupil data dropped after an erasure elsewhere", subject=subject)
