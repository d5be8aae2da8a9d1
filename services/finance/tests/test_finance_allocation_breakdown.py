"""Issue 12: every part of an allocation, recomputed from the recorded event (unit level, no server)."""

from __future__ import annotations

from decimal import Decimal
from uuid import uuid4

from ap_contracts.events.finance import (
    AllocationMethod,
    CombinationProportions,
    NeedsCriteriaWeights,
    SchoolAllocationInputs,
    SurplusAllocated,
)
from ap_finance.domain.allocation import allocate
from ap_finance.domain.allocation_breakdown import breakdown

SCHOOLS = tuple(SchoolAllocationInputs(school_id=f"school-{n}", pupil_roll=100 * n, deprivation_index=Decimal(0),
                                       pupil_premium_count=0, free_school_meals_count=0, send_count=0)
                for n in (1, 2))
ROLL_ONLY = NeedsCriteriaWeights(pupil_roll=Decimal(1), deprivation_index=Decimal(0), pupil_premium=Decimal(0),
                                 free_school_meals=Decimal(0), send=Decimal(0))


def allocated(method: AllocationMethod, amount: int, proportions: CombinationProportions | None = None
              ) -> SurplusAllocated:
    shares = allocate(amount, method, SCHOOLS, "host", needs_weights=ROLL_ONLY, proportions=proportions)
    return SurplusAllocated(budget_id=uuid4(), provision_id="p", financial_year="2026-27", allocation_id=uuid4(),
                            amount_pence=amount, method=method, needs_weights=ROLL_ONLY, proportions=proportions,
                            schools=SCHOOLS, host_school_id="host", shares=shares)


def test_a_single_method_is_one_part_with_no_proportion() -> None:
    result = breakdown(allocated(AllocationMethod.NEEDS_BASED, 301))
    [part] = result.parts
    assert (part.method, part.proportion, part.amount_pence) == (AllocationMethod.NEEDS_BASED, None, 301)
    # 100 : 200 of 301p is 100.33 : 200.67; the leftover penny goes to the larger remainder (school-2).
    assert [(s.school_id, s.amount_pence) for s in part.shares] == [("school-1", 100), ("school-2", 201)]
    assert [(s.school_id, s.score) for s in result.needs_scores] == [("school-1", "1/3"), ("school-2", "2/3")]


def test_a_combination_shows_each_part_and_each_school_s_share_of_it() -> None:
    proportions = CombinationProportions(needs_based=Decimal(1), equity_based=Decimal(1), strategic_plan=Decimal(1))
    result = breakdown(allocated(AllocationMethod.COMBINATION, 1_000, proportions))
    parts = {part.method: part for part in result.parts}
    # 1,000p in thirds: 333.33 each; the leftover penny goes to the first method by name (equity_based).
    assert {m: p.amount_pence for m, p in parts.items()} == {
        AllocationMethod.EQUITY_BASED: 334, AllocationMethod.NEEDS_BASED: 333, AllocationMethod.STRATEGIC_PLAN: 333}
    assert {p.proportion for p in parts.values()} == {"1/3"}
    assert [(s.school_id, s.amount_pence) for s in parts[AllocationMethod.STRATEGIC_PLAN].shares] == [("host", 333)]
    totals = {s.school_id: s.amount_pence for s in result.shares}
    for school, total in totals.items():
        assert total == sum(s.amount_pence for p in parts.values() for s in p.shares if s.school_id == school)
    assert sum(totals.values()) == 1_000
