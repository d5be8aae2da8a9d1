"""A report "known on" a day holds what had been recorded before midnight in England that day (issue 15, point
in time): the cut-off follows British Summer Time, not UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from ap_finance.reports.periods import end_of_day_in_england

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(("day", "last_moment_utc"), [
    (date(2025, 6, 30), datetime(2025, 6, 30, 22, 59, 59, 999_999, tzinfo=UTC)),   # BST: UTC+1
    (date(2025, 12, 31), datetime(2025, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC)),  # GMT
    (date(2026, 3, 29), datetime(2026, 3, 29, 22, 59, 59, 999_999, tzinfo=UTC)),   # the clocks went forward
])
def test_the_end_of_a_day_in_england(day: date, last_moment_utc: datetime) -> None:
    assert end_of_day_in_england(day) == last_moment_utc
