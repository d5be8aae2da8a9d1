"""The SLA rules as pure functions (issue 13): given the agreement's events, when a command, then events or the
named rule. Unit level: no server."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import uuid4

import pytest

from ap_commissioning.domain import sla_errors as errors
from ap_commissioning.domain.context import DecisionContext
from ap_commissioning.domain.sla import SlaState, draft_version, fold, sign_version
from ap_commissioning.domain.sla_commands import AnswerSlaReview, DraftSlaVersion, SignSlaVersion
from ap_commissioning.domain.sla_review import answer_review, review_due, score, template_of
from ap_contracts.events.base import DomainEvent
from ap_contracts.events.commissioning_sla import ReviewAnswer, SlaTerms, SlaVersionAgreed, SlaVersionSigned

PROVISION, COMMISSIONER = "pbp-1", "np-1"
PARTIES = {"provision_id": PROVISION, "commissioner_id": COMMISSIONER}


def terms(**changes: Any) -> SlaTerms:
    base: dict[str, Any] = {"places_by_phase": [{"phase": "primary", "places": 8}], "starts_on": date(2026, 9, 1),
                            "ends_on": date(2027, 8, 31), "attendance_threshold_percent": 85}
    return SlaTerms.model_validate({**base, **changes})


def ctx(organisation: str, on: date = date(2026, 9, 1)) -> DecisionContext:
    return DecisionContext(f"user@{organisation}", organisation, on)


def history(*steps: tuple[Any, str, date]) -> list[DomainEvent]:
    """Events of the commands run in order, each as (command, acting organisation, day)."""
    events: list[DomainEvent] = []
    for command, organisation, day in steps:
        decide = draft_version if isinstance(command, DraftSlaVersion) else sign_version
        events += decide(command, fold(events), ctx(organisation, day))
    return events


def draft(version: int = 1, **changes: Any) -> DraftSlaVersion:
    return DraftSlaVersion(command_id=uuid4(), **PARTIES, version=version, terms=terms(**changes))


def sign(version: int = 1) -> SignSlaVersion:
    return SignSlaVersion(command_id=uuid4(), **PARTIES, version=version)


def agreed_state(version_terms: dict[str, Any] | None = None, signed_on: date = date(2026, 9, 1)) -> SlaState:
    return fold(history((draft(**(version_terms or {})), COMMISSIONER, signed_on),
                        (sign(), PROVISION, signed_on), (sign(), COMMISSIONER, signed_on)))


def test_the_second_signature_agrees_the_version_with_its_threshold() -> None:
    events = history((draft(), COMMISSIONER, date(2026, 7, 1)), (sign(), PROVISION, date(2026, 7, 2)),
                     (sign(), COMMISSIONER, date(2026, 7, 3)))
    agreed = events[-1]
    assert isinstance(events[-2], SlaVersionSigned) and events[-2].party.value == "commissioner"
    assert isinstance(agreed, SlaVersionAgreed)
    assert (agreed.in_force_from, agreed.ends_on, agreed.attendance_threshold_percent) == (
        date(2026, 9, 1), date(2027, 8, 31), 85)


def test_a_version_signed_after_it_ended_is_refused() -> None:
    state = fold(history((draft(), COMMISSIONER, date(2026, 9, 1)), (sign(), PROVISION, date(2026, 9, 1))))
    with pytest.raises(errors.SlaSignedBeforeItEnds):
        sign_version(sign(), state, ctx(COMMISSIONER, date(2027, 9, 1)))


def test_an_organisation_not_party_to_the_agreement_cannot_sign() -> None:
    state = fold(history((draft(), COMMISSIONER, date(2026, 9, 1))))
    with pytest.raises(errors.SlaSignedByAParty):
        sign_version(sign(), state, ctx("pbp-other"))


def test_an_agreement_between_other_parties_sharing_the_stream_id_is_refused() -> None:
    """``sla-a-b-c`` is the stream of (a-b, c) and of (a, b-c): the stored parties decide."""
    state = fold(history((DraftSlaVersion(command_id=uuid4(), provision_id="a-b", commissioner_id="c", version=1,
                                          terms=terms()), "c", date(2026, 9, 1))))
    command = DraftSlaVersion(command_id=uuid4(), provision_id="a", commissioner_id="b-c", version=2, terms=terms())
    with pytest.raises(errors.SlaPartiesFixed):
        draft_version(command, state, ctx("b-c"))


def test_each_phase_is_listed_once() -> None:
    command = draft(places_by_phase=[{"phase": "primary", "places": 4}, {"phase": "primary", "places": 2}])
    with pytest.raises(errors.SlaPhaseListedOnce):
        draft_version(command, SlaState(), ctx(COMMISSIONER))


def test_the_highest_version_covering_a_day_is_in_force() -> None:
    events = history((draft(), COMMISSIONER, date(2026, 9, 1)), (sign(), PROVISION, date(2026, 9, 1)),
                     (sign(), COMMISSIONER, date(2026, 9, 1)),
                     (draft(2, starts_on=date(2027, 1, 4), ends_on=date(2027, 3, 31)), COMMISSIONER, date(2026, 12, 1)),
                     (sign(2), PROVISION, date(2026, 12, 1)), (sign(2), COMMISSIONER, date(2026, 12, 2)))
    state = fold(events)
    on = {day: found[0] if (found := state.in_force_on(day)) else None
          for day in (date(2026, 8, 31), date(2027, 1, 3), date(2027, 1, 4), date(2027, 4, 1), date(2027, 9, 1))}
    assert on == {date(2026, 8, 31): None, date(2027, 1, 3): 1, date(2027, 1, 4): 2, date(2027, 4, 1): 1,
                  date(2027, 9, 1): None}


def test_answers_are_scored_five_to_one_on_the_statements_only() -> None:
    template = template_of("sla-review", 1)
    answers = [ReviewAnswer(question_id="1", choice="strongly_agree"), ReviewAnswer(question_id="2", choice="neutral"),
               ReviewAnswer(question_id="3", choice="strongly_disagree"), ReviewAnswer(question_id="4", text="Clear")]
    assert score(template, answers) == 5 + 3 + 1
    assert template.max_score == 15


def test_a_review_is_due_a_year_after_the_version_came_into_force_when_it_names_no_review_date() -> None:
    state = agreed_state()
    due = review_due(state, date(2027, 9, 1))
    assert due is None  # nothing in force then
    due = review_due(state, date(2027, 8, 31))
    assert due is not None and (due.due_on, due.overdue) == (date(2027, 9, 1), False)
    answered = answer_review(AnswerSlaReview(command_id=uuid4(), **PARTIES, review_id=uuid4(), version=1,
                                             answers=(ReviewAnswer(question_id="1", choice="agree"),
                                                      ReviewAnswer(question_id="2", choice="agree"),
                                                      ReviewAnswer(question_id="3", choice="agree"))),
                             state, ctx(PROVISION, date(2027, 6, 1)))
    assert answered[0].score == 12  # type: ignore[attr-defined]
