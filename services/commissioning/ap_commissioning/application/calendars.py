"""Which recorded calendar a commissioning decision or read counts school days with (issue 13).

Rule served (``calendar.recorded``: the calendar never guesses). A panel's waits and decision times are counted
on its local authority's recorded term dates; an organisation that is not an LA counts with the LA the register
places it in. Where nothing is recorded, the calendar recording no term dates is used, so a count over it raises
``SchoolCalendarNotRecorded`` (a decision is refused naming the rule; a table leaves the case uncounted) rather
than falling back to the packaged example.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from ap_runtime.school_days import NO_CALENDARS, Nation, SchoolCalendar, SchoolCalendars

CalendarSource = Callable[[], Awaitable[SchoolCalendars]]
"""the recorded calendars, read at each use"""


async def no_recorded_calendars() -> SchoolCalendars:
    """A source recording nothing (a deployment without the calendar read model)."""
    return NO_CALENDARS


def calendar_of(calendars: SchoolCalendars, organisation_id: str) -> SchoolCalendar:
    """The recorded calendar of ``organisation_id``'s area, or one recording no term dates for it."""
    found = calendars.for_area(organisation_id) or calendars.for_school(organisation_id)
    return found or SchoolCalendar(area_id=organisation_id, nation=Nation.ENGLAND, half_terms=())
