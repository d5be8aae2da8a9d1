"""Finance rule violations: each names its rule, carries a stable rule id and its kind of refusal.

``decide`` raises one of these instead of returning events; a rejected command produces no event.
The base class is in ``errors_base`` and the year-end refusals in ``errors_year_end`` (issue 10, size);
both are re-exported here, so ``from ap_finance.domain.errors import ...`` names every finance refusal.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

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
    says = "no budget has been set for this provision and financial year"


class BudgetAlreadySet(FinanceRuleViolation):
    rule_id = "budget.set_once"
    kind = RefusalKind.CONFLICTS_WITH_RECORD
    says = "the {financial_year} budget of this provision is already set"
    financial_year: str


class CommandForAnotherBudget(FinanceRuleViolation):
    rule_id = "budget.matches_stream"
    kind = RefusalKind.CONFLICTS_WITH_RECORD
    says = "command addressed to budget {given} was applied to budget {expected}"
    expected: str
    given: str


class BudgetLinesExceedFunding(FinanceRuleViolation):
    rule_id = "budget.lines_within_funding"
    kind = RefusalKind.BREAKS_RULE
    says = ("lines funded from {funding_source} would total {lines_pence:£}, "
            "more than the {funding_pence:£} that source provides")
    funding_source: str
    lines_pence: int
    funding_pence: int


class FinancialYearClosed(FinanceRuleViolation):
    rule_id = "financial_year.closed_to_entries"
    kind = RefusalKind.CONFLICTS_WITH_RECORD
    says = "financial year {financial_year} is closed: cannot {action}"
    financial_year: str
    action: str


class YearNotClosed(FinanceRuleViolation):
    rule_id = "financial_year.year_end_after_close"
    kind = RefusalKind.CONFLICTS_WITH_RECORD
    says = "financial year {financial_year} must be closed before you can {action}"
    financial_year: str
    action: str


class DateOutsideFinancialYear(FinanceRuleViolation):
    rule_id = "financial_year.date_in_year"
    kind = RefusalKind.BREAKS_RULE
    says = "{day} is outside financial year {financial_year} (1 April to 31 March)"
    day: str
    financial_year: str


class IdentifierAlreadyUsed(FinanceRuleViolation):
    """The sentence says what the identifier already names, when the decider knows it."""

    rule_id = "budget.item_id_unique"
    kind = RefusalKind.CONFLICTS_WITH_RECORD
    identifier: UUID
    what: str | None = None
    on: date | None = None

    def explain(self) -> str:
        if self.what is None:
            return f"{self.identifier} already names an item of this budget"
        when = f" dated {self.on.isoformat()}" if self.on is not None else ""
        return f"{self.identifier} was already recorded in this budget as {self.what}{when}; nothing was recorded again"


class UnknownCommitment(FinanceRuleViolation):
    rule_id = "commitment.exists"
    kind = RefusalKind.NOT_FOUND
    says = "no commitment {commitment_id} in this budget"
    commitment_id: UUID


class SpendDoesNotMatchCommitment(FinanceRuleViolation):
    rule_id = "spend.matches_commitment"
    kind = RefusalKind.BREAKS_RULE
    says = "spend against commitment {commitment_id} must use its category and funding source"
    commitment_id: UUID


class SpendExceedsCommitment(FinanceRuleViolation):
    rule_id = "spend.within_commitment"
    kind = RefusalKind.BREAKS_RULE
    says = ("spend of {amount_pence:£} is more than the {outstanding_pence:£} still outstanding on the "
            "commitment; record the excess as a separate spend")
    amount_pence: int
    outstanding_pence: int


class ReleaseExceedsCommitment(FinanceRuleViolation):
    """No amount (``None``) means the whole outstanding amount was asked for, and nothing is outstanding."""

    rule_id = "commitment.release_within_outstanding"
    kind = RefusalKind.BREAKS_RULE
    says = "cannot release {amount_pence:£}: only {outstanding_pence:£} is outstanding on the commitment"
    amount_pence: int | None
    outstanding_pence: int

    def explain(self) -> str:
        return "nothing is outstanding on the commitment" if self.amount_pence is None else super().explain()


class ItemNotAwaitingSignatures(FinanceRuleViolation):
    rule_id = "signature.item_awaiting_signatures"
    kind = RefusalKind.NOT_FOUND
    says = "item {item_id} is not awaiting signatures"
    item_id: UUID


class SignerNotFromBudgetOrganisation(FinanceRuleViolation):
    rule_id = "signature.from_budget_organisation"
    kind = RefusalKind.RESERVED_TO_ANOTHER_PARTY
    says = "a {signing_organisation} signature must come from organisation {expected_id}, not {given_id}"
    signing_organisation: str
    expected_id: str
    given_id: str


class SameSignerTwice(FinanceRuleViolation):
    rule_id = "signature.different_people"
    kind = RefusalKind.CONFLICTS_WITH_RECORD
    says = "{signer_user_id} has already signed this item; the second signature must be another person's"
    signer_user_id: str


class OrganisationAlreadySigned(FinanceRuleViolation):
    rule_id = "signature.both_organisations"
    kind = RefusalKind.CONFLICTS_WITH_RECORD
    says = ("the {signing_organisation} has already signed; the other signature must come from "
            "the other organisation (Partnership and host school)")
    signing_organisation: str


class VirementWithinOneLine(FinanceRuleViolation):
    rule_id = "virement.between_lines"
    kind = RefusalKind.BREAKS_RULE
    says = "a virement must move budget between two categories, not within {category}"
    category: str


class VirementExceedsLineBudget(FinanceRuleViolation):
    rule_id = "virement.within_line_budget"
    kind = RefusalKind.BREAKS_RULE
    says = "cannot move {amount_pence:£} out of {category}: its budget is {budget_pence:£}"
    category: str
    amount_pence: int
    budget_pence: int


class LineBelowSpendAndCommitments(FinanceRuleViolation):
    rule_id = "budget.line_covers_spend"
    kind = RefusalKind.BREAKS_RULE
    says = ("cannot reduce {category} to {amount_pence:£}: {used_pence:£} is already spent or committed; "
            "move budget with an approved virement instead")
    category: str
    amount_pence: int
    used_pence: int


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
