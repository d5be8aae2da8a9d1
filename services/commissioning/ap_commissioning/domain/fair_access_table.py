"""The Fair Access table per panel area, in seed 004's shape: cases, and cases 38+, 69+ and 100+ school
days without a placement, plus the cases past the 20-school-day expectation and those still open.

Pure: the read model hands in one ``FairAccessCaseRow`` per case; an open case's wait is counted to
``as_of``. The table says whether its bands are cumulative (STATUTORY.md). A wait over days the calendar
records no term dates for is not guessed: the case counts in ``cases`` and ``not_counted`` only.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from ap_commissioning.domain.fair_access import school_days_without_place
from ap_commissioning.domain.fair_access_bands import DEFAULT_BANDS, FairAccessBands
from ap_runtime.school_days import SchoolCalendar, SchoolCalendarNotRecorded


@dataclass(frozen=True, slots=True)
class FairAccessCaseRow:
    panel_id: str
    panel_name: str
    without_place_since: date
    ended_on: date | None
    """the first day at the new place, or the day the case was closed without one; None while open"""


@dataclass(frozen=True, slots=True)
class FairAccessTableRow:
    panel_id: str
    panel_name: str
    cases: int
    by_band: dict[int, int]
    beyond_expectation: int
    still_open: int
    not_counted: int


@dataclass(frozen=True, slots=True)
class FairAccessTable:
    as_of: date
    cumulative: bool
    thresholds: tuple[int, ...]
    expectation_school_days: int
    rows: tuple[FairAccessTableRow, ...]
    total: FairAccessTableRow


def _row(panel_id: str, name: str, waits: list[tuple[int | None, bool]], bands: FairAccessBands) -> FairAccessTableRow:
    by_band = dict.fromkeys(bands.thresholds, 0)
    counted = [wait for wait, _ in waits if wait is not None]
    for wait in counted:
        for threshold in bands.bands_of(wait):
            by_band[threshold] += 1
    return FairAccessTableRow(
        panel_id, name, len(waits), by_band, sum(1 for wait in counted if bands.beyond_expectation(wait)),
        sum(1 for _, still_open in waits if still_open), len(waits) - len(counted))


def _wait(case: FairAccessCaseRow, as_of: date, calendar: SchoolCalendar) -> int | None:
    try:
        return school_days_without_place(case.without_place_since, case.ended_on or as_of, calendar)
    except SchoolCalendarNotRecorded:
        return None


def fair_access_table(cases: Iterable[FairAccessCaseRow], as_of: date, calendar: SchoolCalendar,
                      bands: FairAccessBands = DEFAULT_BANDS) -> FairAccessTable:
    """One row per panel area (in name order) and a total, every wait in school days on ``calendar``."""
    waits: dict[tuple[str, str], list[tuple[int | None, bool]]] = {}
    for case in cases:
        waits.setdefault((case.panel_name, case.panel_id), []).append(
            (_wait(case, as_of, calendar), case.ended_on is None))
    rows = tuple(_row(panel_id, name, waits[(name, panel_id)], bands) for name, panel_id in sorted(waits))
    everything = [w for key in sorted(waits) for w in waits[key]]
    return FairAccessTable(as_of, bands.cumulative, bands.thresholds, bands.expectation_school_days, rows,
                           _row("total", "Total", everything, bands))
