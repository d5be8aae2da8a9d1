"""A reduced timetable's reviews in the provision's school days (issue 13, rule book england-2026.2; rule
``timetable.reduced_is_time_limited``): with the provision's calendar recorded, the next review falls within 30 of
its school days, so the half term, the Easter holiday, a bank holiday and an INSET day do not use up the time; with
no calendar recorded, the 42 calendar days still apply. Counts below are made by hand from CALENDAR."""

from __future__ import annotations

from datetime import date

import pytest

from ap_contracts.events.pupil_vocabulary import TimetableKind
from ap_incidents.domain import errors

from .conftest import Story
from .test_incidents_review_school_days import CalendarStory

REDUCED = {"timetable": TimetableKind.REDUCED, "reintegration_plan": "Add afternoons"}


def test_the_first_review_may_fall_after_the_february_half_term() -> None:
    # Start Monday 13 January 2025: 24 school days to Friday 14 February, half term, 24-28 February (29),
    # Monday 3 March (30). Counted in calendar days the limit was 24 February.
    story = CalendarStory()
    story.ready_to_place()
    assert story.run(story.cmd.start_placement(**REDUCED, reduced_timetable_review_date=date(2025, 3, 3)),
                     story.who.la)
    late = CalendarStory()
    late.ready_to_place()
    with pytest.raises(errors.ReducedTimetableReviewTooLate, match=r"by 2025-03-03 .*30 school days"):
        late.run(late.cmd.start_placement(**REDUCED, reduced_timetable_review_date=date(2025, 3, 4)), late.who.la)


def test_the_easter_holiday_and_the_early_may_bank_holiday_do_not_use_up_the_time() -> None:
    # Reviewed Monday 10 March 2025: 11 March to 4 April (19), Easter holiday, 22 April to 2 May (28), (Monday
    # 5 May bank holiday) 6 May (29), 7 May (30).
    story = CalendarStory()
    story.placed(**REDUCED, reduced_timetable_review_date=date(2025, 2, 10))
    assert story.run(story.cmd.review_reduced_timetable(next_review_date=date(2025, 5, 7)), story.who.provider)
    with pytest.raises(errors.ReducedTimetableReviewTooLate, match="by 2025-05-07"):
        story.run(story.cmd.review_reduced_timetable(next_review_date=date(2025, 5, 8)), story.who.provider)


def test_an_inset_day_and_the_may_half_term_push_the_limit_on() -> None:
    # Reviewed Monday 28 April 2025: 29 April to 22 May (17: 5 May is a bank holiday), Friday 23 May INSET,
    # 26 May bank holiday and half term, 2 to 13 June (27), 16, 17, 18 June (30).
    story = CalendarStory()
    story.placed(**REDUCED, reduced_timetable_review_date=date(2025, 2, 10))
    story.later(days=47)  # now 28 April 2025
    review = {"reviewed_on": date(2025, 4, 28)}
    assert story.run(story.cmd.review_reduced_timetable(**review, next_review_date=date(2025, 6, 18)),
                     story.who.provider)
    with pytest.raises(errors.ReducedTimetableReviewTooLate, match="by 2025-06-18"):
        story.run(story.cmd.review_reduced_timetable(**review, next_review_date=date(2025, 6, 19)),
                  story.who.provider)


def test_without_a_recorded_calendar_the_42_days_apply(story: Story) -> None:
    story.placed(**REDUCED, reduced_timetable_review_date=date(2025, 2, 10))
    with pytest.raises(errors.ReducedTimetableReviewTooLate, match=r"by 2025-04-21 .*42 days"):
        story.run(story.cmd.review_reduced_timetable(next_review_date=date(2025, 5, 7)), story.who.provider)
