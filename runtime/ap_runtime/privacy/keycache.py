"""A small in-process LRU cache of unwrapped data keys with a time to live.

Why a TTL and not only LRU: another process may destroy a key; this process must stop using its
copy soon after. The TTL bounds that window (a destroy in this process evicts at once).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CachedKey:
    """A cache hit: ``key`` is None when the subject's key is known to be destroyed."""

    key: bytes | None


class KeyCache:
    def __init__(
        self, ttl_seconds: float, max_entries: int = 10_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if ttl_seconds < 0 or max_entries < 1:
            raise ValueError("ttl_seconds must be >= 0 and max_entries >= 1")
        self._ttl = ttl_seconds
        self._max = max_entries
        self._clock = clock
        self._entries: OrderedDict[str, tuple[float, CachedKey]] = OrderedDict()

    def lookup(self, subject: str) -> CachedKey | None:
        entry = self._entries.get(subject)
        if entry is None:
            return None
        expires_at, cached = entry
        if self._clock() >= expires_at:
            del self._entries[subject]
            return None
        self._entries.move_to_end(subject)
        return cached

    def store(self, subject: str, key: bytes | None) -> None:
        if self._ttl == 0:
            return
        self._entries[subject] = (self._clock() + self._ttl, CachedKey(key))
        self._entries.move_to_end(subject)
        while len(self._entries) > self._max:
            self._entries.popitem(last=False)

    def forget(self, subject: str) -> None:
        self._entries.pop(subject, None)

    def __len__(self) -> int:
        return len(self._entries)
