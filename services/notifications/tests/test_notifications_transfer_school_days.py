"""The safeguarding file transfer's 5 school days are the receiving setting's school days (issue 13):
a half term, a bank holiday and an INSET day each push the deadline on; a setting whose calendar is
not recorded falls back to weekdays, which is never later."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import uuid4

from ap_notifications.domain.commands import OfferTransfer
from ap_notifications.domain.rulebook import DEFAULT_RULE_BOOK
from ap_notifications.domain.school_days import WEEKDAYS_ONLY
from ap_notifications.domain.transfers import decide_offer
from ap_runtime.school_days import EXAMPLE_CALENDARS, SchoolCalendars, school_days_between

RECEIVING = "school-demo-ashgrove"
SECONDARY = "school-demo-secondary"  # keeps an INSET day of its own on Friday 27 November 2026
DEMO_LA = "la-demo-county"


def offered_on(day: date, receiving: str = RECEIVING, calendars: SchoolCalendars = EXAMPLE_CALENDARS) -> date:
    command = OfferTransfer(
        transfer_id=uuid4(), pupil_ref=uuid4(), from_organisation_id="provision-north",
        to_organisation_id=receiving, receiving_dsl_organisation_id=receiving,
        offered_at=datetime(day.year, day.month, day.day, 15, tzinfo=UTC),
    )
    [offered] = decide_offer([], command, DEFAULT_RULE_BOOK, calendars)
    assert offered.due_by_counted_with == (DEMO_LA if calendars.for_school(receiving) else WEEKDAYS_ONLY)
    assert offered.rule_version == "alerts-2026.3"
    return offered.due_by


def test_the_deadline_crosses_the_autumn_half_term() -> None:
    # Wednesday 21 October 2026: Thu 22, Fri 23, half term week, Mon 2, Tue 3, Wed 4 November.
    assert offered_on(date(2026, 10, 21)) == date(2026, 11, 4)
    assert offered_on(date(2026, 10, 21), calendars=SchoolCalendars()) == date(2026, 10, 28)  # weekdays


def test_the_deadline_skips_a_bank_holiday() -> None:
    # Friday 30 April 2027; Monday 3 May is the early May bank holiday: Tue 4 .. Mon 10 May.
    assert offered_on(date(2027, 4, 30)) == date(2027, 5, 10)


def test_the_deadline_skips_the_las_inset_day_after_christmas() -> None:
    # Friday 18 December 2026, the Christmas holiday, Monday 4 January 2027 is INSET: Tue 5 .. Mon 11.
    assert offered_on(date(2026, 12, 18)) == date(2027, 1, 11)


def test_the_deadline_skips_the_receiving_schools_own_inset_day() -> None:
    # Tuesday 24 November 2026: Wed 25, Thu 26, (Fri 27 the secondary's INSET), Mon 30, Tue 1, Wed 2.
    assert offered_on(date(2026, 11, 24), SECONDARY) == date(2026, 12, 2)
    assert offered_on(date(2026, 11, 24)) == date(2026, 12, 1)


def test_the_deadline_is_exactly_five_of_the_receiving_settings_school_days() -> None:
    calendar = EXAMPLE_CALENDARS.for_school(SECONDARY)
    assert calendar is not None
    for start in (date(2026, 10, 21), date(2026, 11, 24), date(2026, 12, 18), date(2027, 4, 30)):
        assert school_days_between(start, offered_on(start, SECONDARY), calendar, SECONDARY) == 5


def test_an_unrecorded_academic_year_falls_back_to_weekdays_never_later() -> None:
    # The example calendar records 2025-26 and 2026-27 only; 21 July 2027 is the last day of 2026-27.
    fallback = offered_on(date(2027, 7, 21), calendars=SchoolCalendars())
    command = OfferTransfer(
        transfer_id=uuid4(), pupil_ref=uuid4(), from_organisation_id="provision-north",
        to_organisation_id=RECEIVING, receiving_dsl_organisation_id=RECEIVING,
        offered_at=datetime(2027, 7, 21, 15, tzinfo=UTC),
    )
    [offered] = decide_offer([], command, DEFAULT_RULE_BOOK, EXAMPLE_CALENDARS)
    assert (offered.due_by, offered.due_by_counted_with) == (fallback, WEEKDAYS_ONLY)
