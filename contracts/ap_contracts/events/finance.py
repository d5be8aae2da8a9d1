"""v1 finance events: the ring-fenced behaviour budget of one provision for one financial year.

One stream per budget (provision and financial year, April to March). Money is integer pence and
every amount field ends in ``_pence``. These events carry no pupil data: they name organisations,
staff user ids and suppliers only, so ``pii_subject_field`` stays None and nothing is encrypted.
Free-text fields (reasons, references) must never name a pupil.

This module holds the budget's events through the year; the year-end events are in
``finance_year_end.py`` and the shared vocabulary (enumerations, ``FinanceEvent``) in
``finance_vocabulary.py``. Both are re-exported here, so every finance contract imports from here.
"""

from __future__ import annotations

from datetime import date
from typing import ClassVar
from uuid import UUID

from ap_contracts.events.finance_approvals import (
    LineOverrunWarned,
    OverspendApproved,
    OverspendRequested,
    SignatureThresholdAgreed,
    SignatureThresholdChanged,
    VirementApproved,
    VirementRequested,
)
from ap_contracts.events.finance_fields import (
    BudgetLineFields,
    ClawbackFields,
    CommitmentFields,
    ItemSignatureFields,
    OverspendFields,
    OverspendRequestFields,
    RecordedVirementFields,
    SpendFields,
    ThresholdAgreementFields,
    VirementFields,
    VirementRequestFields,
    values_of,
)
from ap_contracts.events.finance_vocabulary import (
    AllocationMethod,
    BudgetCategory,
    CommitmentReleaseReason,
    EvidenceReference,
    FinanceEvent,
    FinancialYear,
    FundingSource,
    ItemKind,
    NormalisationRule,
    PositivePence,
    Ratio,
    Reason,
    RoundingRule,
    SigningOrganisation,
    SupplierName,
    UserId,
)
from ap_contracts.events.finance_year_end import (
    CarryForwardRecorded,
    ClawbackMade,
    CombinationProportions,
    NeedsCriteriaWeights,
    SchoolAllocationInputs,
    SchoolShare,
    SurplusAllocated,
    SurplusDetermined,
)
from ap_contracts.identifiers import OrganisationId as OrganisationId  # re-exported: finance imports it from here
from ap_contracts.money import Pence

# The vocabulary, the field sets commands share with events and the year-end events are re-exported:
# ``ap_contracts.events.finance`` stays the one import path of every finance contract.
__all__ = [
    "AllocationMethod",
    "BudgetCategory",
    "BudgetLineFields",
    "BudgetLineSet",
    "BudgetSet",
    "CarryForwardRecorded",
    "ClawbackFields",
    "ClawbackMade",
    "CombinationProportions",
    "CommitmentFields",
    "CommitmentRaised",
    "CommitmentReleaseReason",
    "CommitmentReleased",
    "EvidenceReference",
    "FinanceEvent",
    "FinancialYear",
    "FundingSource",
    "ItemKind",
    "ItemSignatureAdded",
    "ItemSignatureFields",
    "ItemSignaturesRequested",
    "LineOverrunWarned",
    "NeedsCriteriaWeights",
    "NormalisationRule",
    "OrganisationId",
    "OverspendApproved",
    "OverspendFields",
    "OverspendRequestFields",
    "OverspendRequested",
    "PositivePence",
    "Ratio",
    "Reason",
    "RecordedVirementFields",
    "RoundingRule",
    "SchoolAllocationInputs",
    "SchoolShare",
    "SignatureThresholdAgreed",
    "SignatureThresholdChanged",
    "SigningOrganisation",
    "SpendFields",
    "SpendRecorded",
    "SupplierName",
    "SurplusAllocated",
    "SurplusDetermined",
    "ThresholdAgreementFields",
    "UserId",
    "VirementApproved",
    "VirementFields",
    "VirementMade",
    "VirementRequestFields",
    "VirementRequested",
    "YearClosed",
    "values_of",
]


class BudgetSet(FinanceEvent):
    """The year's ring-fenced behaviour budget, by funding source, and the signature threshold in force."""

    event_type: ClassVar[str] = "BudgetSet"

    host_school_id: OrganisationId
    partnership_id: OrganisationId
    dsg_allocation_pence: Pence
    top_up_pence: Pence
    carry_forward_pence: Pence
    signature_threshold_pence: Pence


class BudgetLineSet(BudgetLineFields, FinanceEvent):
    """The budget of one category funded from one source is now ``amount_pence``."""

    event_type: ClassVar[str] = "BudgetLineSet"


class SpendRecorded(SpendFields, FinanceEvent):
    """Money spent; against a commitment when ``commitment_id`` is set (which it then settles)."""

    event_type: ClassVar[str] = "SpendRecorded"

    signer_user_ids: tuple[UserId, ...] = ()


class CommitmentRaised(CommitmentFields, FinanceEvent):
    """Money promised (an order placed) but not yet spent."""

    event_type: ClassVar[str] = "CommitmentRaised"

    signer_user_ids: tuple[UserId, ...] = ()


class CommitmentReleased(FinanceEvent):
    """Part or all of a commitment's outstanding amount returned to the line without being spent."""

    event_type: ClassVar[str] = "CommitmentReleased"

    commitment_id: UUID
    category: BudgetCategory
    funding_source: FundingSource
    amount_pence: PositivePence
    released_on: date
    reason: CommitmentReleaseReason


class ItemSignaturesRequested(FinanceEvent):
    """An item over the threshold, held until the Partnership and the host school have both signed."""

    event_type: ClassVar[str] = "ItemSignaturesRequested"

    item_id: UUID
    item_kind: ItemKind
    supplier: SupplierName
    category: BudgetCategory
    funding_source: FundingSource
    amount_pence: PositivePence
    item_date: date
    evidence_reference: EvidenceReference
    signature_threshold_pence: Pence
    # Issue 12: set when the item is one part of a split purchase (same supplier and reference, or same
    # supplier within the rule book's window): the earlier parts and the total the signatures cover.
    split_purchase_item_ids: tuple[UUID, ...] = ()
    split_purchase_total_pence: Pence | None = None


class ItemSignatureAdded(ItemSignatureFields, FinanceEvent):
    """One person signed an item awaiting signatures, for the Partnership or for the host school."""

    event_type: ClassVar[str] = "ItemSignatureAdded"


class VirementMade(RecordedVirementFields, FinanceEvent):
    """Budget moved between two category lines of the same funding source."""

    event_type: ClassVar[str] = "VirementMade"

    approved_by: UserId | None = None


class YearClosed(FinanceEvent):
    """No more spend, commitments or budget changes in this financial year."""

    event_type: ClassVar[str] = "YearClosed"

    closed_on: date
