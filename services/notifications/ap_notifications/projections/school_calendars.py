"""The school calendars the notifications service counts with, kept from ``ap.incidents.events`` (issue 13).

The read model is the shared one (``ap_runtime.school_days.stored``): the latest term dates per organisation and
academic year and each school's LA, folded with the one shared function, so a safeguarding transfer's 5 school
days are the days the incidents service would count. No pupil data.
"""

from __future__ import annotations

from typing import ClassVar

import asyncpg

import ap_runtime.school_days.stored as stored


class SchoolCalendarProjection(stored.CalendarFactsProjection):
    name: ClassVar[str] = "notification_calendars"


class StoredCalendars(stored.StoredCalendars):
    """The recorded calendars of the notifications read model, read at each offer."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        super().__init__(pool, SchoolCalendarProjection.name)
