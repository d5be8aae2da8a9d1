"""What a *save* workload is, shared by the peer benchmark's two sides (ours and pyeventsourcing's).

Kept free of heavy imports: the peer's client processes import it when they start.
"""

from __future__ import annotations

from dataclasses import dataclass

STREAMS_PER_CLIENT = 4


@dataclass(frozen=True, slots=True)
class Workload:
    """``saves`` saves in all, shared evenly by ``clients`` concurrent clients."""

    name: str
    clients: int
    events_per_save: int
    saves: int

    @property
    def saves_per_client(self) -> int:
        return max(1, self.saves // self.clients)


def workloads(quick: bool) -> list[Workload]:
    """One-event and ten-event saves, one client and sixteen (issue 11's peer comparison)."""
    scale = 10 if quick else 1
    return [
        Workload("one_event_1_client", 1, 1, 600 // scale),
        Workload("one_event_16_clients", 16, 1, 1600 // scale),
        Workload("ten_events_1_client", 1, 10, 200 // scale),
        Workload("ten_events_16_clients", 16, 10, 480 // scale),
    ]


def figures(saves: int, events_per_save: int, elapsed: float, latencies_ms: list[float]) -> dict[str, float]:
    """The figures both systems report for one workload: saves/s, events/s and per-save latency."""
    from bench.pipeline_baseline import percentiles  # lazily: only the parent needs it

    return {
        "saves_per_second": round(saves / elapsed, 1),
        "events_per_second": round(saves * events_per_save / elapsed, 1),
        **percentiles(latencies_ms),
    }
