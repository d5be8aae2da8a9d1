"""Half-termly placement reviews on the provision's school calendar (issue 13, rule book england-2026.1):
the next review falls by the last school day of the next half term, so a review crosses the Easter
holiday, and an INSET day and a bank holiday ending that half term bring the limit forward. Where no
calendar is recorded for the provision's LA, the fixed 56 days still apply."""

from __future__ import annotations

from datetime import date

import pytest

from ap_contracts.events.placements import ReviewHeld
from ap_incidents.domain import errors
from ap_incidents.domain.caller import Caller
from ap_incidents.domain.context import DecisionContext
from ap_incidents.domain.rules import RuleBook
from ap_runtime.school_days import HalfTerm, Nation, SchoolCalendar, SchoolCalendars, Term

from .conftest import LOCAL_AUTHORITY, Story

YEAR = "2024-25"
SUMMER_1 = HalfTerm(YEAR, Term.SUMMER, 1, date(2025, 4, 22), date(2025, 5, 26))  # ends on the late May bank holiday
INSET = date(2025, 5, 23)  # the Friday before it
LAST_SCHOOL_DAY_OF_SUMMER_1 = date(2025, 5, 22)
CALENDAR = SchoolCalendar(
    area_id=LOCAL_AUTHORITY, nation=Nation.ENGLAND, non_teaching_days=frozenset({INSET}),
    half_terms=(
        HalfTerm(YEAR, Term.AUTUMN, 1, date(2024, 9, 4), date(2024, 10, 25)),
        HalfTerm(YEAR, Term.AUTUMN, 2, date(2024, 11, 4), date(2024, 12, 20)),
        HalfTerm(YEAR, Term.SPRING, 1, date(2025, 1, 6), date(2025, 2, 14)),
        HalfTerm(YEAR, Term.SPRING, 2, date(2025, 2, 24), date(2025, 4, 4)),
        SUMMER_1,
        HalfTerm(YEAR, Term.SUMMER, 2, date(2025, 6, 2), date(2025, 7, 22)),
    ),
)


class CalendarStory(Story):
    """The usual story, its provision's LA (``la-inclusion``) keeping the calendar above."""

    def __init__(self, rules: RuleBook | None = None, calendars: SchoolCalendars | None = None) -> None:
        super().__init__() if rules is None else super().__init__(rules)
        self.calendars = calendars if calendars is not None else SchoolCalendars(by_area={LOCAL_AUTHORITY: CALENDAR})

    def context(self, by: Caller) -> DecisionContext:
        base = super().context(by)
        return DecisionContext(caller=base.caller, now=base.now, rules=base.rules, staff_register=base.staff_register,
                               organisations=base.organisations, calendars=self.calendars)


def test_a_review_in_spring_2_sets_the_next_by_the_end_of_summer_1_across_the_easter_holiday() -> None:
    story = CalendarStory()
    story.placed()
    # Held Monday 10 March 2025: 56 days would end on 5 May; the next half term runs to 26 May.
    event = story.one(story.cmd.review(next_review_date=LAST_SCHOOL_DAY_OF_SUMMER_1), story.who.commissioner)
    assert isinstance(event, ReviewHeld) and event.rule_version == "england-2026.2"
    assert event.next_review_date == LAST_SCHOOL_DAY_OF_SUMMER_1


def test_an_inset_day_and_a_bank_holiday_ending_the_half_term_bring_the_limit_forward() -> None:
    story = CalendarStory()
    story.placed()
    for too_late in (INSET, SUMMER_1.last_day, date(2025, 6, 2)):
        with pytest.raises(errors.ReviewIntervalTooLong, match="on or before 2025-05-22") as refused:
            story.run(story.cmd.review(next_review_date=too_late), story.who.commissioner)
        assert refused.value.rule_id == "placement.reviewed_half_termly"
        assert "2024-25 summer 1" in str(refused.value)


def test_a_review_held_in_the_holiday_sets_the_next_by_the_end_of_the_coming_half_term() -> None:
    story = CalendarStory()
    story.placed()
    story.later(days=30)  # now 11 April 2025, the Easter holiday
    held = {"held_on": date(2025, 4, 10), "action_plan_due_date": date(2025, 5, 1)}
    assert story.run(story.cmd.review(**held, next_review_date=LAST_SCHOOL_DAY_OF_SUMMER_1), story.who.commissioner)
    with pytest.raises(errors.ReviewIntervalTooLong, match="on or before 2025-05-22"):
        story.run(story.cmd.review(**held, next_review_date=INSET), story.who.commissioner)


def test_a_placement_starting_in_spring_1_is_first_reviewed_by_the_end_of_spring_2() -> None:
    story = CalendarStory()
    story.ready_to_place()
    # Starts 13 January 2025: 56 days would end on 10 March; spring 2's last school day is 4 April.
    assert story.run(story.cmd.start_placement(planned_review_date=date(2025, 4, 4)), story.who.la)
    again = CalendarStory()
    again.ready_to_place()
    with pytest.raises(errors.ReviewIntervalTooLong, match="review by 2025-04-04"):
        again.run(again.cmd.start_placement(planned_review_date=date(2025, 4, 7)), again.who.la)


def test_without_a_calendar_for_the_provisions_la_the_fixed_interval_still_applies() -> None:
    story = CalendarStory(calendars=SchoolCalendars(by_area={"la-somewhere-else": CALENDAR}))
    story.placed()
    with pytest.raises(errors.ReviewIntervalTooLong, match=r"on or before 2025-05-05 .*56 days"):
        story.run(story.cmd.review(next_review_date=LAST_SCHOOL_DAY_OF_SUMMER_1), story.who.commissioner)


def test_the_england_2025_2_reading_is_kept_as_configuration() -> None:
    story = CalendarStory(RuleBook(version="england-2025.2", reviews_by_half_term=False))
    story.placed()
    with pytest.raises(errors.ReviewIntervalTooLong, match="on or before 2025-05-05"):
        story.run(story.cmd.review(next_review_date=LAST_SCHOOL_DAY_OF_SUMMER_1), story.who.commissioner)
