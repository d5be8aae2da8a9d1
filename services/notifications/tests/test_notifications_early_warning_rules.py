"""Issue 14, early warning (seed 003 section 2.2): each rule at, below and above its thresholds, on school days.

Unit tests of the pure rules (``domain/early_warning.py``): the flag states the rule, its inputs and the events it
was counted from; windows are school days of the home school's calendar (weekdays when none is recorded).
"""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID, uuid4

import pytest

from ap_contracts.events.notifications import EarlyWarningRaised
from ap_contracts.events.pupil_vocabulary import AttendanceCode
from ap_notifications.domain.early_warning import (
    Fact,
    PupilTrends,
    Responsibility,
    decide_flags,
    flag_id_for,
    marked,
)
from ap_notifications.domain.early_warning_book import DEFAULT_EARLY_WARNING_BOOK, EarlyWarningRuleBook
from ap_notifications.domain.early_warning_days import WEEKDAY_COUNT, SchoolDayCount, school_day_count
from ap_runtime.school_days import HalfTerm, Nation, SchoolCalendar, SchoolCalendars, Term

PUPIL = UUID("5d7a0c52-1111-4e2b-9a53-3c0f5d7b2e41")
PLACED = Responsibility(UUID("7e1b2c3d-2222-4e2b-9a53-3c0f5d7b2e41"), "school-home", "provision-north")
BOOK = DEFAULT_EARLY_WARNING_BOOK
AS_OF = date(2026, 3, 20)  # a Friday
PRESENT, ABSENT = AttendanceCode.PRESENT_AM, AttendanceCode.OTHER_UNAUTHORISED


def weekdays_back(end: date, n: int) -> list[date]:
    return list(WEEKDAY_COUNT.back(end, n).days)


def attendance_trend(earlier_absent_sessions: int, recent_absent_sessions: int) -> tuple[Fact, ...]:
    """20 + 20 weekdays of marks (40 sessions each) with the given absences at the start of each window."""
    recent_days = weekdays_back(AS_OF, 20)
    earlier_days = weekdays_back(recent_days[0] - timedelta(days=1), 20)

    def window(days: list[date], absent: int) -> tuple[Fact, ...]:
        sessions = [(d, s) for d in days for s in range(2)]
        return tuple(marked(uuid4(), d, ABSENT if i < absent else PRESENT) for i, (d, _) in enumerate(sessions))

    return window(earlier_days, earlier_absent_sessions) + window(recent_days, recent_absent_sessions)


def flags(trends: PupilTrends, book: EarlyWarningRuleBook = BOOK, days: SchoolDayCount = WEEKDAY_COUNT,
          last: dict[str, date] | None = None) -> dict[str, EarlyWarningRaised]:
    return {f.rule_name: f for f in decide(trends, days, book, last or {})}


def decide(trends: PupilTrends, days: SchoolDayCount = WEEKDAY_COUNT, book: EarlyWarningRuleBook = BOOK,
           last: dict[str, date] | None = None) -> tuple[EarlyWarningRaised, ...]:
    return decide_flags(trends, days, book, last or {}, PLACED)


# ---- attendance_falling: below 90% and down at least 10 points over 20 school days ------------------------------

def test_attendance_at_the_thresholds_flags_and_states_its_inputs() -> None:
    # earlier 40/40 = 100%; recent: 8 absent of 40 = 80%: below 90 and down 20 points
    trend = attendance_trend(0, 8)
    [flag] = decide(PupilTrends(PUPIL, AS_OF, marks=trend))
    assert flag.rule_name == "attendance_falling"
    assert flag.explanation.startswith("attendance 80% over the last 20 school days 2026-02-23 to 2026-03-20 "
                                       "(32 of 40 sessions), down from 100%")
    assert "below 90% and down at least 10 points" in flag.explanation
    assert {(m.metric, m.value) for m in flag.measures} == {("attendance_rate", 8000),
                                                            ("attendance_rate_before", 10000)}
    assert set(flag.cited_event_ids) == {m.event_id for m in trend}
    assert flag.counted_with == "weekdays" and flag.rule_version == BOOK.version
    assert flag.window_start == date(2026, 2, 23) and flag.window_end == AS_OF


def test_attendance_drop_exactly_ten_points_flags_and_just_under_does_not() -> None:
    # earlier 39/40 = 97.5%; recent 35/40 = 87.5%: down exactly 10 points, below 90 -> flag
    assert "attendance_falling" in flags(PupilTrends(PUPIL, AS_OF, marks=attendance_trend(1, 5)))
    # earlier 38/40 = 95%; recent 35/40 = 87.5%: down 7.5 points -> none
    assert "attendance_falling" not in flags(PupilTrends(PUPIL, AS_OF, marks=attendance_trend(2, 5)))


def test_attendance_at_ninety_percent_is_not_below_it() -> None:
    # earlier 100%, recent 36/40 = 90%: down 10 points but not below 90% -> none; 35/40 = 87.5% -> flag
    assert "attendance_falling" not in flags(PupilTrends(PUPIL, AS_OF, marks=attendance_trend(0, 4)))
    assert "attendance_falling" in flags(PupilTrends(PUPIL, AS_OF, marks=attendance_trend(0, 5)))


def test_attendance_needs_enough_sessions_in_both_windows() -> None:
    recent_only = tuple(m for m in attendance_trend(0, 20) if m.day >= date(2026, 2, 23))
    assert flags(PupilTrends(PUPIL, AS_OF, marks=recent_only)) == {}
    local = BOOK.model_copy(update={"attendance_min_possible_sessions": 41, "version": "local-1"})
    assert flags(PupilTrends(PUPIL, AS_OF, marks=attendance_trend(0, 20)), local) == {}


# ---- severe_incidents: 3 or more of severity 3+ in 10 school days ----------------------------------------------

def incidents(days_and_severity: list[tuple[date, int]]) -> tuple[Fact, ...]:
    return tuple(Fact(uuid4(), d, s) for d, s in days_and_severity)


def test_three_severe_incidents_in_ten_school_days_flag_two_do_not() -> None:
    window = weekdays_back(AS_OF, 10)
    three = incidents([(window[0], 3), (window[4], 4), (window[9], 5)])
    [flag] = decide(PupilTrends(PUPIL, AS_OF, incidents=three))
    assert flag.explanation == ("3 incidents of severity 3+ in the last 10 school days 2026-03-09 to 2026-03-20;"
                                " the rule: 3 or more")
    assert flag.cited_event_ids == tuple(i.event_id for i in three)
    assert flags(PupilTrends(PUPIL, AS_OF, incidents=three[1:])) == {}
    four = (*three, *incidents([(window[5], 3)]))
    assert len(flags(PupilTrends(PUPIL, AS_OF, incidents=four))["severe_incidents"].cited_event_ids) == 4


def test_incidents_below_the_severity_or_outside_the_window_do_not_count() -> None:
    window = weekdays_back(AS_OF, 10)
    before_window = window[0] - timedelta(days=3)  # the Friday before: the 11th school day back
    mixed = incidents([(window[0], 2), (window[4], 3), (window[9], 3), (before_window, 5)])
    assert flags(PupilTrends(PUPIL, AS_OF, incidents=mixed)) == {}


# ---- repeated_suspensions: 2 or more starting in 30 school days ------------------------------------------------

def test_two_suspensions_in_thirty_school_days_flag_one_does_not_and_older_ones_do_not_count() -> None:
    window = weekdays_back(AS_OF, 30)
    two = (Fact(uuid4(), window[0]), Fact(uuid4(), window[29]))
    [flag] = decide(PupilTrends(PUPIL, AS_OF, suspensions=two))
    assert flag.rule_name == "repeated_suspensions" and flag.explanation.startswith("2 suspensions starting")
    assert flags(PupilTrends(PUPIL, AS_OF, suspensions=two[1:])) == {}
    three = (*two, Fact(uuid4(), window[10]))
    assert flags(PupilTrends(PUPIL, AS_OF, suspensions=three))["repeated_suspensions"].measures[0].value == 3
    older = (Fact(uuid4(), window[0] - timedelta(days=3)), two[1])
    assert flags(PupilTrends(PUPIL, AS_OF, suspensions=older)) == {}


# ---- engagement_falling: the average share of the scale down 15 points over 10 school days ----------------------

def engagement(earlier: list[int], recent: list[int], scale_max: int = 5) -> tuple[Fact, ...]:
    recent_days = weekdays_back(AS_OF, 10)
    earlier_days = weekdays_back(recent_days[0] - timedelta(days=1), 10)
    return (tuple(Fact(uuid4(), d, s, scale_max) for d, s in zip(earlier_days, earlier, strict=False))
            + tuple(Fact(uuid4(), d, s, scale_max) for d, s in zip(recent_days, recent, strict=False)))


def test_engagement_down_fifteen_points_flags_and_less_does_not() -> None:
    # earlier average 4/5 = 80%, recent 13/20 = 65%: down exactly 15 points -> flag
    scores = engagement([4, 4, 4, 4], [3, 3, 3, 4])
    [flag] = decide(PupilTrends(PUPIL, AS_OF, scores=scores))
    assert flag.rule_name == "engagement_falling"
    assert flag.explanation.startswith("average engagement score 65% of the scale over the last 10 school days")
    assert "down from 80%" in flag.explanation and set(flag.cited_event_ids) == {s.event_id for s in scores}
    # recent 14/20 = 70%: down 10 points -> none; 2/5 = 40% -> flag (above the drop)
    assert flags(PupilTrends(PUPIL, AS_OF, scores=engagement([4, 4, 4, 4], [3, 4, 3, 4]))) == {}
    assert "engagement_falling" in flags(PupilTrends(PUPIL, AS_OF, scores=engagement([4, 4, 4], [2, 2, 2])))


def test_engagement_needs_three_scores_in_each_window() -> None:
    assert flags(PupilTrends(PUPIL, AS_OF, scores=engagement([5, 5], [1, 1, 1]))) == {}


# ---- once per (rule, pupil, window) ----------------------------------------------------------------------------

def test_a_flag_is_not_raised_again_while_its_window_overlaps_and_is_after_it() -> None:
    window = weekdays_back(AS_OF, 10)
    three = incidents([(window[0], 3), (window[4], 4), (window[9], 5)])
    [first] = decide(PupilTrends(PUPIL, AS_OF, incidents=three))
    assert first.notification_id == flag_id_for(PUPIL, "severe_incidents", WEEKDAY_COUNT.back(AS_OF, 10))
    next_monday = AS_OF + timedelta(days=3)
    later = PupilTrends(PUPIL, next_monday, incidents=three)
    assert decide(later, last={"severe_incidents": first.window_end}) == ()
    afterwards = incidents([(next_monday + timedelta(days=d), 3) for d in (14, 15, 16)])
    fresh = PupilTrends(PUPIL, next_monday + timedelta(days=16), incidents=(*three, *afterwards))
    [second] = decide(fresh, last={"severe_incidents": first.window_end})
    assert second.notification_id != first.notification_id


# ---- windows in school days ------------------------------------------------------------------------------------

def test_windows_count_the_home_schools_school_days_across_a_half_term() -> None:
    spring_1 = HalfTerm("2025-26", Term.SPRING, 1, date(2026, 1, 5), date(2026, 2, 13))
    spring_2 = HalfTerm("2025-26", Term.SPRING, 2, date(2026, 2, 23), date(2026, 3, 27))
    autumn = HalfTerm("2025-26", Term.AUTUMN, 1, date(2025, 9, 1), date(2025, 12, 19))
    calendar = SchoolCalendar(area_id="la-north", nation=Nation.ENGLAND, half_terms=(autumn, spring_1, spring_2))
    calendars = SchoolCalendars(by_area={"la-north": calendar}, area_of_school={"school-a": "la-north"})
    days = school_day_count(calendars, "school-a", date(2026, 2, 27), 40)
    assert days.counted_with == "la-north"
    # 10 school days back from Friday 27 February: 23-27 February and 9-13 February (half term skipped)
    window = days.back(date(2026, 2, 27), 10)
    assert window.start == date(2026, 2, 9) and date(2026, 2, 16) not in window.days
    week_before = incidents([(date(2026, 2, 9), 3), (date(2026, 2, 10), 3), (date(2026, 2, 26), 3)])
    [flag] = decide(PupilTrends(PUPIL, date(2026, 2, 27), incidents=week_before), days)
    assert flag.counted_with == "la-north"
    assert decide(PupilTrends(PUPIL, date(2026, 2, 27), incidents=week_before)) == ()


@pytest.mark.parametrize("school", ["school-elsewhere", "school-a"])
def test_no_recorded_calendar_counts_weekdays_and_says_so(school: str) -> None:
    autumn = HalfTerm("2025-26", Term.AUTUMN, 1, date(2025, 9, 1), date(2025, 12, 19))
    calendar = SchoolCalendar(area_id="la-north", nation=Nation.ENGLAND, half_terms=(autumn,))
    calendars = SchoolCalendars(by_area={"la-north": calendar}, area_of_school={"school-a": "la-north"})
    # school-a's LA recorded 2025-26 only from September: a window reaching back into 2024-25 is not recorded
    assert school_day_count(calendars, school, date(2025, 9, 5), 40).counted_with == "weekdays"
