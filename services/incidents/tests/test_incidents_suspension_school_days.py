"""A suspension's days on the home school's calendar (issue 13; DfE suspension guidance, STATUTORY.md): the
last school day and the sixth school day (from which the school arranges full-time education) cross the Easter
holiday, a bank holiday and an INSET day; the term's total says whether the LA and governors are told at once
and what the board must do (consider representations over 5 days, meet over 15); a withdrawn suspension leaves
the total; without a recorded calendar nothing is counted (the yearly cap still applies)."""

from __future__ import annotations

from datetime import date

from ap_contracts.events.school_exclusions import GovernorsDuty, PermanentExclusionIssued, SuspensionIssued
from ap_runtime.school_days import SchoolCalendars

from .conftest import HOME_SCHOOL, LOCAL_AUTHORITY, Story
from .test_incidents_review_school_days import CALENDAR, CalendarStory

CALENDARS = SchoolCalendars(by_area={LOCAL_AUTHORITY: CALENDAR}, area_of_school={HOME_SCHOOL: LOCAL_AUTHORITY})


def _suspended(story: Story, first_day: date, school_days: float) -> SuspensionIssued:
    event = story.one(story.cmd.suspend(first_day=first_day, duration_half_days=int(school_days * 2)),
                      story.who.head)
    assert isinstance(event, SuspensionIssued)
    return event


def _story() -> CalendarStory:
    story = CalendarStory(calendars=CALENDARS)
    story.registered()
    return story


def test_the_sixth_school_day_comes_after_the_easter_holiday() -> None:
    # Wednesday 2 April 2025: 2, 3, 4 April, the Easter holiday (spring 2 ends on 4 April), 22, 23, 24 April.
    event = _suspended(_story(), date(2025, 4, 2), 6)
    assert (event.last_day, event.full_time_education_from) == (date(2025, 4, 24), date(2025, 4, 24))
    assert (event.term, event.term_total_half_days, event.counted_with) == ("2024-25 spring", 12, LOCAL_AUTHORITY)
    assert event.local_authority_told_at_once is True
    assert event.governors_duty is GovernorsDuty.CONSIDER_REPRESENTATIONS


def test_the_early_may_bank_holiday_is_not_a_day_of_the_suspension() -> None:
    # Thursday 1 May 2025: 1, 2, (Monday 5 May bank holiday) 6, 7, 8, 9 May.
    event = _suspended(_story(), date(2025, 5, 1), 6)
    assert (event.last_day, event.full_time_education_from, event.term) == (
        date(2025, 5, 9), date(2025, 5, 9), "2024-25 summer")


def test_an_inset_day_and_the_half_term_push_the_last_day_on() -> None:
    # Tuesday 20 May 2025: 20, 21, 22, (Friday 23 INSET, 26 bank holiday, half term) Monday 2 June.
    event = _suspended(_story(), date(2025, 5, 20), 4)
    assert (event.last_day, event.full_time_education_from) == (date(2025, 6, 2), None)  # 5 days or fewer
    assert event.local_authority_told_at_once is False and event.governors_duty is GovernorsDuty.NONE


def test_a_suspension_starting_on_a_non_school_day_starts_on_the_next_school_day() -> None:
    # Friday 23 May 2025 is an INSET day: the first day is Monday 2 June, after the half term.
    event = _suspended(_story(), date(2025, 5, 23), 1)
    assert (event.last_day, event.term) == (date(2025, 6, 2), "2024-25 summer")


def test_the_terms_total_decides_who_is_told_at_once_and_whether_the_governors_meet() -> None:
    story = _story()
    first = _suspended(story, date(2025, 3, 3), 3)
    assert (first.term_total_half_days, first.local_authority_told_at_once, first.governors_duty) == (
        6, False, GovernorsDuty.NONE)
    second = _suspended(story, date(2025, 3, 17), 2.5)  # a lunchtime counts as half a day: 5.5 days in the term
    assert (second.term_total_half_days, second.local_authority_told_at_once, second.governors_duty) == (
        11, True, GovernorsDuty.CONSIDER_REPRESENTATIONS)
    third = _suspended(story, date(2025, 3, 24), 10)  # 15.5 school days: over 15, the board must meet
    assert (third.term_total_half_days, third.governors_duty) == (31, GovernorsDuty.MEET)
    summer = _suspended(story, date(2025, 6, 2), 1)  # a new term starts a new total
    assert (summer.term, summer.term_total_half_days, summer.governors_duty) == ("2024-25 summer", 2,
                                                                                 GovernorsDuty.NONE)


def test_a_withdrawn_suspension_no_longer_counts_in_the_terms_total() -> None:
    story = _story()
    first = _suspended(story, date(2025, 3, 3), 5)
    story.run(story.cmd.withdraw(first.record_id), story.who.head)
    again = _suspended(story, date(2025, 3, 10), 1)
    assert (again.term_total_half_days, again.local_authority_told_at_once) == (2, False)


def test_without_a_recorded_calendar_no_school_days_are_counted() -> None:
    story = Story()
    story.registered()
    event = _suspended(story, date(2025, 4, 2), 6)
    assert (event.term, event.last_day, event.full_time_education_from, event.governors_duty) == (
        None, None, None, None)
    assert event.year_total_half_days == 12


def test_a_permanent_exclusions_sixth_school_day_is_counted_on_the_home_schools_calendar() -> None:
    # Effective Thursday 17 April 2025, in the Easter holiday: 22, 23, 24, 25, 28 April, so the sixth school day
    # (the LA arranges full-time education from it) is Tuesday 29 April.
    story = _story()
    event = story.one(story.cmd.exclude_permanently(decided_on=date(2025, 3, 12), effective_from=date(2025, 4, 17)),
                      story.who.head)
    assert isinstance(event, PermanentExclusionIssued)
    assert (event.full_time_education_from, event.counted_with) == (date(2025, 4, 29), LOCAL_AUTHORITY)
    uncounted = Story()
    uncounted.registered()
    plain = uncounted.one(uncounted.cmd.exclude_permanently(), uncounted.who.head)
    assert isinstance(plain, PermanentExclusionIssued) and plain.full_time_education_from is None
