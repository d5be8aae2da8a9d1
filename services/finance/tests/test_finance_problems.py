"""The finance API answers a rule violation in the one problem format (issue 10), with the status
each rule answered with before the domain lost its HTTP statuses: the kind decides it at the edge."""

from __future__ import annotations

from ap_finance.application.commands import CommandIdReused
from ap_finance.domain import errors
from ap_finance.entrypoints.problems import rule_problem
from ap_runtime.http.problems import STATUS_OF_KIND

# Each rule's status as the domain declared it before issue 10 (``http_status``), kept at the edge.
STATUS_BEFORE = {
    "FIN-BUDGET-NOT-SET": 404, "FIN-BUDGET-SET-ONCE": 409, "FIN-BUDGET-MATCHES-STREAM": 409,
    "FIN-LINES-WITHIN-FUNDING": 422, "FIN-YEAR-CLOSED": 409, "FIN-YEAR-END-AFTER-CLOSE": 409,
    "FIN-DATE-IN-YEAR": 422, "FIN-ID-UNIQUE": 409, "FIN-COMMITMENT-KNOWN": 404, "FIN-SPEND-MATCHES-COMMITMENT": 422,
    "FIN-SPEND-WITHIN-COMMITMENT": 422, "FIN-RELEASE-WITHIN-COMMITMENT": 422, "FIN-ITEM-AWAITING-SIGNATURES": 404,
    "FIN-SIGNER-FROM-BUDGET-ORGANISATION": 403, "FIN-SIGNERS-DIFFERENT-PEOPLE": 409,
    "FIN-SIGNERS-BOTH-ORGANISATIONS": 409, "FIN-VIREMENT-BETWEEN-LINES": 422, "FIN-VIREMENT-WITHIN-LINE-BUDGET": 422,
    "FIN-VIREMENT-NEGATIVE-NEEDS-APPROVAL": 422, "FIN-LINE-COVERS-SPEND": 422, "FIN-SURPLUS-AVAILABLE": 409,
    "FIN-CLAWBACK-WITHIN-BALANCE": 422, "FIN-CARRY-FORWARD-WITHIN-BALANCE": 422, "FIN-ALLOCATION-WITHIN-BALANCE": 422,
    "FIN-ALLOCATION-SPECIFIED": 422, "FIN-ALLOCATION-SHARES-SUM": 422, "FIN-ALLOCATION-RECOMPUTABLE": 422,
    "FIN-CARRY-FORWARD-MATCHES-PREVIOUS-YEAR": 422, "FIN-CARRY-FORWARD-BEFORE-NEXT-BUDGET": 409,
    "FIN-COMMAND-ID-ONCE": 409,
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
                       "instance": "/v1/budgets/p/2025-26/budget", "rule": "FIN-BUDGET-SET-ONCE"}
