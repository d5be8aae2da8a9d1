"""Attendance below the agreed level (BRIEF.md section 5: the commissioner is told).

The rate is attended sessions over possible sessions for the placement so far, counted with the
national session code table (codes that are not possible sessions do not count either way). The
commissioner is told when the rate falls below the agreed percentage, once per fall: while it
stays below nothing more is sent, and a recovery to the agreed level re-arms the alert.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ap_contracts.events.pupil_vocabulary import ATTENDANCE_CODES, AttendanceCode

BASIS_POINTS = 10_000


@dataclass(frozen=True, slots=True)
class AttendanceTally:
    attended: int = 0
    possible: int = 0

    def rate_basis_points(self) -> int | None:
        """Attended / possible in basis points (rounded down), None before any possible session."""
        if self.possible == 0:
            return None
        return self.attended * BASIS_POINTS // self.possible


def tally(codes: Iterable[AttendanceCode]) -> AttendanceTally:
    """Count session marks the way the national table says each code counts."""
    counts: dict[AttendanceCode, int] = {}
    for code in codes:
        counts[code] = counts.get(code, 0) + 1
    return tally_counts(counts)


def tally_counts(marks_by_code: Mapping[AttendanceCode, int]) -> AttendanceTally:
    """``tally`` from the number of marks of each code."""
    attended = possible = 0
    for code, marks in marks_by_code.items():
        info = ATTENDANCE_CODES[code]
        attended += marks * info.counts_as_attended
        possible += marks * info.counts_as_possible
    return AttendanceTally(attended, possible)


@dataclass(frozen=True, slots=True)
class AttendanceVerdict:
    alert: bool
    below: bool
    rate_basis_points: int | None
    threshold_percent: int = 0
    """The agreed percentage the rate was judged against (the placement's, or the SLA's in force)."""


def judge_attendance(
    tally_so_far: AttendanceTally, threshold_percent: int, was_below: bool, min_possible_sessions: int
) -> AttendanceVerdict:
    """Whether this mark takes the placement below its agreed level (alert) and the new state."""
    rate = tally_so_far.rate_basis_points()
    if rate is None or tally_so_far.possible < min_possible_sessions:
        return AttendanceVerdict(alert=False, below=was_below, rate_basis_points=rate,
                                 threshold_percent=threshold_percent)
    below = rate < threshold_percent * (BASIS_POINTS // 100)
    return AttendanceVerdict(alert=below and not was_below, below=below, rate_basis_points=rate,
                             threshold_percent=threshold_percent)
