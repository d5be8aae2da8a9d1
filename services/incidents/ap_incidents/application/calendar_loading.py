"""The school calendars a decision counts with, loaded from the register of organisations (issue 13).

Term dates are recorded on the organisations' own streams (``TermDatesRecorded``, an LA's for its area, a
school's for itself) and folded by the one shared function (``ap_runtime.school_days.recorded_calendars``),
as the notifications service folds them from the topic. Only commands that count school days pay for the
loads; a calendar recorded for an area replaces the configured one (the ``base``, empty in production).
"""

from __future__ import annotations

from collections.abc import Iterable

from ap_contracts.events.base import DomainEvent
from ap_contracts.events.organisations import OrganisationRegistered, TermDatesRecorded
from ap_incidents.domain import command_models as c
from ap_incidents.domain.identity import organisation_stream_id
from ap_incidents.domain.organisations import RegisteredOrganisation
from ap_runtime.eventstore import EventStorePort
from ap_runtime.school_days import HalfTerm, SchoolCalendars, half_terms_of, recorded_calendars

# The pupil commands whose rules count school days: the placement's first review and each next one
# (half-termly), a reduced timetable's reviews, a suspension's per-term totals and sixth day, and a permanent
# exclusion's sixth day.
COUNTS_SCHOOL_DAYS = (c.StartPlacement, c.HoldReview, c.ReviewReducedTimetable, c.IssueSuspension,
                      c.IssuePermanentExclusion)


async def calendars_for(store: EventStorePort, command: c.PupilCommand, organisation_ids: Iterable[str | None],
                        base: SchoolCalendars) -> SchoolCalendars:
    """``base`` with the recorded calendars of ``organisation_ids`` (the command's organisations and the pupil's
    home school) and of the LAs they are registered in; ``base`` alone for a command that counts no days."""
    if not isinstance(command, COUNTS_SCHOOL_DAYS):
        return base
    return await organisation_calendars(store, organisation_ids, base)


async def organisation_calendars(store: EventStorePort, organisation_ids: Iterable[str | None],
                                 base: SchoolCalendars) -> SchoolCalendars:
    """``base`` with the recorded calendars of ``organisation_ids`` and of the LAs they are registered in."""
    ids = sorted({o for o in organisation_ids if o})
    events: list[DomainEvent] = []
    for organisation_id in ids:
        events.extend(await store.load(organisation_stream_id(organisation_id)))
    areas = {e.local_authority_id for e in events if isinstance(e, OrganisationRegistered) and e.local_authority_id}
    for area in sorted(areas - set(ids)):
        events.extend(await store.load(organisation_stream_id(area)))
    return base.overlaid(recorded_calendars(events))


async def la_half_terms(store: EventStorePort, registered: RegisteredOrganisation | None,
                        academic_year: str) -> tuple[HalfTerm, ...]:
    """The half terms the LA of ``registered`` recorded for ``academic_year`` (none for an LA itself)."""
    if registered is None or registered.local_authority_id in (None, registered.organisation_id):
        return ()
    assert registered.local_authority_id is not None
    latest: TermDatesRecorded | None = None
    for event in await store.load(organisation_stream_id(registered.local_authority_id)):
        if isinstance(event, TermDatesRecorded) and event.academic_year == academic_year:
            latest = event
    return () if latest is None else half_terms_of(latest)
