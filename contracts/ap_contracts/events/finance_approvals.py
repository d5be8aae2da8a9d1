"""v1 finance approval events: approval as its own step, budget control and the signature threshold.

Issue 12. A virement that would leave a line below its spend and commitments, and a spend larger than
what is left on its line (an overspend), are first *requested* and then *approved* by an authenticated
person other than the requester; the approver is the caller's verified identity, never a name typed in
a request body. A commitment that takes its line past its budget is accepted with a recorded warning.
The signature threshold is the seed's £30,000 unless both the Partnership and the host school agree a
different one, each by its own recorded agreement. Re-exported from ``events/finance.py``.
"""

from __future__ import annotations

from typing import ClassVar
from uuid import UUID

from ap_contracts.events.finance_fields import (
    OverspendRequestFields,
    RecordedVirementFields,
    ThresholdAgreementFields,
    VirementRequestFields,
)
from ap_contracts.events.finance_vocabulary import (
    BudgetCategory,
    FinanceEvent,
    FundingSource,
    PositivePence,
    UserId,
)
from ap_contracts.identifiers import OrganisationId
from ap_contracts.money import Pence, SignedPence


class VirementRequested(VirementRequestFields, RecordedVirementFields, FinanceEvent):
    """A virement that needs approval, asked for by ``requested_by``; it moves no budget until approved."""

    event_type: ClassVar[str] = "VirementRequested"

    remaining_after_pence: SignedPence


class VirementApproved(FinanceEvent):
    """A requested virement approved by an authenticated person other than its requester."""

    event_type: ClassVar[str] = "VirementApproved"

    virement_id: UUID
    approved_by: UserId
    approver_organisation_id: OrganisationId


class OverspendRequested(OverspendRequestFields, FinanceEvent):
    """Permission asked to spend up to ``amount_pence`` beyond what is left on one line, with a reason."""

    event_type: ClassVar[str] = "OverspendRequested"

    budget_control_version: str


class OverspendApproved(FinanceEvent):
    """The budget holder allows spend of up to ``amount_pence`` beyond what is left on the line."""

    event_type: ClassVar[str] = "OverspendApproved"

    overspend_id: UUID
    category: BudgetCategory
    funding_source: FundingSource
    amount_pence: PositivePence
    approved_by: UserId
    approver_organisation_id: OrganisationId


class LineOverrunWarned(FinanceEvent):
    """Warning recorded with a commitment that takes its line past its budget (accepted, not refused)."""

    event_type: ClassVar[str] = "LineOverrunWarned"

    commitment_id: UUID
    category: BudgetCategory
    funding_source: FundingSource
    remaining_after_pence: SignedPence
    budget_control_version: str


class SignatureThresholdAgreed(ThresholdAgreementFields, FinanceEvent):
    """One of the two organisations agreed a signature threshold other than the seed's £30,000."""

    event_type: ClassVar[str] = "SignatureThresholdAgreed"


class SignatureThresholdChanged(FinanceEvent):
    """Both the Partnership and the host school agreed ``threshold_pence``: it is now in force."""

    event_type: ClassVar[str] = "SignatureThresholdChanged"

    threshold_pence: Pence
    previous_threshold_pence: Pence
