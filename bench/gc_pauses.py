"""The load generator's own delays during a measurement: its Python collections and its late sends.

An open loop's latency runs from each command's scheduled send time, so whatever holds up the bench
process itself (a collection over the previous phases' garbage, its event loop's lateness) is counted
as the platform's latency. These figures are published beside the latency so a tail can be told
apart: issue 11's traced runs found the bench's share small (no full collection in the open loop,
sends late 0.8 ms at the median), the slow requests' time being in the API's durable commits.
"""

from __future__ import annotations

import gc
import time
from types import TracebackType
from typing import Any

from bench.pipeline_baseline import percentiles


class GcPauses:
    """Within ``with``: every collection of this process and how long it held the interpreter."""

    def __init__(self) -> None:
        self.pauses_ms: list[float] = []
        self.full_collections = 0
        self._started = 0.0

    def _callback(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
            return
        self.pauses_ms.append((time.perf_counter() - self._started) * 1000)
        self.full_collections += info["generation"] == 2

    def __enter__(self) -> GcPauses:
        gc.callbacks.append(self._callback)
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        gc.callbacks.remove(self._callback)

    def figures(self) -> dict[str, float]:
        """The bench process's collections during the measurement (named as the open loop's figures)."""
        return {"bench_gc_collections": float(len(self.pauses_ms)),
                "bench_gc_full_collections": float(self.full_collections),
                "bench_gc_pause_max_ms": round(max(self.pauses_ms, default=0.0), 2)}


def lateness_figures(late_ms: list[float]) -> dict[str, float]:
    """How late the load generator sent its commands after their scheduled times (p50, p99, max)."""
    figures = percentiles(late_ms)
    return {f"send_late_{name}": figures[name] for name in ("p50_ms", "p99_ms", "max_ms") if name in figures}
