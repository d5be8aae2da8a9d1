"""v1 finance events: the ring-fenced behaviour budget of one provision for one financial year.

One stream per budget (provision and financial year, April to March). Money is integer pence and
every amount field ends in ``_pence``. These events carry no pupil data: they name organisations,
staff user ids and suppliers only, so ``pii_subject_field`` stays None and nothing is encrypted.
Free-text fields (reasons, references) must never name a pupil.

Year-end events record every input of the surplus allocation (method, proportions, criteria
weights, per-school inputs, rounding and normalisation rules) so anyone can recompute the shares.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, ClassVar
from uuid import UUID

from pydantic import AfterValidator, Field, model_validator

from ap_contracts.envelope import StrictModel
from ap_contracts.events.base import DomainEvent
from ap_contracts.identifiers import OrganisationId as OrganisationId  # re-exported: finance imports it from here
from ap_contracts.money import Pence, SignedPence
from ap_contracts.topics import FINANCE_EVENTS


def _check_financial_year(value: str) -> str:
    start, end = value.split("-")
    if (int(start) + 1) % 100 != int(end):
        raise ValueError(f"financial year {value!r} must span two consecutive years, e.g. '2026-27'")
    return value


FinancialYear = Annotated[
    str,
    Field(pattern=r"^\d{4}-\d{2}$", description="English financial year, 1 April to 31 March, e.g. '2026-27'"),
    AfterValidator(_check_financial_year),
]
UserId = Annotated[str, Field(min_length=1, max_length=200)]
SupplierName = Annotated[str, Field(min_length=1, max_length=200)]
EvidenceReference = Annotated[str, Field(min_length=1, max_length=200, description="Invoice, order or receipt number")]
Reason = Annotated[str, Field(min_length=1, max_length=1000, description="Must not name a pupil")]
PositivePence = Annotated[Pence, Field(gt=0)]
Ratio = Annotated[
    Decimal,
    Field(ge=0, max_digits=24, decimal_places=8, allow_inf_nan=False, description="Exact decimal, never float"),
]


class FundingSource(StrEnum):
    DSG_ALLOCATION = "dsg_allocation"
    TOP_UP = "top_up"
    CARRY_FORWARD = "carry_forward"


class BudgetCategory(StrEnum):
    STAFFING = "staffing"
    RESOURCES = "resources"
    TRAINING_CPD = "training_cpd"
    PREMISES = "premises"
    TRANSPORT = "transport"
    EXTERNAL_SERVICES = "external_services"
    CONTINGENCY = "contingency"
    OTHER = "other"


class SigningOrganisation(StrEnum):
    """The two bodies whose signatures an item over the threshold needs (seed 001, section 5)."""

    PARTNERSHIP = "partnership"
    HOST_SCHOOL = "host_school"


class ItemKind(StrEnum):
    SPEND = "spend"
    COMMITMENT = "commitment"


class CommitmentReleaseReason(StrEnum):
    CANCELLED = "cancelled"
    NO_LONGER_REQUIRED = "no_longer_required"
    SETTLED_FOR_LESS = "settled_for_less"


class AllocationMethod(StrEnum):
    """Surplus distribution approaches of seed 001, section 3."""

    NEEDS_BASED = "needs_based"
    EQUITY_BASED = "equity_based"
    STRATEGIC_PLAN = "strategic_plan"
    COMBINATION = "combination"


class RoundingRule(StrEnum):
    """Largest remainder (Hamilton): floors first, spare pence to the largest remainders, ties by school id."""

    LARGEST_REMAINDER_THEN_SCHOOL_ID = "largest_remainder_then_school_id"


class NormalisationRule(StrEnum):
    """Each needs input is divided by its total across the listed schools before weighting."""

    SHARE_OF_TOTAL_ACROSS_SCHOOLS = "share_of_total_across_schools"


class FinanceEvent(DomainEvent):
    """Every finance event names the budget it belongs to."""

    topic: ClassVar[str] = FINANCE_EVENTS
    pii_subject_field: ClassVar[str | None] = None

    budget_id: UUID
    provision_id: OrganisationId
    financial_year: FinancialYear


class BudgetSet(FinanceEvent):
    """The year's ring-fenced behaviour budget, by funding source, and the signature threshold in force."""

    event_type: ClassVar[str] = "BudgetSet"

    host_school_id: OrganisationId
    partnership_id: OrganisationId
    dsg_allocation_pence: Pence
    top_up_pence: Pence
    carry_forward_pence: Pence
    signature_threshold_pence: Pence


class BudgetLineSet(FinanceEvent):
    """The budget of one category funded from one source is now ``amount_pence``."""

    event_type: ClassVar[str] = "BudgetLineSet"

    category: BudgetCategory
    funding_source: FundingSource
    amount_pence: Pence


class SpendRecorded(FinanceEvent):
    """Money spent; against a commitment when ``commitment_id`` is set (which it then settles)."""

    event_type: ClassVar[str] = "SpendRecorded"

    spend_id: UUID
    supplier: SupplierName
    category: BudgetCategory
    funding_source: FundingSource
    amount_pence: PositivePence
    spent_on: date
    evidence_reference: EvidenceReference
    commitment_id: UUID | None = None
    signer_user_ids: tuple[UserId, ...] = ()


class CommitmentRaised(FinanceEvent):
    """Money promised (an order placed) but not yet spent."""

    event_type: ClassVar[str] = "CommitmentRaised"

    commitment_id: UUID
    supplier: SupplierName
    category: BudgetCategory
    funding_source: FundingSource
    amount_pence: PositivePence
    raised_on: date
    evidence_reference: EvidenceReference
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


class ItemSignatureAdded(FinanceEvent):
    """One person signed an item awaiting signatures, for the Partnership or for the host school."""

    event_type: ClassVar[str] = "ItemSignatureAdded"

    item_id: UUID
    signer_user_id: UserId
    signer_organisation_id: OrganisationId
    signing_organisation: SigningOrganisation


class VirementMade(FinanceEvent):
    """Budget moved between two category lines of the same funding source."""

    event_type: ClassVar[str] = "VirementMade"

    virement_id: UUID
    from_category: BudgetCategory
    to_category: BudgetCategory
    funding_source: FundingSource
    amount_pence: PositivePence
    reason: Reason
    approved_by: UserId | None = None

    @model_validator(mode="after")
    def _between_two_lines(self) -> VirementMade:
        if self.from_category == self.to_category:
            raise ValueError("a virement moves budget between two different categories")
        return self


class YearClosed(FinanceEvent):
    """No more spend, commitments or budget changes in this financial year."""

    event_type: ClassVar[str] = "YearClosed"

    closed_on: date


class SurplusDetermined(FinanceEvent):
    """Year-end balance: budget minus actual spend minus open commitments (negative is a deficit)."""

    event_type: ClassVar[str] = "SurplusDetermined"

    budget_pence: Pence
    actual_pence: Pence
    committed_pence: Pence
    surplus_pence: SignedPence

    @model_validator(mode="after")
    def _surplus_is_the_balance(self) -> SurplusDetermined:
        if self.surplus_pence != self.budget_pence - self.actual_pence - self.committed_pence:
            raise ValueError("surplus_pence must equal budget_pence - actual_pence - committed_pence")
        return self


class NeedsCriteriaWeights(StrictModel):
    """Weight of each needs criterion (relative; an all-zero set is not a usable basis)."""

    pupil_roll: Ratio
    deprivation_index: Ratio
    pupil_premium: Ratio
    free_school_meals: Ratio
    send: Ratio


class CombinationProportions(StrictModel):
    """Relative proportions of the total given to each method: each is divided by their sum."""

    needs_based: Ratio
    equity_based: Ratio
    strategic_plan: Ratio


class SchoolAllocationInputs(StrictModel):
    """One Partnership school's inputs to the allocation (counts and indices, never pupil data)."""

    school_id: OrganisationId
    pupil_roll: Annotated[int, Field(ge=0)]
    deprivation_index: Ratio
    pupil_premium_count: Annotated[int, Field(ge=0)]
    free_school_meals_count: Annotated[int, Field(ge=0)]
    send_count: Annotated[int, Field(ge=0)]
    equity_weight: Ratio = Decimal(1)


class SchoolShare(StrictModel):
    school_id: OrganisationId
    amount_pence: Pence


class SurplusAllocated(FinanceEvent):
    """Part or all of the surplus shared between schools, with everything needed to recompute the shares."""

    event_type: ClassVar[str] = "SurplusAllocated"

    allocation_id: UUID
    amount_pence: PositivePence
    method: AllocationMethod
    needs_weights: NeedsCriteriaWeights | None = None
    proportions: CombinationProportions | None = None
    schools: tuple[SchoolAllocationInputs, ...]
    host_school_id: OrganisationId
    rounding_rule: RoundingRule = RoundingRule.LARGEST_REMAINDER_THEN_SCHOOL_ID
    normalisation: NormalisationRule = NormalisationRule.SHARE_OF_TOTAL_ACROSS_SCHOOLS
    shares: tuple[SchoolShare, ...]
    consultation_reference: EvidenceReference | None = None

    @model_validator(mode="after")
    def _shares_add_up(self) -> SurplusAllocated:
        if sum(share.amount_pence for share in self.shares) != self.amount_pence:
            raise ValueError("shares must add up to amount_pence exactly")
        for ids in ([s.school_id for s in self.schools], [s.school_id for s in self.shares]):
            if len(set(ids)) != len(ids):
                raise ValueError("a school appears twice")
        return self


class ClawbackMade(FinanceEvent):
    """The local authority took back part of the surplus."""

    event_type: ClassVar[str] = "ClawbackMade"

    clawback_id: UUID
    amount_pence: PositivePence
    local_authority_id: OrganisationId
    authorised_by: UserId
    reason: Reason


class CarryForwardRecorded(FinanceEvent):
    """Part of the surplus carried into the next financial year's budget."""

    event_type: ClassVar[str] = "CarryForwardRecorded"

    carry_forward_id: UUID
    amount_pence: PositivePence
    into_financial_year: FinancialYear

    @model_validator(mode="after")
    def _into_the_next_year(self) -> CarryForwardRecorded:
        start = int(self.financial_year[:4])
        if self.into_financial_year != f"{start + 1}-{(start + 2) % 100:02d}":
            raise ValueError("a carry-forward goes into the financial year that follows")
        return self
