"""The finance API answers a rule violation in the one problem format (issue 10), with the status
each rule answered with before the domain lost its HTTP statuses: the kind decides it at the edge."""

from __future__ import annotations

from ap_finance.application.commands import CommandIdReused
from ap_finance.domain import errors
from ap_finance.entrypoints.problems import rule_problem
from ap_runtime.http.problems import STATUS_OF_KIND

# Each rule's status as the domain declared it before issue 10 (``http_status``), kept at the edge.
STATUS_BEFORE = {
    "budget.exists": 404, "budget.set_once": 409, "budget.matches_stream": 409,
    "budget.lines_within_funding": 422, "financial_year.closed_to_entries": 409,
    "financial_year.year_end_after_close": 409, "financial_year.date_in_year": 422, "budget.item_id_unique": 409,
    "commitment.exists": 404, "spend.matches_commitment": 422, "spend.within_commitment": 422,
    "commitment.release_within_outstanding": 422, "signature.item_awaiting_signatures": 404,
    "signature.from_budget_organisation": 403, "signature.different_people": 409,
    "signature.both_organisations": 409, "virement.between_lines": 422, "virement.within_line_budget": 422,
    "budget.line_covers_spend": 422, "surplus.available": 409,
    "surplus.clawback_within_balance": 422, "surplus.carry_forward_within_balance": 422,
    "surplus.allocation_within_balance": 422, "allocation.specified": 422, "allocation.shares_sum": 422,
    "allocation.recomputable": 422, "carry_forward.matches_previous_year": 422, "carry_forward.before_next_budget": 409,
    "budget_command.id_unique": 409,
    # Issue 12: approval as its own step, budget control and the £30,000 rule.
    "virement.awaiting_approval": 404, "virement.approver_not_requester": 403, "overspend.awaiting_approval": 404,
    "overspend.approver_not_requester": 403, "budget_control.spend_within_line": 422,
    "signature.threshold_agreed_by_both": 403, "commitment.signed_before_spend": 409,
}


def _rules() -> list[type[errors.FinanceRuleViolation]]:
    found, pending = [], [errors.FinanceRuleViolation]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if "rule_id" in cls.__dict__:
            found.append(cls)
    return found


def test_every_rule_answers_the_status_it_answered_before() -> None:
    assert CommandIdReused in _rules()
    assert {cls.rule_id: STATUS_OF_KIND[cls.kind] for cls in _rules()} == STATUS_BEFORE


def test_a_rule_violation_is_a_problem_naming_its_rule() -> None:
    problem = rule_problem(errors.BudgetAlreadySet("2025-26")).body("/v1/budgets/p/2025-26/budget")
    assert problem == {"type": "urn:ap:problem:conflict", "title": "Budget already set", "status": 409,
                       "detail": "the 2025-26 budget of this provision is already set",
                       "instance": "/v1/budgets/p/2025-26/budget", "rule": "budget.set_once"}
