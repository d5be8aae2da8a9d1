"""Finance refusals of the year end: the surplus, its allocation, clawback and carry-forward.

Moved from ``errors.py`` (issue 10, size), which re-exports them: ``decide`` raises one of these
instead of returning events; a rejected command produces no event.
"""

from __future__ import annotations

from typing import ClassVar

from ap_finance.domain.errors_base import FinanceRuleViolation
from ap_runtime.refusal import RefusalKind


class NoSurplusAvailable(FinanceRuleViolation):
    rule_id = "surplus.available"
    kind = RefusalKind.CONFLICTS_WITH_RECORD
    says = "there is no surplus left to use (balance {available_pence:£})"
    available_pence: int


class ExceedsAvailableSurplus(FinanceRuleViolation):
    """Shared by the three ways a surplus leaves the year; each subclass names its own rule."""

    kind = RefusalKind.BREAKS_RULE
    action: ClassVar[str]
    says = "cannot {action} {amount_pence:£}: only {available_pence:£} of the surplus is still available"
    amount_pence: int
    available_pence: int


class ClawbackExceedsAvailableBalance(ExceedsAvailableSurplus):
    rule_id = "surplus.clawback_within_balance"
    action = "claw back"


class CarryForwardExceedsAvailableBalance(ExceedsAvailableSurplus):
    rule_id = "surplus.carry_forward_within_balance"
    action = "carry forward"


class AllocationExceedsAvailableBalance(ExceedsAvailableSurplus):
    rule_id = "surplus.allocation_within_balance"
    action = "allocate"


class AllocationSpecificationIncomplete(FinanceRuleViolation):
    rule_id = "allocation.specified"
    kind = RefusalKind.BREAKS_RULE
    says = "the allocation cannot be computed: {problem}"
    problem: str


class AllocationSharesDoNotSumToSurplus(FinanceRuleViolation):
    rule_id = "allocation.shares_sum"
    kind = RefusalKind.BREAKS_RULE
    says = "the proposed shares add up to {shares_pence:£}, not the {amount_pence:£} being allocated"
    shares_pence: int
    amount_pence: int


class AllocationSharesDoNotMatchMethod(FinanceRuleViolation):
    rule_id = "allocation.recomputable"
    kind = RefusalKind.BREAKS_RULE
    says = ("the proposed share of {school_id} is {proposed_pence:£} but the stated method "
            "and inputs give {computed_pence:£}")
    school_id: str
    proposed_pence: int
    computed_pence: int


class CarryForwardDoesNotMatchPreviousYear(FinanceRuleViolation):
    rule_id = "carry_forward.matches_previous_year"
    kind = RefusalKind.BREAKS_RULE
    says = ("the budget brings forward {given_pence:£} but {previous_year} recorded {recorded_pence:£} "
            "carried forward; record the carry-forward there first")
    previous_year: str
    recorded_pence: int
    given_pence: int


class NextYearAlreadyBudgeted(FinanceRuleViolation):
    rule_id = "carry_forward.before_next_budget"
    kind = RefusalKind.CONFLICTS_WITH_RECORD
    says = ("the {next_year} budget is already set with its carry-forward; a further carry-forward "
            "would no longer match what that budget brought forward")
    next_year: str
