"""Many streams' new events in one statement: the catch-up reads of concurrent commands share a round trip.

Rule served: issue 11 (the HTTP command path's CPU per command). Every command reads its stream's events after the
version its process holds (``HistoryCachingStore.load``) before it decides: one statement, one round trip and one
transaction per command, each a socket write and a wake-up on both sides. ``StreamTails`` reads the tails asked for
while its previous read was in flight in one statement (``ap_runtime.batching``: no timer, so a lone read goes at
once). Each read is still made after it was asked for, in one snapshot, as ``EventStore.read_stream`` makes it:
what a command decides on is as fresh as before.
"""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg

from ap_runtime.batching import Batcher
from ap_runtime.eventstore.models import StoredEvent
from ap_runtime.eventstore.store import STORED_COLUMNS, row_to_stored

__all__ = ["StreamTails", "read_tails", "tails_query"]


def tails_query(first_parameter: int = 1) -> str:
    """The tails asked for in parameters ``$first_parameter`` (streams) and the next one (after which version), a
    row per event numbered ``n`` by the tail it answers (a stream may be asked for twice, after different versions).
    ``claiming_tails`` reads them in a write-token claim's statement, whose parameters come first."""
    streams, afters = f"${first_parameter}", f"${first_parameter + 1}"
    return (f"SELECT w.n, {STORED_COLUMNS}"  # noqa: S608  # nosec B608 - constant column list
            f" FROM unnest({streams}::text[], {afters}::int[]) WITH ORDINALITY AS w(wanted_stream, wanted_after, n)"
            " JOIN events ON events.stream_id = w.wanted_stream AND events.stream_version > w.wanted_after"
            " ORDER BY w.n, events.stream_version")


_TAILS = tails_query()


async def read_tails(db: asyncpg.Pool | asyncpg.Connection,
                     tails: Sequence[tuple[str, int]]) -> list[list[StoredEvent]]:
    """For each (stream, after version), the stream's events after that version in order, in one statement."""
    rows = await db.fetch(_TAILS, [stream for stream, _ in tails], [after for _, after in tails])
    found: list[list[StoredEvent]] = [[] for _ in tails]
    for row in rows:
        found[row["n"] - 1].append(row_to_stored(row))
    return found


class StreamTails:
    """``read_stream`` for concurrent callers, their reads made together (see the module docstring)."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool
        self._reads: Batcher[tuple[str, int], list[StoredEvent]] = Batcher(self._read_many)

    async def read(self, stream_id: str, after_version: int = 0) -> list[StoredEvent]:
        """The stream's events after ``after_version``, in order."""
        return await self._reads.submit((stream_id, after_version))

    async def _read_many(self, tails: Sequence[tuple[str, int]]) -> list[list[StoredEvent]]:
        return await read_tails(self._pool, tails)
