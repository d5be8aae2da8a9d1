"""Refusals of approval, budget control and the signature threshold (issue 12); re-exported by ``errors``."""

from __future__ import annotations

from typing import ClassVar
from uuid import UUID

from ap_finance.domain.errors_base import FinanceRuleViolation
from ap_finance.domain.rule_book import BUDGET_CONTROL_VERSION
from ap_runtime.refusal import RefusalKind


class NotAwaitingApproval(FinanceRuleViolation):
    """Shared by the requests that wait for another person's approval; each subclass names its own rule."""

    kind = RefusalKind.NOT_FOUND
    item: ClassVar[str]
    says = "no {item} {request_id} is awaiting approval in this budget"
    request_id: UUID


class ApprovedByRequester(FinanceRuleViolation):
    """Shared by the rules ``<item>.approver_not_requester``: approval is another person's act, never the
    requester's."""

    kind = RefusalKind.RESERVED_TO_ANOTHER_PARTY
    item: ClassVar[str]
    says = "{user_id} requested this {item} and so cannot approve it; another person must"
    user_id: str


class VirementNotAwaitingApproval(NotAwaitingApproval):
    rule_id = "virement.awaiting_approval"
    item = "virement"


class VirementApprovedByRequester(ApprovedByRequester):
    rule_id = "virement.approver_not_requester"
    item = "virement"


class OverspendNotAwaitingApproval(NotAwaitingApproval):
    rule_id = "overspend.awaiting_approval"
    item = "overspend"


class OverspendApprovedByRequester(ApprovedByRequester):
    rule_id = "overspend.approver_not_requester"
    item = "overspend"


class SpendExceedsLineRemaining(FinanceRuleViolation):
    """Rule budget_control.spend_within_line (rule book ``BUDGET_CONTROL_VERSION``)."""

    rule_id = "budget_control.spend_within_line"
    kind = RefusalKind.BREAKS_RULE
    says = ("spend of {amount_pence:£} on {category} ({funding_source}) is more than the {available_pence:£} "
            f"left on the line ({BUDGET_CONTROL_VERSION}); move budget to it with a virement, or ask the "
            "budget holder to approve an overspend first")
    category: str
    funding_source: str
    amount_pence: int
    available_pence: int


class ThresholdSetAlone(FinanceRuleViolation):
    """Rule signature.threshold_agreed_by_both: the £30,000 threshold changes only by both organisations'
    agreement, recorded; whoever sets the budget cannot set another one."""

    rule_id = "signature.threshold_agreed_by_both"
    kind = RefusalKind.RESERVED_TO_ANOTHER_PARTY
    says = ("a budget starts with the {seed_threshold_pence:£} signature threshold; {threshold_pence:£} needs "
            "the agreement of both the Partnership and the host school (POST .../signature-threshold by each)")
    threshold_pence: int
    seed_threshold_pence: int


class CommitmentAwaitingSignatures(FinanceRuleViolation):
    """Rule commitment.signed_before_spend: a commitment over the threshold is not raised until both have signed."""

    rule_id = "commitment.signed_before_spend"
    kind = RefusalKind.CONFLICTS_WITH_RECORD
    says = ("commitment {commitment_id} is still awaiting the signature of the {awaited}; "
            "spend can be recorded against it once it is signed")
    commitment_id: UUID
    awaited: tuple[str, ...]

    def explain(self) -> str:
        return self.says.format(commitment_id=self.commitment_id, awaited=" and the ".join(self.awaited))
