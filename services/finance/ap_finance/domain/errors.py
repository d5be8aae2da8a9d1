"""Finance rule violations: each names its rule, carries a stable rule id and its kind of refusal.

``decide`` raises one of these instead of returning events; a rejected command produces no event.
The base class is in ``errors_base`` and the year-end refusals in ``errors_year_end`` (issue 10, size);
both are re-exported here, so ``from ap_finance.domain.errors import ...`` names every finance refusal.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from ap_contracts.money import format_pounds
from ap_finance.domain.errors_base import FinanceRuleViolation
from ap_finance.domain.errors_control import (
    CommitmentAwaitingSignatures,
    OverspendApprovedByRequester,
    OverspendNotAwaitingApproval,
    SpendExceedsLineRemaining,
    ThresholdSetAlone,
    VirementApprovedByRequester,
    VirementNotAwaitingApproval,
)
from ap_finance.domain.errors_year_end import (
    AllocationExceedsAvailableBalance,
    AllocationSharesDoNotMatchMethod,
    AllocationSharesDoNotSumToSurplus,
    AllocationSpecificationIncomplete,
    CarryForwardDoesNotMatchPreviousYear,
    CarryForwardExceedsAvailableBalance,
    ClawbackExceedsAvailableBalance,
    ExceedsAvailableSurplus,
    NextYearAlreadyBudgeted,
    NoSurplusAvailable,
)
from ap_runtime.refusal import RefusalKind


class BudgetNotSet(FinanceRuleViolation):
    rule_id = "budget.exists"
    kind = RefusalKind.NOT_FOUND

    def __init__(self) -> None:
        super().__init__("no budget has been set for this provision and financial year")


class BudgetAlreadySet(FinanceRuleViolation):
    rule_id = "budget.set_once"
    kind = RefusalKind.CONFLICTS_WITH_RECORD

    def __init__(self, financial_year: str) -> None:
        super().__init__(f"the {financial_year} budget of this provision is already set")


class CommandForAnotherBudget(FinanceRuleViolation):
    rule_id = "budget.matches_stream"
    kind = RefusalKind.CONFLICTS_WITH_RECORD

    def __init__(self, expected: str, given: str) -> None:
        super().__init__(f"command addressed to budget {given} was applied to budget {expected}")


class BudgetLinesExceedFunding(FinanceRuleViolation):
    rule_id = "budget.lines_within_funding"
    kind = RefusalKind.BREAKS_RULE

    def __init__(self, funding_source: str, lines_pence: int, funding_pence: int) -> None:
        super().__init__(
            f"lines funded from {funding_source} would total {format_pounds(lines_pence)}, "
            f"more than the {format_pounds(funding_pence)} that source provides"
        )


class FinancialYearClosed(FinanceRuleViolation):
    rule_id = "financial_year.closed_to_entries"
    kind = RefusalKind.CONFLICTS_WITH_RECORD

    def __init__(self, financial_year: str, action: str) -> None:
        super().__init__(f"financial year {financial_year} is closed: cannot {action}")


class YearNotClosed(FinanceRuleViolation):
    rule_id = "financial_year.year_end_after_close"
    kind = RefusalKind.CONFLICTS_WITH_RECORD

    def __init__(self, financial_year: str, action: str) -> None:
        super().__init__(f"financial year {financial_year} must be closed before you can {action}")


class DateOutsideFinancialYear(FinanceRuleViolation):
    rule_id = "financial_year.date_in_year"
    kind = RefusalKind.BREAKS_RULE

    def __init__(self, day: str, financial_year: str) -> None:
        super().__init__(f"{day} is outside financial year {financial_year} (1 April to 31 March)")


class IdentifierAlreadyUsed(FinanceRuleViolation):
    rule_id = "budget.item_id_unique"
    kind = RefusalKind.CONFLICTS_WITH_RECORD

    def __init__(self, identifier: UUID, what: str | None = None, on: date | None = None) -> None:
        if what is None:
            super().__init__(f"{identifier} already names an item of this budget")
            return
        when = f" dated {on.isoformat()}" if on is not None else ""
        super().__init__(f"{identifier} was already recorded in this budget as {what}{when}; "
                         "nothing was recorded again")


class UnknownCommitment(FinanceRuleViolation):
    rule_id = "commitment.exists"
    kind = RefusalKind.NOT_FOUND

    def __init__(self, commitment_id: UUID) -> None:
        super().__init__(f"no commitment {commitment_id} in this budget")


class SpendDoesNotMatchCommitment(FinanceRuleViolation):
    rule_id = "spend.matches_commitment"
    kind = RefusalKind.BREAKS_RULE

    def __init__(self, commitment_id: UUID) -> None:
        super().__init__(f"spend against commitment {commitment_id} must use its category and funding source")


class SpendExceedsCommitment(FinanceRuleViolation):
    rule_id = "spend.within_commitment"
    kind = RefusalKind.BREAKS_RULE

    def __init__(self, amount_pence: int, outstanding_pence: int) -> None:
        super().__init__(
            f"spend of {format_pounds(amount_pence)} is more than the {format_pounds(outstanding_pence)} "
            "still outstanding on the commitment; record the excess as a separate spend"
        )


class ReleaseExceedsCommitment(FinanceRuleViolation):
    rule_id = "commitment.release_within_outstanding"
    kind = RefusalKind.BREAKS_RULE

    def __init__(self, amount_pence: int | None, outstanding_pence: int) -> None:
        if amount_pence is None:
            super().__init__("nothing is outstanding on the commitment")
            return
        super().__init__(
            f"cannot release {format_pounds(amount_pence)}: only {format_pounds(outstanding_pence)} "
            "is outstanding on the commitment"
        )


class ItemNotAwaitingSignatures(FinanceRuleViolation):
    rule_id = "signature.item_awaiting_signatures"
    kind = RefusalKind.NOT_FOUND

    def __init__(self, item_id: UUID) -> None:
        super().__init__(f"item {item_id} is not awaiting signatures")


class SignerNotFromBudgetOrganisation(FinanceRuleViolation):
    rule_id = "signature.from_budget_organisation"
    kind = RefusalKind.RESERVED_TO_ANOTHER_PARTY

    def __init__(self, signing_organisation: str, expected_id: str, given_id: str) -> None:
        super().__init__(
            f"a {signing_organisation} signature must come from organisation {expected_id}, not {given_id}"
        )


class SameSignerTwice(FinanceRuleViolation):
    rule_id = "signature.different_people"
    kind = RefusalKind.CONFLICTS_WITH_RECORD

    def __init__(self, signer_user_id: str) -> None:
        super().__init__(
            f"{signer_user_id} has already signed this item; the second signature must be another person's"
        )


class OrganisationAlreadySigned(FinanceRuleViolation):
    rule_id = "signature.both_organisations"
    kind = RefusalKind.CONFLICTS_WITH_RECORD

    def __init__(self, signing_organisation: str) -> None:
        super().__init__(
            f"the {signing_organisation} has already signed; the other signature must come from "
            "the other organisation (Partnership and host school)"
        )


class VirementWithinOneLine(FinanceRuleViolation):
    rule_id = "virement.between_lines"
    kind = RefusalKind.BREAKS_RULE

    def __init__(self, category: str) -> None:
        super().__init__(f"a virement must move budget between two categories, not within {category}")


class VirementExceedsLineBudget(FinanceRuleViolation):
    rule_id = "virement.within_line_budget"
    kind = RefusalKind.BREAKS_RULE

    def __init__(self, category: str, amount_pence: int, budget_pence: int) -> None:
        super().__init__(
            f"cannot move {format_pounds(amount_pence)} out of {category}: its budget is {format_pounds(budget_pence)}"
        )


class LineBelowSpendAndCommitments(FinanceRuleViolation):
    rule_id = "budget.line_covers_spend"
    kind = RefusalKind.BREAKS_RULE

    def __init__(self, category: str, amount_pence: int, used_pence: int) -> None:
        super().__init__(
            f"cannot reduce {category} to {format_pounds(amount_pence)}: {format_pounds(used_pence)} is already "
            "spent or committed; move budget with an approved virement instead"
        )


def rule_catalogue() -> dict[str, type[FinanceRuleViolation]]:
    """Every concrete finance rule by rule id (for API error documentation)."""
    found: dict[str, type[FinanceRuleViolation]] = {}
    pending: list[type[FinanceRuleViolation]] = [FinanceRuleViolation]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if "rule_id" in cls.__dict__:
            found[cls.rule_id] = cls
    return found


__all__ = [
    "AllocationExceedsAvailableBalance",
    "AllocationSharesDoNotMatchMethod",
    "AllocationSharesDoNotSumToSurplus",
    "AllocationSpecificationIncomplete",
    "BudgetAlreadySet",
    "BudgetLinesExceedFunding",
    "BudgetNotSet",
    "CarryForwardDoesNotMatchPreviousYear",
    "CarryForwardExceedsAvailableBalance",
    "ClawbackExceedsAvailableBalance",
    "CommandForAnotherBudget",
    "CommitmentAwaitingSignatures",
    "DateOutsideFinancialYear",
    "ExceedsAvailableSurplus",
    "FinanceRuleViolation",
    "FinancialYearClosed",
    "IdentifierAlreadyUsed",
    "ItemNotAwaitingSignatures",
    "LineBelowSpendAndCommitments",
    "NextYearAlreadyBudgeted",
    "NoSurplusAvailable",
    "OrganisationAlreadySigned",
    "OverspendApprovedByRequester",
    "OverspendNotAwaitingApproval",
    "ReleaseExceedsCommitment",
    "SameSignerTwice",
    "SignerNotFromBudgetOrganisation",
    "SpendDoesNotMatchCommitment",
    "SpendExceedsCommitment",
    "SpendExceedsLineRemaining",
    "ThresholdSetAlone",
    "UnknownCommitment",
    "VirementApprovedByRequester",
    "VirementExceedsLineBudget",
    "VirementNotAwaitingApproval",
    "VirementWithinOneLine",
    "YearNotClosed",
    "rule_catalogue",
]
