"""Refusals of approval, budget control and the signature threshold (issue 12); re-exported by ``errors``."""

from __future__ import annotations

from typing import ClassVar
from uuid import UUID

from ap_contracts.money import format_pounds
from ap_finance.domain.errors_base import FinanceRuleViolation
from ap_finance.domain.rule_book import BUDGET_CONTROL_VERSION
from ap_runtime.refusal import RefusalKind


class NotAwaitingApproval(FinanceRuleViolation):
    """Shared by the requests that wait for another person's approval; each subclass names its own rule."""

    kind = RefusalKind.NOT_FOUND
    item: ClassVar[str]

    def __init__(self, request_id: UUID) -> None:
        super().__init__(f"no {self.item} {request_id} is awaiting approval in this budget")


class ApprovedByRequester(FinanceRuleViolation):
    """Shared by the rules ``<item>.approver_not_requester``: approval is another person's act, never the
    requester's."""

    kind = RefusalKind.RESERVED_TO_ANOTHER_PARTY
    item: ClassVar[str]

    def __init__(self, user_id: str) -> None:
        super().__init__(f"{user_id} requested this {self.item} and so cannot approve it; another person must")


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

    def __init__(self, category: str, funding_source: str, amount_pence: int, available_pence: int) -> None:
        super().__init__(
            f"spend of {format_pounds(amount_pence)} on {category} ({funding_source}) is more than the "
            f"{format_pounds(available_pence)} left on the line ({BUDGET_CONTROL_VERSION}); move budget to it "
            "with a virement, or ask the budget holder to approve an overspend first"
        )


class ThresholdSetAlone(FinanceRuleViolation):
    """Rule signature.threshold_agreed_by_both: the £30,000 threshold changes only by both organisations'
    agreement, recorded; whoever sets the budget cannot set another one."""

    rule_id = "signature.threshold_agreed_by_both"
    kind = RefusalKind.RESERVED_TO_ANOTHER_PARTY

    def __init__(self, threshold_pence: int, seed_threshold_pence: int) -> None:
        super().__init__(
            f"a budget starts with the {format_pounds(seed_threshold_pence)} signature threshold; "
            f"{format_pounds(threshold_pence)} needs the agreement of both the Partnership and the host school "
            "(POST .../signature-threshold by each)"
        )


class CommitmentAwaitingSignatures(FinanceRuleViolation):
    """Rule commitment.signed_before_spend: a commitment over the threshold is not raised until both have signed."""

    rule_id = "commitment.signed_before_spend"
    kind = RefusalKind.CONFLICTS_WITH_RECORD

    def __init__(self, commitment_id: UUID, awaited: tuple[str, ...]) -> None:
        super().__init__(
            f"commitment {commitment_id} is still awaiting the signature of the {' and the '.join(awaited)}; "
            "spend can be recorded against it once it is signed"
        )
