"""The controllable clock (issue 14, ``ap_runtime.clock``): off by default, refused in production, read at each call."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from ap_runtime.clock import ClockFileUnreadable, FileClock, clock_from_settings, wall_clock
from ap_runtime.settings import InvalidSetting, platform_settings


def test_without_a_clock_file_every_process_keeps_the_wall_clock() -> None:
    settings = platform_settings({})
    assert settings.clock_file is None and settings.deployment == "production"
    assert clock_from_settings(settings) is wall_clock


@pytest.mark.parametrize("deployment", [{}, {"AP_DEPLOYMENT": "production"}])
def test_a_clock_file_is_refused_in_production_naming_the_variable(tmp_path: Path, deployment: dict[str, str]) -> None:
    """Every service's settings extend the platform's, so every process refuses it (their bootstraps read it)."""
    with pytest.raises(InvalidSetting) as refused:
        platform_settings({"AP_CLOCK_FILE": str(tmp_path / "clock"), **deployment})
    assert "AP_CLOCK_FILE" in refused.value.problems and "production" in str(refused.value)


def test_an_unknown_deployment_is_refused() -> None:
    with pytest.raises(InvalidSetting) as refused:
        platform_settings({"AP_DEPLOYMENT": "staging"})
    assert "AP_DEPLOYMENT" in refused.value.problems


def test_outside_production_the_file_sets_the_time_at_each_call(tmp_path: Path) -> None:
    settings = platform_settings({"AP_CLOCK_FILE": str(tmp_path / "clock"), "AP_DEPLOYMENT": "test"})
    writer = FileClock(tmp_path / "clock")
    first = datetime(2025, 3, 3, 15, tzinfo=UTC)
    writer.set(first)
    clock = clock_from_settings(settings)
    assert clock() == first
    writer.set(first + timedelta(days=1, minutes=30))
    assert clock() == first + timedelta(days=1, minutes=30)
    writer.set(datetime(2025, 3, 4, 17, tzinfo=timezone(timedelta(hours=1))))  # any offset, read as UTC
    assert clock() == datetime(2025, 3, 4, 16, tzinfo=UTC)


@pytest.mark.parametrize("text", ["tomorrow", "2025-03-03T15:00:00", ""])
def test_a_clock_file_without_an_instant_and_offset_is_refused_saying_which_file(tmp_path: Path, text: str) -> None:
    path = tmp_path / "clock"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ClockFileUnreadable, match="clock"):
        FileClock(path)()
    with pytest.raises(ClockFileUnreadable, match="offset"):
        FileClock(path).set(datetime(2025, 3, 3, 15))  # naive: the point
