"""The safeguarding transfer counts with the term dates recorded through the incidents API (issue 13), not a
packaged calendar: the notifications read model keeps ``TermDatesRecorded`` and ``OrganisationRegistered`` from
``ap.incidents.events`` and the deadline, counted with the shared fold, crosses the autumn half term, the
LA's INSET day after Christmas, a bank holiday and the receiving school's own INSET day. On real PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import uuid4

import pytest

from ap_contracts.envelope import OrgKind
from ap_contracts.events.base import DomainEvent
from ap_contracts.events.organisations import OrganisationRegistered, TermDatesRecorded
from ap_notifications.application.dispatch import SYSTEM_ACTOR
from ap_notifications.domain.commands import OfferTransfer
from ap_notifications.domain.school_days import WEEKDAYS_ONLY
from ap_notifications.entrypoints.bootstrap import NotificationServices
from ap_notifications.projections.school_calendars import SchoolCalendarProjection
from ap_runtime.projection.store import ensure_registered
from ap_runtime.school_days.example import term_dates_bodies
from ap_testing.notifications.builders import received

pytestmark = pytest.mark.integration

LA = "la-demo-county"
RECEIVING = "school-demo-ashgrove"
SECONDARY = "school-demo-secondary"


async def _project(notif: NotificationServices, events: list[DomainEvent]) -> None:
    projection = SchoolCalendarProjection()
    schema = await ensure_registered(notif.pool, projection)
    async with notif.pool.acquire() as conn, conn.transaction():
        await conn.execute(f"SET LOCAL search_path TO {schema}, public")
        for event in events:
            await projection.apply(conn, received(event))


async def _due_by(notif: NotificationServices, day: date, receiving: str = RECEIVING) -> tuple[date, str]:
    command = OfferTransfer(transfer_id=uuid4(), pupil_ref=uuid4(), from_organisation_id="provision-north",
                            to_organisation_id=receiving, receiving_dsl_organisation_id=receiving,
                            offered_at=datetime(day.year, day.month, day.day, 15, tzinfo=UTC))
    offered = (await notif.transfers.offer(command, SYSTEM_ACTOR, "provision-north", uuid4())).offered
    assert offered is not None
    return offered.due_by, offered.due_by_counted_with


async def test_the_transfer_deadline_counts_with_the_term_dates_recorded_on_the_incidents_topic(
    notif: NotificationServices,
) -> None:
    # Before anything is recorded (the read model not even built): weekdays, never later.
    assert await _due_by(notif, date(2026, 10, 21)) == (date(2026, 10, 28), WEEKDAYS_ONLY)
    years = [TermDatesRecorded.model_validate({**body, "local_authority_id": LA}) for body in term_dates_bodies()]
    schools = [OrganisationRegistered(organisation_id=s, kind=OrgKind.HOME_SCHOOL, local_authority_id=LA)
               for s in (RECEIVING, SECONDARY)]
    own_inset = TermDatesRecorded(organisation_id=SECONDARY, local_authority_id=LA, academic_year="2026-27",
                                  inset_days=(date(2026, 11, 27),))
    await _project(notif, [own_inset, *years, *schools])

    # Autumn half term: Thu 22, Fri 23 October, then Mon 2 .. Wed 4 November 2026.
    assert await _due_by(notif, date(2026, 10, 21)) == (date(2026, 11, 4), LA)
    # Christmas, then the LA's INSET day Monday 4 January 2027: Tue 5 .. Mon 11 January.
    assert await _due_by(notif, date(2026, 12, 18)) == (date(2027, 1, 11), LA)
    # The early May bank holiday, Monday 3 May 2027: Tue 4 .. Mon 10 May.
    assert await _due_by(notif, date(2027, 4, 30)) == (date(2027, 5, 10), LA)
    # The secondary's own INSET day, Friday 27 November 2026, is not the other school's.
    assert await _due_by(notif, date(2026, 11, 24), SECONDARY) == (date(2026, 12, 2), LA)
    assert await _due_by(notif, date(2026, 11, 24)) == (date(2026, 12, 1), LA)


async def test_a_later_recording_of_the_year_replaces_the_earlier_one(notif: NotificationServices) -> None:
    [first, _] = term_dates_bodies()
    moved = {**first, "inset_days": ["2025-10-22"]}  # the INSET day moved to Wednesday 22 October 2025
    await _project(notif, [OrganisationRegistered(organisation_id=RECEIVING, kind=OrgKind.HOME_SCHOOL,
                                                  local_authority_id=LA),
                           TermDatesRecorded.model_validate({**first, "local_authority_id": LA}),
                           TermDatesRecorded.model_validate({**moved, "local_authority_id": LA})])
    # Tue 21 October 2025: (Wed 22 INSET) Thu 23, Fri 24, half term, Mon 3, Tue 4, Wed 5 November.
    assert await _due_by(notif, date(2025, 10, 21)) == (date(2025, 11, 5), LA)
    # Friday 19 December 2025, Christmas; 5 January 2026 is no longer INSET: Mon 5 .. Fri 9 January.
    assert await _due_by(notif, date(2025, 12, 19)) == (date(2026, 1, 9), LA)
