"""The time a process decides with: the wall clock, or (tests and demos only) a clock a file sets.

Rule served: issue 14, "a test drives a controllable clock through it". A fortnight of alerts needs days to pass
for running processes (the incidents API refuses a start date in its future; an acknowledgement is stamped with
its time; digests and escalations fall due by it) without back-dating events in the store. ``AP_CLOCK_FILE``
names a file holding one ISO 8601 instant with its offset; every process given it reads the time from that file
at each call, so a test moves the platform's time by rewriting the file. It is off by default, and refused unless
the process is told it is not production: ``AP_DEPLOYMENT`` defaults to ``production``, where the settings
refuse ``AP_CLOCK_FILE`` at start (``PlatformSettings``), naming the variable; a stray clock file in a real
deployment stops the process instead of moving its time. The event store's ``recorded_at`` stays the database
server's time whatever the clock says (it orders what was recorded, not what it is about).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from ap_runtime.settings import PlatformSettings

Clock = Callable[[], datetime]


class ClockFileUnreadable(ValueError):
    """The clock file does not hold one ISO 8601 instant with an offset; says which file and what it holds."""


def wall_clock() -> datetime:
    return datetime.now(UTC)


class FileClock:
    """Reads the instant from ``path`` at every call (a test moves time by rewriting the file)."""

    def __init__(self, path: Path) -> None:
        self._path = path

    @property
    def path(self) -> Path:
        return self._path

    def __call__(self) -> datetime:
        text = self._path.read_text(encoding="utf-8").strip()
        try:
            instant = datetime.fromisoformat(text)
        except ValueError:
            raise ClockFileUnreadable(f"{self._path}: {text[:40]!r} is not an ISO 8601 instant") from None
        if instant.tzinfo is None:
            raise ClockFileUnreadable(f"{self._path}: {text[:40]!r} has no UTC offset")
        return instant.astimezone(UTC)

    def set(self, instant: datetime) -> None:
        """Move the clock (the test's side): written whole then renamed, so a reader never sees half a time."""
        if instant.tzinfo is None:
            raise ClockFileUnreadable(f"{instant.isoformat()} has no UTC offset")
        partial = self._path.with_name(self._path.name + ".new")
        partial.write_text(instant.isoformat(), encoding="utf-8")
        partial.replace(self._path)


def clock_from_settings(settings: PlatformSettings) -> Clock:
    """The file's clock when ``AP_CLOCK_FILE`` is set (the settings refused it in production), else the wall's."""
    return wall_clock if settings.clock_file is None else FileClock(settings.clock_file)
