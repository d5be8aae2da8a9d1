"""v1 finance year-end events: the surplus, its allocation across schools, clawback and carry-forward.

Year-end events record every input of the surplus allocation (method, proportions, criteria
weights, per-school inputs, rounding and normalisation rules) so anyone can recompute the shares.
The vocabulary they share with the budget events is ``events/finance_vocabulary.py``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, ClassVar
from uuid import UUID

from pydantic import Field, model_validator

from ap_contracts.envelope import StrictModel
from ap_contracts.events.finance_fields import ClawbackFields
from ap_contracts.events.finance_vocabulary import (
    AllocationMethod,
    EvidenceReference,
    FinanceEvent,
    FinancialYear,
    NormalisationRule,
    PositivePence,
    Ratio,
    RoundingRule,
)
from ap_contracts.identifiers import OrganisationId
from ap_contracts.money import Pence, SignedPence


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


class ClawbackMade(ClawbackFields, FinanceEvent):
    """The local authority took back part of the surplus."""

    event_type: ClassVar[str] = "ClawbackMade"


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
