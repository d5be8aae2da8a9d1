"""Term dates as events (issue 13): ``TermDatesRecorded`` and ``OrganisationRegistered`` folded into the calendars
every service counts with, and the refusals of a recording (``check_recording``)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from ap_contracts.envelope import OrgKind
from ap_contracts.events.organisations import OrganisationRegistered, TermDatesRecorded
from ap_runtime.school_days import (
    EXAMPLE_DEMO_CALENDAR,
    InsetDayOutsideTerms,
    Nation,
    TermDatesIncomplete,
    TermDatesOverlap,
    TermDatesRunBackwards,
    add_school_days,
    check_recording,
    half_terms_of,
    is_school_day,
    recorded_calendars,
    school_days_between,
)
from ap_runtime.school_days.example import term_dates_bodies

LA = "la-demo-county"


def _recorded(organisation_id: str = LA, **changes: Any) -> TermDatesRecorded:
    body: dict[str, Any] = {**term_dates_bodies()[0], "organisation_id": organisation_id, "local_authority_id": LA}
    return TermDatesRecorded.model_validate({**body, **changes})


def _school(kind: OrgKind = OrgKind.HOME_SCHOOL, school: str = "school-a") -> OrganisationRegistered:
    return OrganisationRegistered(organisation_id=school, kind=kind, local_authority_id=LA)


def test_the_recorded_example_counts_as_the_packaged_one_across_a_half_term_a_bank_holiday_and_an_inset_day() -> None:
    events = [TermDatesRecorded.model_validate({**body, "local_authority_id": LA}) for body in term_dates_bodies()]
    calendars = recorded_calendars([_school(), *events])
    recorded = calendars.for_school("school-a")
    assert recorded is not None and recorded.half_terms == EXAMPLE_DEMO_CALENDAR.half_terms
    assert recorded.non_teaching_days == EXAMPLE_DEMO_CALENDAR.non_teaching_days
    # Half term (27-31 October 2025), then the INSET day 5 January 2026 after Christmas.
    assert add_school_days(date(2025, 10, 22), 3, recorded, "school-a") == date(2025, 11, 3)
    assert not is_school_day(date(2026, 1, 5), recorded, "school-a")
    assert add_school_days(date(2025, 12, 18), 2, recorded, "school-a") == date(2026, 1, 6)
    # Spring bank holiday is in the May half term; the early May bank holiday (4 May 2026) is in term.
    assert not is_school_day(date(2026, 5, 4), recorded, "school-a")
    assert school_days_between(date(2026, 5, 1), date(2026, 5, 8), recorded, "school-a") == 4


def test_a_later_recording_of_the_same_year_replaces_it_and_schools_keep_their_own_inset_days() -> None:
    first = _recorded()
    moved = _recorded(inset_days=["2025-09-03"])
    school_inset = _recorded("school-a", half_terms=[], inset_days=["2025-11-28"])
    # Order across organisations does not matter (different Kafka partitions); within one it does.
    for events in ([first, moved, school_inset, _school()], [school_inset, _school(), first, moved]):
        calendar = recorded_calendars(events).for_school("school-a")
        assert calendar is not None
        assert calendar.non_teaching_days == frozenset({date(2025, 9, 3)})
        assert not is_school_day(date(2025, 11, 28), calendar, "school-a")
        assert is_school_day(date(2025, 11, 28), calendar, "school-b")


def test_an_academy_keeping_its_own_terms_counts_with_them_and_not_the_las_inset_days() -> None:
    own = [{"term": t, "half": h, "first_day": f, "last_day": last} for t, h, f, last in (
        ("autumn", 1, "2025-09-01", "2025-10-17"), ("autumn", 2, "2025-10-27", "2025-12-19"),
        ("spring", 1, "2026-01-05", "2026-02-13"), ("spring", 2, "2026-02-23", "2026-03-27"),
        ("summer", 1, "2026-04-13", "2026-05-22"), ("summer", 2, "2026-06-01", "2026-07-17"))]
    calendars = recorded_calendars([_recorded(), _recorded("academy-a", half_terms=own, inset_days=[]),
                                    _school(OrgKind.HOME_SCHOOL, "academy-a")])
    calendar = calendars.for_school("academy-a")
    assert calendar is not None and calendar.nation is Nation.ENGLAND
    assert is_school_day(date(2025, 10, 28), calendar, "academy-a")  # the LA's half term, the academy's term
    assert not is_school_day(date(2025, 10, 28), calendar, "school-b")
    assert is_school_day(date(2026, 1, 5), calendar, "academy-a")  # the LA's INSET day is not the academy's


@pytest.mark.parametrize(("changes", "refusal", "rule"), [
    ({"half_terms": [{"term": "autumn", "half": 1, "first_day": "2025-10-24", "last_day": "2025-09-03"}]},
     TermDatesRunBackwards, "calendar.term_dates_in_order"),
    ({"half_terms": [{"term": "autumn", "half": 1, "first_day": "2025-08-20", "last_day": "2025-10-24"}]},
     TermDatesRunBackwards, "calendar.term_dates_in_order"),
    ({"inset_days": ["2025-10-29"]}, InsetDayOutsideTerms, "calendar.inset_days_in_terms"),
])
def test_a_recording_that_runs_backwards_or_puts_an_inset_day_in_a_holiday_is_refused(
        changes: dict[str, Any], refusal: type[Exception], rule: str) -> None:
    recorded = _recorded(**changes)
    with pytest.raises(refusal) as refused:
        check_recording(recorded)
    assert getattr(refused.value, "rule_id") == rule


def test_overlapping_repeated_or_missing_half_terms_are_refused() -> None:
    terms = term_dates_bodies()[0]["half_terms"]
    assert isinstance(terms, list)
    overlapping = [*terms[:1], {**terms[1], "first_day": "2025-10-20"}, *terms[2:]]
    with pytest.raises(TermDatesOverlap):
        check_recording(_recorded(half_terms=overlapping))
    with pytest.raises(TermDatesIncomplete, match="named twice"):
        check_recording(_recorded(half_terms=[*terms[:5], {**terms[5], "term": "summer", "half": 1}]))
    with pytest.raises(TermDatesIncomplete, match="5 half terms"):
        check_recording(_recorded(half_terms=terms[:5]))


def test_a_school_keeping_the_las_terms_has_its_inset_days_checked_against_them() -> None:
    la_terms = half_terms_of(_recorded())
    check_recording(_recorded("school-a", half_terms=[], inset_days=["2025-11-28"]), la_terms)
    with pytest.raises(InsetDayOutsideTerms):
        check_recording(_recorded("school-a", half_terms=[], inset_days=["2025-12-29"]), la_terms)
    with pytest.raises(InsetDayOutsideTerms):  # the LA has recorded no terms that year: nothing to be inside
        check_recording(_recorded("school-a", half_terms=[], inset_days=["2025-11-28"]))
