"""One school-days calendar for every day-counting rule (issue 13, "School days").

Term dates and INSET days per local authority, per-school overrides, and England's and Wales's bank
holidays; a day in an academic year the calendar does not record is refused, never guessed.
"""

from __future__ import annotations

from datetime import date

import pytest

from ap_runtime.school_days import (
    EXAMPLE_CALENDARS,
    HalfTerm,
    Nation,
    SchoolCalendar,
    SchoolCalendarNotRecorded,
    SchoolOverride,
    Term,
    TermDatesOverlap,
    TermDatesRunBackwards,
    add_school_days,
    half_term_of,
    is_school_day,
    last_school_day_of,
    next_half_term,
    school_days_between,
)

YEAR = "2025-26"
LA_TERMS = (
    HalfTerm(YEAR, Term.AUTUMN, 1, date(2025, 9, 3), date(2025, 10, 24)),
    HalfTerm(YEAR, Term.AUTUMN, 2, date(2025, 11, 3), date(2025, 12, 19)),
    HalfTerm(YEAR, Term.SPRING, 1, date(2026, 1, 5), date(2026, 2, 13)),
    HalfTerm(YEAR, Term.SPRING, 2, date(2026, 2, 23), date(2026, 3, 27)),
    HalfTerm(YEAR, Term.SUMMER, 1, date(2026, 4, 13), date(2026, 5, 22)),
    HalfTerm(YEAR, Term.SUMMER, 2, date(2026, 6, 1), date(2026, 7, 22)),
)
INSET = date(2026, 1, 5)  # the first Monday of the spring term
ACADEMY_TERMS = (
    HalfTerm(YEAR, Term.AUTUMN, 1, date(2025, 9, 1), date(2025, 10, 17)),
    HalfTerm(YEAR, Term.AUTUMN, 2, date(2025, 10, 27), date(2025, 12, 19)),
)


def calendar(nation: Nation = Nation.ENGLAND) -> SchoolCalendar:
    return SchoolCalendar(
        area_id="la-test", nation=nation, half_terms=LA_TERMS, non_teaching_days=frozenset({INSET}),
        schools={
            "school-community": SchoolOverride(non_teaching_days=frozenset({date(2025, 11, 28)})),
            "school-academy": SchoolOverride(half_terms=ACADEMY_TERMS),
        },
    )


# -- what a school day is ------------------------------------------------------------------------------

def test_term_weekdays_are_school_days_and_weekends_are_not() -> None:
    assert is_school_day(date(2025, 9, 3), calendar())
    assert not is_school_day(date(2025, 9, 6), calendar())  # Saturday


def test_half_term_holidays_are_not_school_days() -> None:
    assert not is_school_day(date(2025, 10, 27), calendar())
    assert half_term_of(date(2025, 10, 27), calendar()) is None


def test_bank_holidays_in_term_are_not_school_days() -> None:
    assert not is_school_day(date(2026, 5, 4), calendar())  # early May bank holiday, inside summer 1
    assert is_school_day(date(2026, 5, 5), calendar())


def test_inset_days_are_not_school_days() -> None:
    assert not is_school_day(INSET, calendar())
    assert is_school_day(date(2026, 1, 6), calendar())


def test_a_welsh_la_counts_with_the_welsh_bank_holidays() -> None:
    # England and Wales share their bank holidays today; this proves the Welsh subdivision is the
    # one asked for and known to the library (an unknown one raises), and that it skips the day.
    assert Nation.WALES.value == "WLS"
    assert not is_school_day(date(2026, 5, 4), calendar(Nation.WALES))


def test_a_school_adds_its_own_inset_days_to_the_la_calendar() -> None:
    assert not is_school_day(date(2025, 11, 28), calendar(), "school-community")
    assert is_school_day(date(2025, 11, 28), calendar())
    assert not is_school_day(INSET, calendar(), "school-community")


def test_an_academy_with_its_own_terms_follows_them_not_the_la() -> None:
    assert is_school_day(date(2025, 9, 1), calendar(), "school-academy")
    assert not is_school_day(date(2025, 9, 1), calendar())
    assert not is_school_day(date(2025, 10, 20), calendar(), "school-academy")  # its half term
    assert is_school_day(date(2025, 10, 20), calendar())
    # A year the academy records is its whole year: the LA's spring term is not borrowed for it.
    assert not is_school_day(date(2026, 1, 6), calendar(), "school-academy")
    # A year the academy has not recorded is refused, though the LA's is recorded.
    with pytest.raises(SchoolCalendarNotRecorded) as refused:
        is_school_day(date(2026, 9, 7), academy_with_next_la_year(), "school-academy")
    assert refused.value.school_id == "school-academy"


def academy_with_next_la_year() -> SchoolCalendar:
    next_year = HalfTerm("2026-27", Term.AUTUMN, 1, date(2026, 9, 2), date(2026, 10, 23))
    return SchoolCalendar(area_id="la-test", nation=Nation.ENGLAND, half_terms=(*LA_TERMS, next_year),
                          schools={"school-academy": SchoolOverride(half_terms=ACADEMY_TERMS)})


# -- counting ------------------------------------------------------------------------------------------

def test_adding_school_days_crosses_a_half_term() -> None:
    # Thursday 23 October 2025 + 5: Fri 24, then half term, then Mon 3 .. Thu 6 November.
    assert add_school_days(date(2025, 10, 23), 5, calendar()) == date(2025, 11, 6)


def test_adding_school_days_skips_a_bank_holiday() -> None:
    assert add_school_days(date(2026, 5, 1), 5, calendar()) == date(2026, 5, 11)


def test_adding_school_days_skips_an_inset_day() -> None:
    # Friday 19 December 2025, the Christmas holiday, Monday 5 January is INSET: Tue 6 .. Mon 12.
    assert add_school_days(date(2025, 12, 19), 5, calendar()) == date(2026, 1, 12)


def test_zero_school_days_is_the_day_itself_and_negative_is_refused() -> None:
    assert add_school_days(date(2025, 10, 23), 0, calendar()) == date(2025, 10, 23)
    with pytest.raises(ValueError, match="forwards"):
        add_school_days(date(2025, 10, 23), -1, calendar())


def test_school_days_between_counts_after_the_first_day_up_to_the_second() -> None:
    assert school_days_between(date(2025, 10, 23), date(2025, 11, 6), calendar()) == 5
    assert school_days_between(date(2025, 12, 19), date(2026, 1, 12), calendar()) == 5
    assert school_days_between(date(2026, 5, 1), date(2026, 5, 11), calendar()) == 5
    assert school_days_between(date(2026, 5, 11), date(2026, 5, 1), calendar()) == -5


def test_the_half_term_a_day_falls_in() -> None:
    found = half_term_of(date(2026, 3, 2), calendar())
    assert found is not None
    assert (found.term, found.half) == (Term.SPRING, 2)
    assert found.label == "2025-26 spring 2"


def test_the_next_half_term_after_a_term_day_a_holiday_and_the_last_term_of_the_year() -> None:
    assert next_half_term(date(2025, 10, 1), calendar()).label == "2025-26 autumn 2"
    assert next_half_term(date(2025, 10, 28), calendar()).label == "2025-26 autumn 2"  # in the half term holiday
    next_year = academy_with_next_la_year()
    assert next_half_term(date(2026, 7, 1), next_year).label == "2026-27 autumn 1"
    with pytest.raises(SchoolCalendarNotRecorded):
        next_half_term(date(2026, 7, 1), calendar())


def test_the_last_school_day_of_a_half_term_skips_inset_days_and_bank_holidays() -> None:
    # Spring 1 of 2025-26 ends on Friday 13 February; a school that made it an INSET day ends on the 12th.
    spring_1 = LA_TERMS[2]
    assert last_school_day_of(spring_1, calendar()) == date(2026, 2, 13)
    inset_friday = SchoolCalendar(area_id="la-test", nation=Nation.ENGLAND, half_terms=LA_TERMS,
                                  non_teaching_days=frozenset({date(2026, 2, 13)}))
    assert last_school_day_of(spring_1, inset_friday) == date(2026, 2, 12)
    # A half term ending on the late May bank holiday (25 May 2026) ends, for school, on the Friday.
    ending_on_bank_holiday = HalfTerm(YEAR, Term.SUMMER, 1, date(2026, 4, 13), date(2026, 5, 25))
    on_holiday = SchoolCalendar(area_id="la-test", nation=Nation.ENGLAND, half_terms=(ending_on_bank_holiday,))
    assert last_school_day_of(ending_on_bank_holiday, on_holiday) == date(2026, 5, 22)


# -- refusing to guess ---------------------------------------------------------------------------------

def test_a_day_in_an_unrecorded_academic_year_is_refused_not_guessed() -> None:
    with pytest.raises(SchoolCalendarNotRecorded) as refused:
        is_school_day(date(2026, 9, 7), calendar())
    assert refused.value.rule_id == "calendar.recorded"
    assert "la-test" in str(refused.value) and "2026-27" in str(refused.value)


def test_an_la_with_no_recorded_terms_refuses_every_day() -> None:
    empty = SchoolCalendar(area_id="la-empty", nation=Nation.ENGLAND, half_terms=())
    with pytest.raises(SchoolCalendarNotRecorded):
        is_school_day(date(2025, 10, 1), empty)
    with pytest.raises(SchoolCalendarNotRecorded):
        add_school_days(date(2025, 10, 1), 1, empty)


def test_the_summer_holiday_of_a_recorded_year_is_known_to_be_holiday() -> None:
    assert not is_school_day(date(2026, 8, 3), calendar())
    with pytest.raises(SchoolCalendarNotRecorded):  # counting on runs into the unrecorded year
        add_school_days(date(2026, 7, 22), 1, calendar())


# -- bad term dates ------------------------------------------------------------------------------------

def test_a_half_term_that_runs_backwards_is_refused() -> None:
    with pytest.raises(TermDatesRunBackwards) as refused:
        HalfTerm(YEAR, Term.AUTUMN, 1, date(2025, 10, 24), date(2025, 9, 3))
    assert refused.value.rule_id == "calendar.term_dates_in_order"


def test_a_half_term_outside_its_academic_year_is_refused() -> None:
    with pytest.raises(TermDatesRunBackwards):
        HalfTerm("2024-25", Term.AUTUMN, 1, date(2025, 9, 3), date(2025, 10, 24))


def test_overlapping_half_terms_are_refused() -> None:
    overlapping = (LA_TERMS[0], HalfTerm(YEAR, Term.AUTUMN, 2, date(2025, 10, 20), date(2025, 12, 19)))
    with pytest.raises(TermDatesOverlap) as refused:
        SchoolCalendar(area_id="la-test", nation=Nation.ENGLAND, half_terms=overlapping)
    assert refused.value.rule_id == "calendar.terms_do_not_overlap"
    with pytest.raises(TermDatesOverlap):
        SchoolOverride(half_terms=overlapping)


# -- the packaged example ------------------------------------------------------------------------------

def test_the_packaged_calendar_is_example_data_for_the_demo_la() -> None:
    demo = EXAMPLE_CALENDARS.for_school("school-demo-ashgrove")
    assert demo is not None and demo.area_id == "la-demo-county" and demo.example
    assert EXAMPLE_CALENDARS.for_school("school-not-in-any-calendar") is None
    assert is_school_day(date(2026, 12, 7), demo, "school-demo-ashgrove")
    assert not is_school_day(date(2026, 12, 25), demo, "school-demo-ashgrove")
