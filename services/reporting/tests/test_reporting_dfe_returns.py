"""The DfE returns (school census exclusions and AP placement modules) from the incidents events:
codes and counts as the events say, corrections honoured, cut by the census period, same bytes."""

from __future__ import annotations

import csv
import io
import random
from datetime import date, timedelta
from uuid import uuid4

from hypothesis import given, settings
from hypothesis import strategies as st

from ap_contracts.events.base import DomainEvent
from ap_contracts.events.privacy import ErasureReason, ErasureRequester, PupilDataErased
from ap_contracts.events.pupil_corrections import CorrectionReason, RecordAmended
from ap_contracts.events.pupil_vocabulary import ExclusionReason, PlacementEndReason, YearGroup
from ap_contracts.events.school_exclusions import SuspensionIssued
from ap_reporting.adapters.returns_csv import ap_placements_return_csv, exclusions_return_csv
from ap_reporting.domain.dfe_returns import ap_placements_return, exclusions_return, rows_by_school
from ap_reporting.domain.vocabulary import Period
from ap_testing.reporting.events import NARRATIVE, Pupil

AUTUMN = Period(date(2024, 9, 1), date(2024, 12, 31))
SPRING = Period(date(2025, 1, 1), date(2025, 3, 31))


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def _amend(pupil: Pupil, target: SuspensionIssued, half_days: int) -> RecordAmended:
    return RecordAmended(pupil_ref=pupil.pupil_ref, record_id=uuid4(), target_record_id=target.record_id,
                         target_event_type=target.event_type, reason=CorrectionReason.WRONG_VALUE,
                         explanation=NARRATIVE, corrected_values={"duration_half_days": half_days})


def test_exclusions_return_codes_sessions_and_reasons_are_the_events() -> None:
    ann, ben = Pupil("school-a", "np-1"), Pupil("school-b", "np-1", year=YearGroup.Y9)
    lunchtime = ann.suspended(date(2024, 10, 7), 1, year="2024/25")
    three_days = ann.suspended(date(2024, 11, 4), 6, year="2024/25").model_copy(
        update={"further_reasons": (ExclusionReason.BULLYING, ExclusionReason.RACIST_ABUSE)})
    permanent = ben.excluded(date(2024, 12, 2), year="2024/25")

    rows = _rows(exclusions_return_csv(exclusions_return([lunchtime, three_days, permanent], AUTUMN)))

    assert rows == [
        {"school_id": "school-a", "pupil_ref": str(ann.pupil_ref), "category": "FIXD", "start_date": "2024-10-07",
         "sessions": "1", "reason_1": "DB", "reason_2": "", "reason_3": "", "academic_year": "2024/25"},
        {"school_id": "school-a", "pupil_ref": str(ann.pupil_ref), "category": "FIXD", "start_date": "2024-11-04",
         "sessions": "6", "reason_1": "DB", "reason_2": "BU", "reason_3": "RA", "academic_year": "2024/25"},
        {"school_id": "school-b", "pupil_ref": str(ben.pupil_ref), "category": "PERM", "start_date": "2024-12-02",
         "sessions": "", "reason_1": "PA", "reason_2": "", "reason_3": "", "academic_year": "2024/25"},
    ]


def test_exclusions_return_honours_reinstatement_withdrawal_and_amendment() -> None:
    ann, ben = Pupil("school-a", "np-1"), Pupil("school-a", "np-1")
    kept = ann.suspended(date(2024, 10, 7), 4)
    duplicate = ann.suspended(date(2024, 10, 7), 4)
    reinstated = ben.excluded(date(2024, 11, 1))

    rows = exclusions_return([kept, duplicate, ann.withdrawn(duplicate), _amend(ann, kept, 3), reinstated,
                              ben.reinstated(reinstated)], AUTUMN)

    assert [(r.category.value, r.sessions, r.record_id) for r in rows] == [("FIXD", 3, kept.record_id)]


def test_exclusions_return_is_cut_by_the_census_period() -> None:
    ann = Pupil("school-a", "np-1")
    autumn, spring = ann.suspended(date(2024, 12, 31), 2), ann.suspended(date(2025, 1, 1), 2)

    assert [r.record_id for r in exclusions_return([autumn, spring], AUTUMN)] == [autumn.record_id]
    assert [r.record_id for r in exclusions_return([autumn, spring], SPRING)] == [spring.record_id]


def test_ap_placement_return_lists_placements_open_in_the_period() -> None:
    ann, ben, cal = Pupil("school-a", "np-1"), Pupil("school-b", "np-1"), Pupil("school-c", "np-2")
    ann_start, ben_start, cal_start = (ann.started(date(2024, 9, 9)), ben.started(date(2024, 10, 1)),
                                       cal.started(date(2025, 1, 6)))
    reduced = ben_start.model_copy(update={"timetable": "reduced"})
    ended_before_spring = ann.ended(date(2024, 12, 20), PlacementEndReason.REINTEGRATED_TO_HOME_SCHOOL)
    ben_ended_in_error = ben.ended(date(2024, 12, 1), PlacementEndReason.REINTEGRATED_TO_HOME_SCHOOL)
    events: list[DomainEvent] = [ann_start, reduced, cal_start, ended_before_spring, ben_ended_in_error,
                                 ben.withdrawn(ben_ended_in_error)]

    autumn = _rows(ap_placements_return_csv(ap_placements_return(events, AUTUMN)))
    spring = ap_placements_return(events, SPRING)

    assert [(r["school_id"], r["setting_id"], r["entry_date"], r["leaving_date"], r["attendance_pattern"])
            for r in autumn] == [("school-a", "prov-np-1", "2024-09-09", "2024-12-20", "FT"),
                                 ("school-b", "prov-np-1", "2024-10-01", "", "PT")]
    assert [(r.school_id, r.leaving_date) for r in spring] == [("school-b", None), ("school-c", None)]


def test_a_withdrawn_placement_start_is_not_returned() -> None:
    ann = Pupil("school-a", "np-1")
    start = ann.started(date(2024, 9, 9))

    assert ap_placements_return([start, ann.withdrawn(start)], AUTUMN) == []


@settings(derandomize=True, max_examples=40, deadline=None)
@given(lengths=st.lists(st.tuples(st.integers(0, 120), st.integers(1, 10)), max_size=25), seed=st.integers(0, 99))
def test_exclusions_return_counts_match_the_events_in_any_recorded_order(
        lengths: list[tuple[int, int]], seed: int) -> None:
    """Each suspension starting in the period is one FIXD line with its half days; the file's bytes do
    not depend on the order independent events were recorded in."""
    pupils = [Pupil(f"school-{i % 3}", "np-1") for i in range(len(lengths))]
    events = [p.suspended(date(2024, 9, 1) + timedelta(days=offset), half_days)
              for p, (offset, half_days) in zip(pupils, lengths, strict=True)]
    in_autumn = [e for e in events if e.first_day in AUTUMN]
    shuffled = list(events)
    random.Random(seed).shuffle(shuffled)

    rows = exclusions_return(events, AUTUMN)

    assert len(rows) == len(in_autumn)
    assert sum(r.sessions or 0 for r in rows) == sum(e.duration_half_days for e in in_autumn)
    assert exclusions_return_csv(exclusions_return(shuffled, AUTUMN)) == exclusions_return_csv(rows)


def _erased(pupil: Pupil, reason: ErasureReason) -> PupilDataErased:
    return PupilDataErased(pupil_ref=pupil.pupil_ref, reason=reason, legal_basis="UK GDPR Art. 17(1)(a)",
                           requested_by=ErasureRequester.DATA_PROTECTION_OFFICER)


def test_a_pupil_recorded_in_error_leaves_both_returns_and_other_erasures_keep_the_rows() -> None:
    """As the reporting read model does: a pupil recorded in error was never there; a pupil erased for
    retention or on request keeps the pseudonymous rows (a statutory return, no personal data)."""
    wrong, kept = Pupil("school-a", "np-1"), Pupil("school-a", "np-1")
    events: list[DomainEvent] = []
    for pupil, reason in ((wrong, ErasureReason.RECORDED_IN_ERROR), (kept, ErasureReason.ERASURE_REQUEST_UPHELD)):
        events += [pupil.started(date(2024, 9, 9)), pupil.suspended(date(2024, 10, 7), 2), _erased(pupil, reason)]

    assert [r.pupil_ref for r in exclusions_return(events, AUTUMN)] == [kept.pupil_ref]
    assert [r.pupil_ref for r in ap_placements_return(events, AUTUMN)] == [kept.pupil_ref]


def test_events_about_a_pupil_recorded_in_error_read_after_the_erasure_return_no_row() -> None:
    """A suspension and a placement start recorded before the erasure but read after it, and the same again under
    new ids, bring no row back for a pupil recorded in error; for any other erasure the late rows are returned (the
    pseudonymous rows stay, as before the erasure)."""
    for reason in ErasureReason:
        pupil = Pupil("school-a", "np-1")
        late: list[DomainEvent] = [pupil.suspended(date(2024, 10, 7), 2), pupil.started(date(2024, 9, 9))]
        again = [e.model_copy(update={"record_id": uuid4()}) for e in late]
        events = [pupil.suspended(date(2024, 10, 1), 1), _erased(pupil, reason), *late, *again]
        expected = 0 if reason is ErasureReason.RECORDED_IN_ERROR else 1
        assert len(exclusions_return(events, AUTUMN)) == 3 * expected, reason
        assert len(ap_placements_return(events, AUTUMN)) == expected, reason


def test_each_school_gets_its_own_rows_of_each_return() -> None:
    """The census is returned by each school for its pupils: the LA-wide rows split by school, none lost."""
    ann, ben, cal = Pupil("school-a", "np-1"), Pupil("school-b", "np-1"), Pupil("school-a", "np-1")
    events: list[DomainEvent] = [ann.started(date(2024, 9, 9)), ben.started(date(2024, 9, 9)),
                                 ann.suspended(date(2024, 10, 7), 2), cal.suspended(date(2024, 10, 8), 1),
                                 ben.suspended(date(2024, 10, 9), 4)]

    exclusions = rows_by_school(exclusions_return(events, AUTUMN))
    placements = rows_by_school(ap_placements_return(events, AUTUMN))

    assert {school: [r.pupil_ref for r in rows] for school, rows in exclusions.items()} == {
        "school-a": sorted([ann.pupil_ref, cal.pupil_ref], key=str), "school-b": [ben.pupil_ref]}
    assert {school: len(rows) for school, rows in placements.items()} == {"school-a": 1, "school-b": 1}
