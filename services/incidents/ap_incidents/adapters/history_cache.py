"""An event store whose ``load`` remembers recent streams and reads only what was appended since.

Every command decides on the pupil's whole history, and a pupil's stream grows by tens of entries
a day: re-reading and decrypting all of it per command would make each command slower than the
last. Streams are append-only and versioned, so the cached prefix never changes; ``load`` reads
the rows after the cached version and decrypts only those. Bounded by the number of events held.

Erasure: when the new rows include ``PupilDataErased`` the stream is read again from the start,
so the events held afterwards carry no decrypted personal value (the key is gone); ``forget``
drops a stream at once (the process that erased calls it).
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

import asyncpg

from ap_contracts.events.base import DomainEvent
from ap_runtime.eventstore import EventStore
from ap_runtime.eventstore.codec import EventCodec, reveal_model

ERASURE_EVENT = "PupilDataErased"


@dataclass(frozen=True, slots=True)
class _Cached:
    version: int
    events: tuple[DomainEvent, ...]


class HistoryCachingStore(EventStore):
    def __init__(self, pool: asyncpg.Pool, codec: EventCodec, *, max_events: int = 200_000) -> None:
        super().__init__(pool, codec)
        self._codec_for_reveal = codec
        self._max_events = max_events
        self._held = 0
        self._streams: OrderedDict[str, _Cached] = OrderedDict()

    async def load(self, stream_id: str) -> list[DomainEvent]:
        """The stream's events in order (the same objects as last time for the part already read)."""
        cached = self._streams.get(stream_id)
        after = 0 if cached is None else cached.version
        rows = await self.read_stream(stream_id, after)
        if cached is not None and any(row.event_type == ERASURE_EVENT for row in rows):
            self.forget(stream_id)
            cached, rows = None, await self.read_stream(stream_id)
        new = [await reveal_model(self._codec_for_reveal, r.event_type, r.schema_version, r.payload, r.pii_subject)
               for r in rows]
        events = new if cached is None else [*cached.events, *new]
        if rows or cached is None:
            version = rows[-1].stream_version if rows else after
            self._remember(stream_id, _Cached(version, tuple(events)))
        else:
            self._streams.move_to_end(stream_id)
        return list(events)

    def forget(self, stream_id: str) -> None:
        dropped = self._streams.pop(stream_id, None)
        if dropped is not None:
            self._held -= len(dropped.events)

    def _remember(self, stream_id: str, entry: _Cached) -> None:
        self.forget(stream_id)
        self._streams[stream_id] = entry
        self._held += len(entry.events)
        while self._held > self._max_events and len(self._streams) > 1:
            _, evicted = self._streams.popitem(last=False)
            self._held -= len(evicted.events)
