"""An event store whose ``load`` remembers recent streams and reads only what was appended since.

Every command decides on the pupil's whole history, and a pupil's stream grows by tens of entries
a day: re-reading and decrypting all of it per command would make each command slower than the
last. Streams are append-only and versioned, so the cached prefix never changes; ``load`` reads
the rows after the cached version and decrypts only those. Bounded by the number of events held.

A command's own append goes into the cache as it was decided (``append_command``), when the cache held the
stream at the version the append expected: the stored rows are those very events sealed, so reading them back
would give the same models, and the next ``load`` decrypts only what other processes appended since (issue 11:
decrypting and validating the command's own event again was CPU spent on every command).

The catch-up reads of concurrent commands go to PostgreSQL together (``StreamTails``, issue 11: one round trip
for the commands that asked while the previous read was in flight, each read made after it was asked for), and
so do their appends (``GroupedCommandAppends``: one statement and one commit, each command's promises its own).
An HTTP command's first catch-up read is made in the statement that claims its write token (``load_claiming``,
``ClaimingTails``: one round trip and one commit fewer a command).

Erasure: when the new rows include ``PupilDataErased`` the stream is read again from the start,
so the events held afterwards carry no decrypted personal value (the key is gone); ``forget``
drops a stream at once (the process that erased calls it, and every other process does when it
reads the erasure from Kafka: ``ap_runtime.privacy.erasure_listener``). Age: nothing decrypted is
held longer than ``max_age_seconds`` (default 5 minutes) after it was decrypted: an older entry is
read again from the start, and ``sweep`` (called on load and by the listener's tick, so also when
the process is idle) drops expired entries.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from uuid import UUID

import asyncpg

from ap_contracts.events.base import DomainEvent
from ap_runtime.eventstore import AppendResult, EventStore, NewEvent, StoredEvent
from ap_runtime.eventstore.claiming_tails import ClaimingTails, PendingClaim
from ap_runtime.eventstore.codec import EventCodec, reveal_model
from ap_runtime.eventstore.grouped_appends import GroupedCommandAppends
from ap_runtime.eventstore.stream_tails import StreamTails

ERASURE_EVENT = "PupilDataErased"
DEFAULT_MAX_AGE_SECONDS = 300.0


@dataclass(frozen=True, slots=True)
class _Cached:
    version: int
    events: tuple[DomainEvent, ...]
    decrypted_at: float  # when the oldest event held was decrypted


class HistoryCachingStore(EventStore):
    def __init__(self, pool: asyncpg.Pool, codec: EventCodec, *, max_events: int = 200_000,
                 max_age_seconds: float = DEFAULT_MAX_AGE_SECONDS,
                 clock: Callable[[], float] = time.monotonic, keyed_pool: asyncpg.Pool | None = None) -> None:
        """``keyed_pool``: a ``keyed_statement_pool`` on ``pool``'s database for the command path's statements (the
        claim and catch-up reads, the appends: each reaches its rows by the keys it is given), else ``pool``."""
        super().__init__(pool, codec)
        keyed = keyed_pool or pool
        self._codec_for_reveal = codec
        self._tails = StreamTails(keyed)
        self._claiming_tails = ClaimingTails(pool, keyed)
        self._appends = GroupedCommandAppends(EventStore(keyed, codec))
        self._max_events = max_events
        self._max_age = max_age_seconds
        self._clock = clock
        self._held = 0
        self._streams: OrderedDict[str, _Cached] = OrderedDict()
        self._swept_at = clock()

    async def load(self, stream_id: str) -> list[DomainEvent]:
        """The stream's events in order (the same objects as last time for the part already read)."""
        return await self._load(stream_id, self.read_new)

    async def load_claiming(self, stream_id: str, pending: PendingClaim) -> list[DomainEvent]:
        """``load``, its catch-up read made in the statement that makes ``pending``'s write-token claim
        (``ClaimingTails``); raises ``TokenReplayed``, having decrypted and cached nothing, when the token carries
        another command."""

        async def claim_and_read_new(stream: str, after_version: int) -> list[StoredEvent]:
            return await self._claiming_tails.read(pending, stream, after_version)

        return await self._load(stream_id, claim_and_read_new)

    async def _load(self, stream_id: str, read_new: Callable[[str, int], Awaitable[list[StoredEvent]]],
                    ) -> list[DomainEvent]:
        now = self._clock()
        if now - self._swept_at >= self._max_age / 4:
            self.sweep()
        cached = self._streams.get(stream_id)
        if cached is not None and now - cached.decrypted_at >= self._max_age:
            self.forget(stream_id)
            cached = None
        after = 0 if cached is None else cached.version
        rows = await read_new(stream_id, after)
        if cached is not None and any(row.event_type == ERASURE_EVENT for row in rows):
            self.forget(stream_id)
            cached, rows = None, await self.read_stream(stream_id)
        new = [await reveal_model(self._codec_for_reveal, r.event_type, r.schema_version, r.payload, r.pii_subject)
               for r in rows]
        events = new if cached is None else [*cached.events, *new]
        if rows or cached is None:
            version = rows[-1].stream_version if rows else after
            self._remember(stream_id, _Cached(version, tuple(events), now if cached is None else cached.decrypted_at))
        else:
            self._streams.move_to_end(stream_id)
        return list(events)

    async def read_new(self, stream_id: str, after_version: int) -> list[StoredEvent]:
        """The stored rows of the stream after ``after_version``: ``load``'s catch-up read (``StreamTails``)."""
        return await self._tails.read(stream_id, after_version)

    async def append_command(self, command_id: UUID, stream_id: str, expected_version: int,
                             events: Sequence[NewEvent]) -> AppendResult:
        """``EventStore.append_command`` (grouped with concurrent ones); the events appended extend the cached
        stream held at ``expected_version`` (an erasure drops it instead: nothing decrypted is kept past one)."""
        result = await self._appends.append_command(command_id, stream_id, expected_version, events)
        cached = self._streams.get(stream_id)
        if any(e.event.event_type == ERASURE_EVENT for e in events):
            self.forget(stream_id)
        elif cached is not None and cached.version == expected_version:
            self._remember(stream_id, _Cached(result.last_version, (*cached.events, *(e.event for e in events)),
                                              cached.decrypted_at))
        return result

    def holds(self, stream_id: str) -> bool:
        """Whether decrypted events of the stream are held in this process."""
        return stream_id in self._streams

    def sweep(self) -> int:
        """Drop every entry older than the maximum age; returns how many were dropped."""
        self._swept_at = now = self._clock()
        expired = [sid for sid, entry in self._streams.items() if now - entry.decrypted_at >= self._max_age]
        for stream_id in expired:
            self.forget(stream_id)
        return len(expired)

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
