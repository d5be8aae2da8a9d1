"""The school calendars commissioning counts with, kept from ``ap.incidents.events`` (issue 13).

Fair Access waits and referral decision times are counted in school days on the local authority's recorded term
dates, as the incidents service records them (``TermDatesRecorded``, ``OrganisationRegistered``), never on the
packaged example. The read model is the shared one (``ap_runtime.school_days.stored``): only those two event types,
which carry clear organisation facts; the topic's sealed personal fields are never read, and commissioning holds no
pupil key.
"""

from __future__ import annotations

from typing import ClassVar

import asyncpg

from ap_runtime.school_days.stored import CalendarFactsProjection, StoredCalendars


class CommissioningCalendarProjection(CalendarFactsProjection):
    name: ClassVar[str] = "commissioning_calendars"


def stored_calendars(pool: asyncpg.Pool) -> StoredCalendars:
    """The recorded calendars of commissioning's read model, read at each decision and read."""
    return StoredCalendars(pool, CommissioningCalendarProjection.name)
