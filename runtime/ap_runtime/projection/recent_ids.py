"""The event ids a rebuild saw last in each partition: how it skips a re-published copy without an index.

While a generation's first catch-up loads without its unique indexes (``deferred_indexes``), a copy
of an event published twice must be caught before it is loaded. Both copies are in one partition
(the relay keys records by stream), and a re-published event follows its first copy closely: the
relay sends from its recorded checkpoint again after a crash, a lost leadership or a failed send, and
at most ``max_in_flight`` batches (4 x 500 events) are ever sent past that checkpoint. So each
partition's last ``kept``-``2 x kept`` ids are remembered, far more than that. A copy further away (a
deposed relay's send delayed by a broker's retries, a checkpoint reset by hand) is not caught here;
the unique indexes built at the end catch it, and the rebuild starts again with them in place.
"""

from __future__ import annotations

from collections.abc import Sequence

from ap_runtime.projection.runner import DecodedRecord

# Ids remembered per partition, at least: 25 times the relay's in-flight reach, about 4 MB a partition.
KEPT_PER_PARTITION = 50_000


class _Window:
    """Two generations of ids: the newer fills up to ``kept``, then replaces the older."""

    __slots__ = ("kept", "newer", "older")

    def __init__(self, kept: int) -> None:
        self.kept = kept
        self.newer: set[int] = set()
        self.older: set[int] = set()

    def seen(self, key: int) -> bool:
        """Whether ``key`` came before; remembers it if not."""
        if key in self.newer or key in self.older:
            return True
        self.newer.add(key)
        if len(self.newer) >= self.kept:
            self.older, self.newer = self.newer, set()
        return False


class RecentEventIds:
    """Per partition, the event ids of its last ``kept`` to ``2 x kept`` records."""

    def __init__(self, kept: int | None = None) -> None:
        self._kept = kept or KEPT_PER_PARTITION
        self._windows: dict[tuple[str, int], _Window] = {}

    def first_copies(self, batch: Sequence[DecodedRecord]) -> tuple[list[DecodedRecord], int]:
        """The batch without the records whose event id its partition had recently; and how many were left out.

        An undecodable record has no id and is kept (the runner dead-letters it).
        """
        kept: list[DecodedRecord] = []
        window: _Window | None = None
        place: tuple[str, int] | None = None
        for item in batch:
            event = item.event
            if event is not None:
                if place is None or place[1] != event.partition or place[0] != event.topic:
                    place = (event.topic, event.partition)  # a batch holds each partition's records together
                    window = self._windows.get(place) or self._windows.setdefault(place, _Window(self._kept))
                if window is not None and window.seen(event.envelope.event_id.int):
                    continue
            kept.append(item)
        return kept, len(batch) - len(kept)
