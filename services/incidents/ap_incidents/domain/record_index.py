"""An immutable map from record id to what the domain must remember about that entry.

A pupil stream can hold thousands of entries and ``evolve`` returns a new state for each event,
so copying one dictionary per event would make folding a stream quadratic. Entries go into a
small open chunk that is copied on write; full chunks are sealed and shared by every later
state. Lookups check the open chunk, then sealed chunks newest first (newest entry wins).
The chunks are private dictionaries that are never changed once an index holds them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, TypeVar
from uuid import UUID

V = TypeVar("V")

_CHUNK = 128


@dataclass(frozen=True, slots=True)
class RecordIndex(Generic[V]):
    _sealed: tuple[dict[UUID, V], ...] = ()
    _open: dict[UUID, V] = field(default_factory=dict)

    def get(self, record_id: UUID) -> V | None:
        found = self._open.get(record_id)
        if found is not None:
            return found
        for chunk in reversed(self._sealed):
            found = chunk.get(record_id)
            if found is not None:
                return found
        return None

    def __contains__(self, record_id: object) -> bool:
        return isinstance(record_id, UUID) and self.get(record_id) is not None

    def with_entry(self, record_id: UUID, value: V) -> RecordIndex[V]:
        """A new index holding ``value`` for ``record_id`` (replacing any earlier value)."""
        opened = self._open.copy()  # a dict copy keeps the stored hashes: no key is hashed again
        opened[record_id] = value
        if len(opened) >= _CHUNK:
            return RecordIndex((*self._sealed, opened), {})
        return RecordIndex(self._sealed, opened)
