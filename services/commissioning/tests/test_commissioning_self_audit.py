"""The provider self-audit's deciders (seed 000, issue 13): given past events, when a command, then events
or a refusal naming its rule (and no event)."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from ap_commissioning.domain.context import DecisionContext
from ap_commissioning.domain.errors import CommissioningRefused
from ap_commissioning.domain.self_audit import (
    ModerateRating,
    RateStatement,
    RequestSelfAudit,
    fold_self_audit,
    moderate_rating,
    rate_statement,
    request_self_audit,
)
from ap_commissioning.domain.self_audit_template import BEHAVIOUR_POLICIES_2026_1, CURRENT_TEMPLATE_VERSION, TEMPLATES
from ap_contracts.events.commissioning_quality import (
    RagRating,
    SelfAuditRatingModerated,
    SelfAuditRequested,
    SelfAuditStatementRated,
)
from ap_contracts.events.commissioning_vocabulary import CommissioningEvent

PROVIDER, COMMISSIONER, YEAR = "prov-brighter-futures", "la-demo-county", "2026-27"
AS_COMMISSIONER = DecisionContext("officer-1", COMMISSIONER, date(2026, 10, 1))
AS_PROVIDER = DecisionContext("manager-1", PROVIDER, date(2026, 10, 2))
PARTIES = {"provider_id": PROVIDER, "commissioner_id": COMMISSIONER, "academic_year": YEAR}
FIRST = BEHAVIOUR_POLICIES_2026_1.statements[0].statement_id

REQUESTED = SelfAuditRequested(provider_id=PROVIDER, commissioner_id=COMMISSIONER, academic_year=YEAR,
                               template_version=CURRENT_TEMPLATE_VERSION, requested_by="officer-1",
                               due_on=date(2027, 8, 31), statement_count=20)
RATED_AMBER = SelfAuditStatementRated(provider_id=PROVIDER, academic_year=YEAR, statement_id=FIRST,
                                      rating=RagRating.AMBER, evidence="behaviour log review, July",
                                      action_plan="weekly log review", rated_by="manager-1")


def _rate(**overrides: object) -> RateStatement:
    fields: dict[str, object] = {"command_id": uuid4(), **PARTIES, "statement_id": FIRST, "rating": "amber",
                                 "evidence": "log review",
                                 "action_plan": "weekly review"}
    return RateStatement.model_validate({**fields, **overrides})


def _moderate(**overrides: object) -> ModerateRating:
    fields: dict[str, object] = {"command_id": uuid4(), **PARTIES, "statement_id": FIRST, "moderated_rating": "red",
                                 "reason": "logs not analysed"}
    return ModerateRating.model_validate({**fields, **overrides})


def _refused(rule: str, decider: object, command: object, history: list[CommissioningEvent],
             context: DecisionContext) -> None:
    with pytest.raises(CommissioningRefused) as refused:
        decider(command, fold_self_audit(history), context)  # type: ignore[operator]
    assert refused.value.rule_id == rule


def test_the_template_holds_the_seeds_twenty_statements_with_stable_ids() -> None:
    template = TEMPLATES[CURRENT_TEMPLATE_VERSION]
    assert len(template.statements) == 20
    assert len({s.statement_id for s in template.statements}) == 20
    assert template.statements[0].text.startswith("Good behaviour is the norm")
    assert template.statements[-1].text.startswith("The AP is self-reflective")


def test_the_commissioner_requests_the_years_audit_by_the_caller() -> None:
    command = RequestSelfAudit(command_id=uuid4(), **PARTIES)
    [event] = request_self_audit(command, fold_self_audit([]), AS_COMMISSIONER)
    assert event == REQUESTED


def test_the_commissioner_may_set_a_due_date_within_the_audits_year_else_it_is_31_august() -> None:
    """Issue 14: the overdue check reads the due date and the statement count from the event."""
    command = RequestSelfAudit(command_id=uuid4(), **PARTIES, due_on=date(2027, 3, 31))
    [event] = request_self_audit(command, fold_self_audit([]), AS_COMMISSIONER)
    assert event == REQUESTED.model_copy(update={"due_on": date(2027, 3, 31)})
    [undated] = request_self_audit(RequestSelfAudit(command_id=uuid4(), **PARTIES), fold_self_audit([]),
                                   AS_COMMISSIONER)
    assert undated == REQUESTED  # due on 31 August 2027


@pytest.mark.parametrize("due_on", [date(2026, 8, 31), date(2027, 9, 1)])
def test_a_due_date_outside_the_audits_year_is_refused(due_on: date) -> None:
    command = RequestSelfAudit(command_id=uuid4(), **PARTIES, due_on=due_on)
    _refused("self_audit.due_within_year", request_self_audit, command, [], AS_COMMISSIONER)


def test_an_audit_is_requested_once_per_provider_and_year() -> None:
    command = RequestSelfAudit(command_id=uuid4(), **PARTIES)
    _refused("self_audit.requested_once", request_self_audit, command, [REQUESTED], AS_COMMISSIONER)


def test_an_unknown_template_version_is_refused() -> None:
    command = RequestSelfAudit(command_id=uuid4(), **PARTIES,
                               template_version="toolkit-1999")
    _refused("self_audit.template_known", request_self_audit, command, [], AS_COMMISSIONER)


def test_the_provider_rates_a_statement_with_evidence_and_an_action_plan_as_the_caller() -> None:
    [event] = rate_statement(_rate(), fold_self_audit([REQUESTED]), AS_PROVIDER)
    assert isinstance(event, SelfAuditStatementRated)
    assert (event.rating, event.evidence, event.rated_by) == (RagRating.AMBER, "log review", "manager-1")


def test_green_needs_no_action_plan() -> None:
    [event] = rate_statement(_rate(rating="green", action_plan=""), fold_self_audit([REQUESTED]), AS_PROVIDER)
    assert isinstance(event, SelfAuditStatementRated) and event.rating is RagRating.GREEN


@pytest.mark.parametrize("evidence", ["", "   "])
def test_a_rating_without_evidence_is_refused(evidence: str) -> None:
    _refused("self_audit.rating_has_evidence", rate_statement, _rate(evidence=evidence), [REQUESTED], AS_PROVIDER)


@pytest.mark.parametrize("rating", ["red", "amber"])
def test_red_or_amber_without_an_action_plan_is_refused(rating: str) -> None:
    command = _rate(rating=rating, action_plan=" ")
    _refused("self_audit.action_plan_below_green", rate_statement, command, [REQUESTED], AS_PROVIDER)


def test_rating_before_the_audit_is_requested_is_refused() -> None:
    _refused("self_audit.requested", rate_statement, _rate(), [], AS_PROVIDER)


def test_a_statement_not_in_the_template_is_refused() -> None:
    _refused("self_audit.statement_in_template", rate_statement, _rate(statement_id="behaviour-99"),
             [REQUESTED], AS_PROVIDER)


def test_the_commissioner_changes_a_rating_with_a_reason_and_the_provider_rating_is_kept() -> None:
    [event] = moderate_rating(_moderate(), fold_self_audit([REQUESTED, RATED_AMBER]), AS_COMMISSIONER)
    assert event == SelfAuditRatingModerated(
        provider_id=PROVIDER, academic_year=YEAR, statement_id=FIRST, provider_rating=RagRating.AMBER,
        moderated_rating=RagRating.RED, reason="logs not analysed", moderated_by="officer-1")


@pytest.mark.parametrize("reason", ["", "  "])
def test_a_moderation_without_a_reason_is_refused_even_when_agreeing(reason: str) -> None:
    _refused("self_audit.moderation_has_reason", moderate_rating, _moderate(moderated_rating="amber", reason=reason),
             [REQUESTED, RATED_AMBER], AS_COMMISSIONER)


def test_a_statement_the_provider_has_not_rated_cannot_be_moderated() -> None:
    _refused("self_audit.moderates_a_rating", moderate_rating, _moderate(), [REQUESTED], AS_COMMISSIONER)


def test_rating_again_replaces_the_rating_and_asks_for_moderation_again() -> None:
    moderated = SelfAuditRatingModerated(
        provider_id=PROVIDER, academic_year=YEAR, statement_id=FIRST, provider_rating=RagRating.AMBER,
        moderated_rating=RagRating.RED, reason="r", moderated_by="officer-1")
    again = RATED_AMBER.model_copy(update={"rating": RagRating.GREEN})
    state = fold_self_audit([REQUESTED, RATED_AMBER, moderated, again])
    assert state.ratings[FIRST] is RagRating.GREEN and FIRST not in state.moderated


def test_the_command_cannot_name_who_acts() -> None:
    with pytest.raises(ValueError, match="requested_by"):
        RequestSelfAudit.model_validate({"command_id": str(uuid4()), "provider_id": PROVIDER, "academic_year": YEAR,
                                         "commissioner_id": COMMISSIONER, "requested_by": "officer-9"})
    with pytest.raises(ValueError, match="rated_by"):
        _rate(rated_by="someone-else")
