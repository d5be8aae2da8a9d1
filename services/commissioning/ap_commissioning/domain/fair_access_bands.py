"""How Fair Access waits are banded and flagged (seed 004's table; STATUTORY.md: "state in every report
whether the bands are cumulative or exclusive"; DfE Fair Access Protocols: a place within 20 school days).

The seed's table counts cases with 38+, 69+ and 100+ school days without a placement, and its rows fall
from left to right (Bath: 31 cases, 16, 9, 6), so its bands are cumulative: a child 70 days without a
place is in both 38+ and 69+. ``cumulative=False`` puts each case in the highest band it reached only.
The thresholds, the choice and the 20-school-day expectation are parameters, not constants in code.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FairAccessBands:
    thresholds: tuple[int, ...] = (38, 69, 100)
    cumulative: bool = True
    expectation_school_days: int = 20

    def __post_init__(self) -> None:
        if not self.thresholds or list(self.thresholds) != sorted(set(self.thresholds)) or self.thresholds[0] < 1:
            raise ValueError("band thresholds are positive school-day counts in increasing order")

    def bands_of(self, school_days: int) -> tuple[int, ...]:
        """The thresholds a wait counts under: every one reached (cumulative) or the highest reached."""
        reached = tuple(t for t in self.thresholds if school_days >= t)
        return reached if self.cumulative else reached[-1:]

    def beyond_expectation(self, school_days: int) -> bool:
        """A child still without a place after the expected school days (flagged, not refused)."""
        return school_days > self.expectation_school_days


DEFAULT_BANDS = FairAccessBands()
