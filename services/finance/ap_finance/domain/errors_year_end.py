"""Finance refusals of the year end: the surplus, its allocation, clawback and carry-forward.

Moved from ``errors.py`` (issue 10, size), which re-exports them: ``decide`` raises one of these
instead of returning events; a rejected command produces no event.
"""

from __future__ import annotations

from typing import ClassVar

from ap_contracts.money import format_pounds
from ap_finance.domain.errors_base import FinanceRuleViolation
from ap_runtime.refusal import RefusalKind


class NoSurplusAvailable(FinanceRuleViolation):
    rule_id = "surplus.available"
    kind = RefusalKind.CONFLICTS_WITH_RECORD

    def __init__(self, available_pence: int) -> None:
        super().__init__(f"there is no surplus left to use (balance {format_pounds(available_pence)})")


class ExceedsAvailableSurplus(FinanceRuleViolation):
    """Shared by the three ways a surplus leaves the year; each subclass names its own rule."""

    action: ClassVar[str]

    def __init__(self, amount_pence: int, available_pence: int) -> None:
        super().__init__(
            f"cannot {self.action} {format_pounds(amount_pence)}: only {format_pounds(available_pence)} "
            "of the surplus is still available"
        )


class ClawbackExceedsAvailableBalance(ExceedsAvailableSurplus):
    rule_id = "surplus.clawback_within_balance"
    kind = RefusalKind.BREAKS_RULE
    action = "claw back"


class CarryForwardExceedsAvailableBalance(ExceedsAvailableSurplus):
    rule_id = "surplus.carry_forward_within_balance"
    kind = RefusalKind.BREAKS_RULE
    action = "carry forward"


class AllocationExceedsAvailableBalance(ExceedsAvailableSurplus):
    rule_id = "surplus.allocation_within_balance"
    kind = RefusalKind.BREAKS_RULE
    action = "allocate"


class AllocationSpecificationIncomplete(FinanceRuleViolation):
    rule_id = "allocation.specified"
    kind = RefusalKind.BREAKS_RULE

    def __init__(self, problem: str) -> None:
        super().__init__(f"the allocation cannot be computed: {problem}")


class AllocationSharesDoNotSumToSurplus(FinanceRuleViolation):
    rule_id = "allocation.shares_sum"
    kind = RefusalKind.BREAKS_RULE

    def __init__(self, shares_pence: int, amount_pence: int) -> None:
        super().__init__(
            f"the proposed shares add up to {format_pounds(shares_pence)}, "
            f"not the {format_pounds(amount_pence)} being allocated"
        )


class AllocationSharesDoNotMatchMethod(FinanceRuleViolation):
    rule_id = "allocation.recomputable"
    kind = RefusalKind.BREAKS_RULE

    def __init__(self, school_id: str, proposed_pence: int, computed_pence: int) -> None:
        super().__init__(
            f"the proposed share of {school_id} is {format_pounds(proposed_pence)} but the stated method "
            f"and inputs give {format_pounds(computed_pence)}"
        )


class CarryForwardDoesNotMatchPreviousYear(FinanceRuleViolation):
    rule_id = "carry_forward.matches_previous_year"
    kind = RefusalKind.BREAKS_RULE

    def __init__(self, previous_year: str, recorded_pence: int, given_pence: int) -> None:
        super().__init__(
            f"the budget brings forward {format_pounds(given_pence)} but {previous_year} recorded "
            f"{format_pounds(recorded_pence)} carried forward; record the carry-forward there first"
        )


class NextYearAlreadyBudgeted(FinanceRuleViolation):
    rule_id = "carry_forward.before_next_budget"
    kind = RefusalKind.CONFLICTS_WITH_RECORD

    def __init__(self, next_year: str) -> None:
        super().__init__(
            f"the {next_year} budget is already set with its carry-forward; a further carry-forward "
            "would no longer match what that budget brought forward"
        )
