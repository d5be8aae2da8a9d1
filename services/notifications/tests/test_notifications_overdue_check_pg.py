"""The overdue-work check on real PostgreSQL (issue 14), with a fixed ``today`` as its clock: placement reviews and
reduced-timetable reviews past their date alert the commissioner, then the home school's LA, each once across
runs; a review held moves the date; and the alert worker's read model gives the LA its alerts from the home
school's registration."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from uuid import UUID, uuid4

import pytest

from ap_contracts.envelope import OrgKind
from ap_contracts.events.base import DomainEvent
from ap_contracts.events.commissioning_panels import (
    FairAccessCaseClosed,
    FairAccessCaseOpened,
    PanelConstituted,
    PanelKind,
)
from ap_contracts.events.commissioning_vocabulary import Phase
from ap_contracts.events.notifications import NotificationSent
from ap_contracts.events.organisations import OrganisationRegistered, TermDatesRecorded
from ap_contracts.events.pupil_vocabulary import AttendanceCode, ExclusionReason, TimetableKind
from ap_contracts.events.school_exclusions import PermanentExclusionIssued
from ap_notifications.domain.school_days import add_weekdays
from ap_notifications.entrypoints.bootstrap import NotificationServices
from ap_notifications.entrypoints.overdue_check import check_overdue
from ap_notifications.projections.alerting import AlertingProjection
from ap_notifications.projections.school_calendars import SchoolCalendarProjection
from ap_runtime.projection.base import Projection, ReceivedEvent
from ap_runtime.projection.store import ensure_registered
from ap_runtime.school_days import add_school_days
from ap_runtime.school_days.example import term_dates_bodies
from ap_runtime.school_days.recorded import recorded_calendars
from ap_testing.notifications.builders import COMMISSIONER, HOME_SCHOOL, Events, home_school_registered, received
from ap_testing.store_reads import read_everything_stored

pytestmark = pytest.mark.integration

HOME_LA = "la-home-county"
PLANNED_REVIEW = date(2025, 2, 24)  # the builders' planned_review_date


async def feed(notif: NotificationServices, events: Sequence[ReceivedEvent], projection: Projection | None = None,
               ) -> None:
    projection = projection or AlertingProjection(notif.dispatcher, notif.transfers, notif.book)
    schema = await ensure_registered(notif.pool, projection)
    for event in events:
        async with notif.pool.acquire() as conn, conn.transaction():
            await conn.execute(f"SET LOCAL search_path TO {schema}, public")
            await projection.apply(conn, event)


async def sent(notif: NotificationServices) -> list[tuple[str, str, str]]:
    stored = await read_everything_stored(notif.store)
    events = [NotificationSent.model_validate(e.payload) for e in stored if e.event_type == "NotificationSent"]
    return sorted((s.rule_name, s.audience.value, s.recipient_organisation_id) for s in events)


async def test_a_placement_review_past_its_date_tells_the_commissioner_then_the_la_each_once(
    ev: Events, notif: NotificationServices
) -> None:
    await feed(notif, [received(home_school_registered(HOME_LA)), received(ev.started())])
    assert await check_overdue(notif, PLANNED_REVIEW) == []  # on the day: not yet overdue
    await check_overdue(notif, PLANNED_REVIEW + timedelta(days=1))
    await check_overdue(notif, PLANNED_REVIEW + timedelta(days=2))  # the next day's run: nothing new
    assert await sent(notif) == [("placement_review_overdue", "commissioner", COMMISSIONER)]
    further = PLANNED_REVIEW + timedelta(days=notif.book.overdue_manager_after_days + 1)
    await check_overdue(notif, further)
    await check_overdue(notif, further)  # run twice the same day
    assert await sent(notif) == [("placement_review_overdue", "commissioner", COMMISSIONER),
                                 ("placement_review_overdue_to_manager", "la", HOME_LA)]


async def test_a_review_held_moves_the_date_and_an_ended_placement_owes_nothing(
    ev: Events, notif: NotificationServices
) -> None:
    await feed(notif, [received(ev.started()), received(ev.review_held(date(2025, 2, 20), date(2025, 3, 31)))])
    assert await check_overdue(notif, date(2025, 3, 10)) == []
    await feed(notif, [received(ev.ended())])
    assert await check_overdue(notif, date(2025, 4, 30)) == []
    assert not [rule for rule, _, _ in await sent(notif) if "review" in rule]  # the ending's own alerts only


async def test_a_reduced_timetable_review_is_told_once_by_the_worker_and_the_check_together(
    ev: Events, notif: NotificationServices
) -> None:
    started = ev.started(timetable=TimetableKind.REDUCED, planned_review_date=date(2025, 6, 30))
    await feed(notif, [received(home_school_registered(HOME_LA)), received(started),
                       received(ev.mark(date(2025, 2, 11), AttendanceCode.PART_TIME_TIMETABLE))])
    assert await sent(notif) == [("reduced_timetable_past_review", "commissioner", COMMISSIONER)]
    await check_overdue(notif, date(2025, 2, 12))  # the same notification: nothing new
    assert await sent(notif) == [("reduced_timetable_past_review", "commissioner", COMMISSIONER)]
    await check_overdue(notif, date(2025, 2, 16))
    assert await sent(notif) == [("reduced_timetable_past_review", "commissioner", COMMISSIONER),
                                 ("reduced_timetable_past_review_to_manager", "la", HOME_LA)]


async def test_the_worker_tells_the_home_schools_la_of_a_permanent_exclusion_and_a_same_day_absence_once(
    ev: Events, notif: NotificationServices
) -> None:
    exclusion = PermanentExclusionIssued(
        pupil_ref=ev.pupil_ref, record_id=uuid4(), home_school_id=HOME_SCHOOL, placement_id=ev.placement_id,
        decided_on=date(2025, 3, 10), effective_from=date(2025, 3, 11), academic_year="2024/25",
        primary_reason=ExclusionReason.PHYSICAL_ASSAULT_ADULT, parents_informed=True, account="x",
        rule_version="england-2026.2")
    absent = ev.mark(date(2025, 3, 10), AttendanceCode.OTHER_UNAUTHORISED)
    on_the_day = datetime(2025, 3, 10, 9, 30, tzinfo=UTC)
    events = [received(home_school_registered(HOME_LA)), received(ev.started()),
              received(absent, occurred_at=on_the_day), received(exclusion, occurred_at=on_the_day)]
    await feed(notif, events)
    await feed(notif, events[2:])  # redelivered
    assert await sent(notif) == [
        ("absence_same_day", "commissioner", COMMISSIONER), ("absence_same_day", "home_school", HOME_SCHOOL),
        ("permanent_exclusion", "commissioner", COMMISSIONER), ("permanent_exclusion", "home_school", HOME_SCHOOL),
        ("permanent_exclusion", "la", HOME_LA)]


def _panel_and_case(case_id: UUID, pupil_ref: UUID, since: date = date(2025, 3, 3)) -> list[ReceivedEvent]:
    panel = PanelConstituted(panel_id="panel-north", kind=PanelKind.BEHAVIOUR_ATTENDANCE, area_id="area-north",
                             name="North Fair Access Panel", local_authority_id=HOME_LA, constituted_by="officer-1")
    opened = FairAccessCaseOpened(panel_id="panel-north", case_id=case_id, pupil_ref=pupil_ref, phase=Phase.SECONDARY,
                                  without_place_since=since, opened_on=since + timedelta(days=1),
                                  opened_by="officer-1")
    return [received(panel), received(opened)]


async def test_a_fair_access_case_past_20_school_days_tells_the_panels_la_once_and_nothing_once_closed(
    notif: NotificationServices
) -> None:
    case_id = uuid4()
    await feed(notif, _panel_and_case(case_id, uuid4()))
    expected = date(2025, 3, 31)  # 20 weekdays after Monday 3 March
    assert await check_overdue(notif, expected) == []
    await check_overdue(notif, expected + timedelta(days=1))
    await check_overdue(notif, expected + timedelta(days=1))
    assert await sent(notif) == [("fair_access_case_overdue", "la", HOME_LA)]
    closed = FairAccessCaseClosed(panel_id="panel-north", case_id=case_id, closed_on=date(2025, 4, 2),
                                  placed_at="school-new-7", placed_on=date(2025, 4, 3), closed_by="officer-1",
                                  school_days_without_place=22, beyond_expectation=True, counted_with=HOME_LA)
    await feed(notif, [received(closed)])
    assert await check_overdue(notif, expected + timedelta(days=30)) == []
    assert await sent(notif) == [("fair_access_case_overdue", "la", HOME_LA)]


async def test_a_fair_access_band_is_counted_in_the_panels_la_school_days_not_weekdays(
    notif: NotificationServices
) -> None:
    # The LA's term dates as recorded through the incidents API (the example years 2025-26 and 2026-27), kept by
    # the notifications read model: the Christmas holiday and the LA's INSET days are not school days.
    recorded: list[DomainEvent] = [
        OrganisationRegistered(organisation_id=HOME_LA, kind=OrgKind.LOCAL_AUTHORITY),
        *(TermDatesRecorded.model_validate({**body, "organisation_id": HOME_LA, "local_authority_id": HOME_LA})
          for body in term_dates_bodies())]
    await feed(notif, [received(e) for e in recorded], SchoolCalendarProjection())
    since = date(2025, 12, 8)  # a Monday, two weeks before the Christmas holiday
    calendar = recorded_calendars(recorded).for_area(HOME_LA)
    assert calendar is not None
    expected = add_school_days(since, 20, calendar, HOME_LA)
    assert expected > add_weekdays(since, 20) + timedelta(days=7)  # the holiday is not counted
    await feed(notif, _panel_and_case(uuid4(), uuid4(), since))
    assert await check_overdue(notif, add_weekdays(since, 20) + timedelta(days=1)) == []
    assert await check_overdue(notif, expected) == []
    await check_overdue(notif, expected + timedelta(days=1))
    assert await sent(notif) == [("fair_access_case_overdue", "la", HOME_LA)]


async def test_a_morning_absence_is_same_day_by_englands_date_not_the_servers(
    ev: Events, notif: NotificationServices
) -> None:
    summer_day = date(2025, 6, 10)
    early = ev.mark(summer_day, AttendanceCode.OTHER_UNAUTHORISED)  # recorded 00:30 BST, 23:30 UTC the day before
    late = ev.mark(date(2025, 6, 9), AttendanceCode.OTHER_UNAUTHORISED)  # the same moment is the next day in England
    moment = datetime(2025, 6, 9, 23, 30, tzinfo=UTC)
    await feed(notif, [received(ev.started()), received(early, occurred_at=moment), received(late, occurred_at=moment)])
    causes = await notif.pool.fetch("SELECT payload->>'cause_event_id' AS cause FROM events"
                                    " WHERE event_type = 'NotificationSent'")
    assert {UUID(r["cause"]) for r in causes} == {early.record_id}
