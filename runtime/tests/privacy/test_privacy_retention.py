"""Retention as data: the pure decision (properties over random dates) and the job on real keys."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import date, timedelta
from importlib.resources import files
from pathlib import Path
from uuid import uuid4

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ap_contracts.events.base import DomainEvent
from ap_contracts.events.privacy import (
    ErasureReason,
    PupilDataErased,
    RetentionDecisionRecorded,
    RetentionOutcome,
)
from ap_contracts.personal import RecordClass
from ap_runtime.privacy.codec import PersonalDataCodec
from ap_runtime.privacy.keystore import KeyStore
from ap_runtime.privacy.retention import (
    AtExpiry,
    RetentionPolicy,
    SubjectFacts,
    add_years,
    decide_retention,
    due_date,
    run_retention,
)
from ap_testing.privacy import ProbeNoteRecorded

POLICY = RetentionPolicy.load()
ALL = frozenset(RecordClass)


def facts(**changes: object) -> SubjectFacts:
    values: dict[str, object] = {
        "pupil_ref": uuid4(),
        "date_of_birth": date(2000, 5, 17),
        "record_classes_held": frozenset({RecordClass.PUPIL_IDENTITY, RecordClass.BEHAVIOUR}),
        "placement_end_dates": (date(2014, 7, 20),),
    }
    values.update(changes)
    return SubjectFacts(**values)  # type: ignore[arg-type]


def outcomes(subject: SubjectFacts, today: date) -> dict[RecordClass, RetentionOutcome | None]:
    return {d.record_class: d.outcome for d in decide_retention(POLICY, subject, today)}


# -- the packaged policy ----------------------------------------------------------------------------


def test_default_policy_matches_the_statutory_defaults() -> None:
    pupil = facts(date_of_birth=date(2001, 3, 9), placement_end_dates=(date(2016, 7, 1), date(2015, 1, 1)))
    due = {c: due_date(POLICY.rule_for(c), pupil) for c in RecordClass}
    assert due[RecordClass.SAFEGUARDING] == date(2026, 3, 9)
    assert due[RecordClass.PUPIL_IDENTITY] == date(2026, 3, 9)
    assert due[RecordClass.EXCLUSION] == date(2026, 3, 9)
    assert due[RecordClass.SEN_HEALTH] == date(2032, 3, 9)
    assert due[RecordClass.BEHAVIOUR] == date(2022, 7, 1)
    assert POLICY.rule_for(RecordClass.SAFEGUARDING).at_expiry is AtExpiry.REVIEW


def test_behaviour_of_a_pupil_never_placed_runs_from_the_last_record() -> None:
    pupil = facts(placement_end_dates=(), last_record_on=date(2019, 2, 1))
    assert due_date(POLICY.rule_for(RecordClass.BEHAVIOUR), pupil) == date(2025, 2, 1)


def test_behaviour_during_an_ongoing_placement_never_expires() -> None:
    pupil = facts(placement_ongoing=True, last_record_on=date(2001, 1, 1))
    assert due_date(POLICY.rule_for(RecordClass.BEHAVIOUR), pupil) is None


def test_a_policy_must_cover_every_record_class_once(tmp_path: Path) -> None:
    text = files("ap_runtime.privacy").joinpath("retention_policy.yaml").read_text(encoding="utf-8")
    missing = text.replace("record_class: sen_health", "record_class: behaviour")
    path = tmp_path / "policy.yaml"
    path.write_text(missing)
    with pytest.raises(ValueError, match="exactly one rule per record class"):
        RetentionPolicy.load(path)
    path.write_text(text.replace('policy_version: "2025.1"', 'policy_version: "local-7"'))
    assert RetentionPolicy.load(path).policy_version == "local-7"


# -- decisions ----------------------------------------------------------------------------------------


def test_a_pupil_is_shredded_only_once_every_class_may_go() -> None:
    pupil = facts()
    assert set(outcomes(pupil, date(2025, 5, 16)).values()) == {None, RetentionOutcome.KEPT_REVIEW}
    assert outcomes(pupil, date(2025, 5, 16))[RecordClass.BEHAVIOUR] is RetentionOutcome.KEPT_REVIEW
    assert set(outcomes(pupil, date(2025, 5, 17)).values()) == {RetentionOutcome.SHREDDED}


def test_a_class_expiring_early_is_kept_for_review_with_the_reason() -> None:
    [behaviour] = [d for d in decide_retention(POLICY, facts(), date(2021, 1, 1))
                   if d.record_class is RecordClass.BEHAVIOUR]
    assert behaviour.outcome is RetentionOutcome.KEPT_REVIEW
    assert "pupil_identity (until 2025-05-17)" in behaviour.explanation


def test_safeguarding_waits_for_a_review_then_goes() -> None:
    held = frozenset({RecordClass.PUPIL_IDENTITY, RecordClass.SAFEGUARDING})
    later = date(2030, 1, 1)
    assert outcomes(facts(record_classes_held=held), later)[RecordClass.SAFEGUARDING] is RetentionOutcome.KEPT_REVIEW
    approved = facts(record_classes_held=held, destruction_approved=frozenset({RecordClass.SAFEGUARDING}))
    assert set(outcomes(approved, later).values()) == {RetentionOutcome.SHREDDED}


def test_a_legal_hold_overrides_expiry() -> None:
    held = facts(legal_hold_ids=frozenset({uuid4()}))
    assert set(outcomes(held, date(2060, 1, 1)).values()) == {RetentionOutcome.KEPT_LEGAL_HOLD}


def test_the_pupil_record_is_always_held_so_nothing_declared_never_means_shred_now() -> None:
    pupil = facts(record_classes_held=frozenset())
    assert outcomes(pupil, date(2010, 1, 1)) == {RecordClass.PUPIL_IDENTITY: None}


def test_unknown_date_of_birth_never_expires() -> None:
    assert outcomes(facts(date_of_birth=None), date(2200, 1, 1))[RecordClass.PUPIL_IDENTITY] is None


def test_29_february_birthdays_fall_on_1_march() -> None:
    assert add_years(date(2008, 2, 29), 25) == date(2033, 3, 1)
    assert add_years(date(2008, 2, 29), 24) == date(2032, 2, 29)


dates = st.dates(min_value=date(1980, 1, 1), max_value=date(2060, 12, 31))
subjects = st.builds(
    SubjectFacts,
    pupil_ref=st.uuids(),
    date_of_birth=st.one_of(st.none(), dates),
    record_classes_held=st.frozensets(st.sampled_from(list(RecordClass))),
    placement_end_dates=st.lists(dates, max_size=3).map(tuple),
    placement_ongoing=st.booleans(),
    last_record_on=st.one_of(st.none(), dates),
    legal_hold_ids=st.frozensets(st.uuids(), max_size=1),
    destruction_approved=st.frozensets(st.sampled_from(list(RecordClass))),
)


@given(subjects, dates)
@settings(max_examples=500)
def test_shredding_happens_exactly_when_every_class_may_go(subject: SubjectFacts, today: date) -> None:
    decisions = decide_retention(POLICY, subject, today)
    assert {d.record_class for d in decisions} == set(subject.record_classes_held) | {RecordClass.PUPIL_IDENTITY}
    shredded = {d.outcome is RetentionOutcome.SHREDDED for d in decisions}
    assert len(shredded) == 1  # all classes or none: one key per pupil
    may_go = not subject.legal_hold_ids and all(
        d.due_date is not None and d.due_date <= today
        and (POLICY.rule_for(d.record_class).at_expiry is AtExpiry.DESTROY
             or d.record_class in subject.destruction_approved)
        for d in decisions
    )
    assert shredded == {may_go}


@given(subjects, dates)
@settings(max_examples=500)
def test_nothing_is_decided_before_its_due_date_and_holds_always_keep(subject: SubjectFacts, today: date) -> None:
    for decision in decide_retention(POLICY, subject, today):
        due = decision.due_date
        assert decision.is_due == (due is not None and due <= today)
        if decision.is_due and subject.legal_hold_ids:
            assert decision.outcome is RetentionOutcome.KEPT_LEGAL_HOLD


@given(subjects, dates, st.integers(0, 20_000))
@settings(max_examples=300)
def test_once_shreddable_always_shreddable(subject: SubjectFacts, today: date, days: int) -> None:
    def shreds(on: date) -> bool:
        return any(d.outcome is RetentionOutcome.SHREDDED for d in decide_retention(POLICY, subject, on))

    if shreds(today):
        assert shreds(today + timedelta(days=days))


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)), st.integers(0, 120))
def test_add_years_is_the_anniversary(start: date, years: int) -> None:
    end = add_years(start, years)
    assert end.year == start.year + years
    if (start.month, start.day) == (2, 29) and end.day != 29:
        assert (end.month, end.day) == (3, 1)
    else:
        assert (end.month, end.day) == (start.month, start.day)


# -- the job, on the real key store -----------------------------------------------------------------


@pytest.mark.integration
async def test_run_retention_shreds_expired_pupils_and_records_only_changes(keystore: KeyStore) -> None:
    codec = PersonalDataCodec(keystore)
    expired, held, young = facts(), facts(legal_hold_ids=frozenset({uuid4()})), facts(date_of_birth=date(2015, 1, 1))
    sealed = {
        p.pupil_ref: await codec.seal(ProbeNoteRecorded(pupil_ref=p.pupil_ref, narrative="Ran out of class"))
        for p in (expired, held, young)
    }
    recorded: list[DomainEvent] = []

    async def record(event: DomainEvent) -> None:
        recorded.append(event)

    today = date(2026, 1, 1)
    summary = await run_retention(POLICY, [expired, held, young], keystore, record, today)

    assert (summary.pupils_examined, summary.pupils_shredded) == (3, 1)
    assert summary.events_recorded == len(recorded)
    erased = [e for e in recorded if isinstance(e, PupilDataErased)]
    assert [(e.pupil_ref, e.reason) for e in erased] == [(expired.pupil_ref, ErasureReason.RETENTION_EXPIRED)]
    decisions = {(e.pupil_ref, e.record_class): e for e in recorded if isinstance(e, RetentionDecisionRecorded)}
    assert {k: e.decision for k, e in decisions.items()} == {
        (expired.pupil_ref, RecordClass.BEHAVIOUR): RetentionOutcome.SHREDDED,
        (expired.pupil_ref, RecordClass.PUPIL_IDENTITY): RetentionOutcome.SHREDDED,
        (held.pupil_ref, RecordClass.BEHAVIOUR): RetentionOutcome.KEPT_LEGAL_HOLD,
        (held.pupil_ref, RecordClass.PUPIL_IDENTITY): RetentionOutcome.KEPT_LEGAL_HOLD,
        # Placement ended in 2014: behaviour has expired, but the pupil record has not.
        (young.pupil_ref, RecordClass.BEHAVIOUR): RetentionOutcome.KEPT_REVIEW,
    }
    assert all(e.policy_version == POLICY.policy_version and e.decided_on == today for e in decisions.values())

    assert await keystore.get(str(expired.pupil_ref)) is None
    assert await keystore.get(str(held.pupil_ref)) is not None
    gone = await codec.reveal(ProbeNoteRecorded.event_type, 1, sealed[expired.pupil_ref], str(expired.pupil_ref))
    assert gone["_erased"] is True and gone["narrative"] is None

    # A later run that knows what was recorded records nothing new.
    def known(p: SubjectFacts) -> SubjectFacts:
        last = {e.record_class: e.decision for (ref, _), e in decisions.items() if ref == p.pupil_ref}
        return replace(p, last_recorded=last)

    recorded.clear()

    async def facts_stream() -> AsyncIterator[SubjectFacts]:
        for p in (expired, held, young):
            yield known(p)

    again = await run_retention(POLICY, facts_stream(), keystore, record, today)
    assert recorded == [] and again.pupils_shredded == 1
