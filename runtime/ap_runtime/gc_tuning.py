"""Python's cyclic garbage collector set for a long-running server process (API workers, command consumers).

Rule served: issue 11 (HTTP p99 under 25 ms at 200 commands/s offered; the Kafka burst drained at no
less than the HTTP rate). Measured with gc.callbacks in each process (loaded shared machine, load 3-7):

* an API worker answering ~2,000 commands after its start-up freeze ran, with the default thresholds
  (700, 10, 10), 150-250 young collections (0.2-2 ms each), about 20 middle ones (2-7 ms) and one or
  two full ones of 10-69 ms of CPU over the 50,000-60,000 objects it made since (cached folds and
  keys, requests in flight), finding 0-2,000 garbage objects: while one ran, that worker answered nothing.
  With ``SERVING_THRESHOLDS``: two or three young collections of 4-14 ms and nothing else.
* the command consumer draining 10,000 commands ran 1,145 young, 104 middle and 7 full collections
  (14 ms growing to 97 ms each, as its cached folds grew; none collected anything): about 0.9 s of
  CPU, 0.09 ms a command; with ``SERVING_THRESHOLDS`` 20 young and no full one, about 0.2 s.

A command's objects die with it (reference counting frees them), so the young generation's count
grows only by what outlives a command; counting to 20,000 before a young collection, and to 100
middle collections before a full one, still collects every garbage cycle, later. Start-up objects
are frozen first (``freeze_startup_objects``), so a full collection walks only what came after.
"""

from __future__ import annotations

import gc

from ap_runtime.projection.collector import freeze_startup_objects

__all__ = ["SERVING_THRESHOLDS", "settle_for_serving"]

SERVING_THRESHOLDS = (20_000, 20, 100)


def settle_for_serving() -> int:
    """Freeze what start-up made and set the collector's serving thresholds; returns the frozen objects.

    Called once by every serving process when it has started: each API process (``http.serve.serve_api``,
    after its app's lifespan start-up), each FastStream worker (``worker.run_until_stopped``, after its app's
    start-up: the command consumer, the projection runners, the notifications worker) and the relay; never
    for a test's app, whose objects come and go.
    """
    frozen = freeze_startup_objects()
    gc.set_threshold(*SERVING_THRESHOLDS)
    return frozen
