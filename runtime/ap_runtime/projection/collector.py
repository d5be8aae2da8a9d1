"""Python's cyclic garbage collector, paused while a projection works through a batch.

Measured (issue 11, bench/rebuild.py and the runner's apply path): with the collector on, about
half of a rebuild's CPU and 40% of the live runner's went to it. A batch decodes thousands of
envelopes that live until the batch is applied: long enough to be promoted, and each wave of
promotions sets off a full collection that walks the whole heap (every module, every schema).
Envelopes, payloads and rows hold no reference cycles, so reference counting frees them when the
batch ends; pausing the collector for the batch loses nothing, and what cycles do arise (a failed
future's traceback) are collected once it runs again.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

# Tracked objects allocated and not freed while paused, past which a pause ends with a full collection:
# a process whose runners keep the collector paused back to back still collects what cycles build up.
NET_ALLOCATIONS_BEFORE_COLLECTING = 100_000

_paused = 0  # pauses in progress: several runners in one process overlap their batches
_enabled_before = True  # whether the collector ran before the first of them


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic collector for the block; after the last overlapping pause it runs again if it ran before."""
    global _paused, _enabled_before
    if _paused == 0:
        _enabled_before = gc.isenabled()
        gc.disable()
    _paused += 1
    try:
        yield
    finally:
        _paused -= 1
        if gc.get_count()[0] > NET_ALLOCATIONS_BEFORE_COLLECTING:
            gc.collect()
        if _paused == 0 and _enabled_before:
            gc.enable()


def freeze_startup_objects() -> int:
    """Move everything allocated so far out of the cyclic collector's reach; returns how many objects.

    Called once by a rebuild's processes when they have started, and by every serving process through
    ``gc_tuning.settle_for_serving`` (which sets its thresholds too): the modules, the contract catalogue's
    pydantic schemas and the clients live as long as the process, yet every full collection walked them all
    again. Measured on
    the write path (``bench/platform_pipeline.py``, 20,000 events, load 6-15): 95-105 us of Python per
    event without, 74-75 with. Reference counting still frees them; only cycles among them would stay,
    and startup objects are not garbage.
    """
    gc.collect()  # what startup left as garbage goes now, not into the permanent generation
    gc.freeze()
    return gc.get_freeze_count()
