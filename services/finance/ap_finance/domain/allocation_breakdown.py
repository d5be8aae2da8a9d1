"""Every part of a surplus allocation, as a Schools Forum checks it (issue 12: only each school's total showed).

From a recorded ``SurplusAllocated`` (its stored method, proportions, criteria weights, school inputs and rules)
this recomputes, with the same arithmetic as ``allocation.allocate``: each method's part of the total (a
combination splits the total by its proportions first), each school's share of each part, each school's needs
score behind the needs part, and the totals. Amounts are integer pence; the rounding rule is Hamilton's largest
remainder, ties by method name then school id, so the parts add up to the total and each school's parts to its
share, to the penny (``allocation.py``).
"""

from __future__ import annotations

from fractions import Fraction

from ap_contracts.envelope import StrictModel
from ap_contracts.events.finance import (
    AllocationMethod,
    NeedsCriteriaWeights,
    SchoolShare,
    SurplusAllocated,
)
from ap_finance.domain.allocation import method_parts, needs_scores, recompute, share_by_method

ROUNDING_STATEMENT = (
    "Integer pence. Each part's exact quota is total x weight / sum of weights; each gets the floor of its "
    "quota and the pence left over go one each to the largest remainders, ties by method name (parts) or "
    "school id (shares). Parts add up to the total, and each school's parts to its share, exactly."
)


class AllocationPart(StrictModel):
    """One method's part of the allocation and how it was shared."""

    method: AllocationMethod
    proportion: str | None
    """The method's proportion of the combination as an exact fraction of the whole (None: a single method)."""
    amount_pence: int
    shares: list[SchoolShare]


class NeedsScore(StrictModel):
    school_id: str
    score: str
    """Exact: the sum over criteria of weight x the school's input / the input's total across schools."""


class AllocationBreakdown(StrictModel):
    allocation_id: str
    method: AllocationMethod
    amount_pence: int
    proportions: dict[str, str] | None
    needs_weights: NeedsCriteriaWeights | None
    needs_scores: list[NeedsScore]
    parts: list[AllocationPart]
    shares: list[SchoolShare]
    rounding_rule: str
    rounding: str
    normalisation: str
    consultation_reference: str | None


def _proportion(event: SurplusAllocated, method: AllocationMethod) -> str | None:
    if event.proportions is None or event.method is not AllocationMethod.COMBINATION:
        return None
    weights = {AllocationMethod.NEEDS_BASED: event.proportions.needs_based,
               AllocationMethod.EQUITY_BASED: event.proportions.equity_based,
               AllocationMethod.STRATEGIC_PLAN: event.proportions.strategic_plan}
    total = sum((Fraction(w) for w in weights.values()), Fraction(0))
    share = Fraction(weights[method]) / total if total else Fraction(1, len(weights))
    return str(share)


def breakdown(event: SurplusAllocated) -> AllocationBreakdown:
    """The allocation's parts, each school's share of each part, the needs scores and the totals."""
    parts = []
    for method, part_pence in method_parts(event.amount_pence, event.method, event.proportions):
        split = share_by_method(method, part_pence, event.schools, event.host_school_id, event.needs_weights)
        parts.append(AllocationPart(
            method=method, proportion=_proportion(event, method), amount_pence=part_pence,
            shares=[SchoolShare(school_id=school, amount_pence=split[school]) for school in sorted(split)]))
    scores = needs_scores(event.schools, event.needs_weights) if event.needs_weights is not None else {}
    return AllocationBreakdown(
        allocation_id=str(event.allocation_id), method=event.method, amount_pence=event.amount_pence,
        proportions=None if event.proportions is None else {
            key: str(value) for key, value in event.proportions.model_dump().items()},
        needs_weights=event.needs_weights,
        needs_scores=[NeedsScore(school_id=school, score=str(score)) for school, score in sorted(scores.items())],
        parts=parts, shares=list(recompute(event)), rounding_rule=event.rounding_rule.value,
        rounding=ROUNDING_STATEMENT, normalisation=event.normalisation.value,
        consultation_reference=event.consultation_reference,
    )
