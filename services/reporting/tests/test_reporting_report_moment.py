"""Rule report.as_at at its edges: a moment before anything was recorded is refused naming the parameter, never
answered with a server error (the API fuzz test found `recorded_by=0001-01-01T00:00:06Z` overflowing the
time-zone arithmetic)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from ap_reporting.domain.errors import AsAtNotValid
from ap_reporting.entrypoints.report_moment import EARLIEST, moment_of

NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize("recorded_by", [datetime(1, 1, 1, 0, 0, 6, tzinfo=UTC), datetime(1969, 12, 31, tzinfo=UTC)])
def test_a_moment_before_the_earliest_is_refused_naming_recorded_by(recorded_by: datetime) -> None:
    with pytest.raises(AsAtNotValid) as refused:
        moment_of(None, recorded_by, NOW)
    assert refused.value.field == "recorded_by"


@pytest.mark.parametrize("as_at", [date(1, 1, 1), date(1969, 12, 31)])
def test_a_day_before_the_earliest_is_refused_naming_as_at(as_at: date) -> None:
    with pytest.raises(AsAtNotValid) as refused:
        moment_of(as_at, None, NOW)
    assert refused.value.field == "as_at"


def test_the_earliest_moment_and_day_are_answered() -> None:
    assert moment_of(None, EARLIEST, NOW).recorded_by == EARLIEST
    assert moment_of(EARLIEST.date(), None, NOW).as_at == EARLIEST.date()
