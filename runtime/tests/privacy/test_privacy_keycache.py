"""In-process key cache: entries expire after the TTL, the least recently used go first."""

from __future__ import annotations

from ap_runtime.privacy.keycache import KeyCache


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_entries_expire_after_the_ttl() -> None:
    clock = Clock()
    cache = KeyCache(5.0, clock=clock)
    cache.store("a", b"k")
    clock.now = 4.9
    hit = cache.lookup("a")
    assert hit is not None and hit.key == b"k"
    clock.now = 5.0
    assert cache.lookup("a") is None


def test_a_destroyed_key_is_cached_as_none() -> None:
    cache = KeyCache(5.0)
    cache.store("a", None)
    hit = cache.lookup("a")
    assert hit is not None and hit.key is None


def test_least_recently_used_entry_is_evicted() -> None:
    cache = KeyCache(60.0, max_entries=2)
    cache.store("a", b"1")
    cache.store("b", b"2")
    cache.lookup("a")
    cache.store("c", b"3")
    assert cache.lookup("b") is None
    assert cache.lookup("a") is not None and cache.lookup("c") is not None


def test_ttl_zero_caches_nothing() -> None:
    cache = KeyCache(0)
    cache.store("a", b"1")
    assert cache.lookup("a") is None and len(cache) == 0


def test_forget_evicts() -> None:
    cache = KeyCache(60.0)
    cache.store("a", b"1")
    cache.forget("a")
    assert cache.lookup("a") is None
