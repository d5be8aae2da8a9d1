"""Exact, recomputable sharing of a surplus between Partnership schools (seed 001, section 3).

All arithmetic is on ``fractions.Fraction`` and integer pence; no float anywhere.

Rounding, ``split_largest_remainder`` (Hamilton's method): each key's exact quota is
``total * weight / sum(weights)``; everyone first gets the floor of their quota; the pence left
over (fewer than the number of keys) go one each to the largest fractional remainders, ties
broken by key (school id, or method name) in ascending order. The shares therefore always add up
to the total and each is within one penny of its exact quota. When every weight is zero the
total is split equally, by the same rule.

Methods:
- needs-based: score(school) = sum over criteria of weight(criterion) * input(school, criterion)
  / total of that input across the listed schools (a criterion whose inputs are all zero adds
  nothing); shares are proportional to the scores.
- equity-based: shares proportional to each school's ``equity_weight`` (all equal by default:
  an equal split).
- strategic plan: everything to the host school, to spend on the Partnership's strategic plan.
- combination: the total is first split between the three methods by the stated proportions
  (same rounding rule, ties by method name), then each part by its method; a school's share is
  the sum of its parts.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction

from ap_contracts.events.finance import (
    AllocationMethod,
    CombinationProportions,
    NeedsCriteriaWeights,
    NormalisationRule,
    RoundingRule,
    SchoolAllocationInputs,
    SchoolShare,
    SurplusAllocated,
)

_NEEDS_CRITERIA: tuple[
    tuple[Callable[[NeedsCriteriaWeights], Fraction], Callable[[SchoolAllocationInputs], Fraction]], ...
] = (
    (lambda w: Fraction(w.pupil_roll), lambda s: Fraction(s.pupil_roll)),
    (lambda w: Fraction(w.deprivation_index), lambda s: Fraction(s.deprivation_index)),
    (lambda w: Fraction(w.pupil_premium), lambda s: Fraction(s.pupil_premium_count)),
    (lambda w: Fraction(w.free_school_meals), lambda s: Fraction(s.free_school_meals_count)),
    (lambda w: Fraction(w.send), lambda s: Fraction(s.send_count)),
)


def split_largest_remainder(total_pence: int, weights: Mapping[str, Fraction]) -> dict[str, int]:
    """Split ``total_pence`` by ``weights`` so the parts add up exactly (see module docstring)."""
    if total_pence < 0:
        raise ValueError("cannot split a negative amount")
    if not weights:
        raise ValueError("cannot split between nobody")
    if any(weight < 0 for weight in weights.values()):
        raise ValueError("weights must not be negative")
    total_weight = sum(weights.values(), Fraction(0))
    if total_weight == 0:
        weights = dict.fromkeys(weights, Fraction(1))
        total_weight = Fraction(len(weights))
    shares: dict[str, int] = {}
    remainders: dict[str, Fraction] = {}
    for key, weight in weights.items():
        quota = total_pence * weight / total_weight
        shares[key] = quota.numerator // quota.denominator
        remainders[key] = quota - shares[key]
    leftover = total_pence - sum(shares.values())
    for key in sorted(weights, key=lambda k: (-remainders[k], k))[:leftover]:
        shares[key] += 1
    return shares


def needs_scores(schools: Sequence[SchoolAllocationInputs], weights: NeedsCriteriaWeights) -> dict[str, Fraction]:
    """Each school's needs score: criteria weights times inputs normalised by their total across schools."""
    scores = {school.school_id: Fraction(0) for school in schools}
    for weight_of, input_of in _NEEDS_CRITERIA:
        weight = weight_of(weights)
        total = sum((input_of(school) for school in schools), Fraction(0))
        if weight == 0 or total == 0:
            continue
        for school in schools:
            scores[school.school_id] += weight * input_of(school) / total
    return scores


def equity_scores(schools: Sequence[SchoolAllocationInputs]) -> dict[str, Fraction]:
    return {school.school_id: Fraction(school.equity_weight) for school in schools}


def _method_weights(proportions: CombinationProportions) -> dict[str, Fraction]:
    return {
        AllocationMethod.NEEDS_BASED.value: Fraction(proportions.needs_based),
        AllocationMethod.EQUITY_BASED.value: Fraction(proportions.equity_based),
        AllocationMethod.STRATEGIC_PLAN.value: Fraction(proportions.strategic_plan),
    }


def share_by_method(
    method: AllocationMethod,
    part_pence: int,
    schools: Sequence[SchoolAllocationInputs],
    host_school_id: str,
    needs_weights: NeedsCriteriaWeights | None,
) -> dict[str, int]:
    if method is AllocationMethod.STRATEGIC_PLAN:
        return {host_school_id: part_pence}
    if method is AllocationMethod.EQUITY_BASED:
        return split_largest_remainder(part_pence, equity_scores(schools))
    if method is AllocationMethod.NEEDS_BASED:
        if needs_weights is None:
            raise ValueError("a needs-based allocation needs criteria weights")
        return split_largest_remainder(part_pence, needs_scores(schools, needs_weights))
    raise ValueError(f"{method} is not a single method")


def combined_methods(proportions: CombinationProportions) -> tuple[AllocationMethod, ...]:
    """Methods taking part in a combination: those with a positive proportion (all three if none is)."""
    weights = _method_weights(proportions)
    if all(weight == 0 for weight in weights.values()):
        return tuple(AllocationMethod(name) for name in weights)
    return tuple(AllocationMethod(name) for name, weight in weights.items() if weight > 0)


def uses_strategic_plan(method: AllocationMethod, proportions: CombinationProportions | None) -> bool:
    if method is AllocationMethod.COMBINATION and proportions is not None:
        return AllocationMethod.STRATEGIC_PLAN in combined_methods(proportions)
    return method is AllocationMethod.STRATEGIC_PLAN


def method_parts(
    amount_pence: int, method: AllocationMethod, proportions: CombinationProportions | None
) -> list[tuple[AllocationMethod, int]]:
    if method is not AllocationMethod.COMBINATION:
        return [(method, amount_pence)]
    if proportions is None:
        raise ValueError("a combination needs proportions")
    taking_part = combined_methods(proportions)
    weights = {name: weight for name, weight in _method_weights(proportions).items() if name in taking_part}
    return [(AllocationMethod(name), part) for name, part in split_largest_remainder(amount_pence, weights).items()]


def allocate(
    amount_pence: int,
    method: AllocationMethod,
    schools: Sequence[SchoolAllocationInputs],
    host_school_id: str,
    needs_weights: NeedsCriteriaWeights | None = None,
    proportions: CombinationProportions | None = None,
) -> tuple[SchoolShare, ...]:
    """Shares of ``amount_pence`` by school id (ascending), adding up to the amount exactly.

    Every listed school appears (possibly with zero); the host school appears too whenever the
    strategic-plan method takes part.
    """
    totals = {school.school_id: 0 for school in schools}
    if uses_strategic_plan(method, proportions):
        totals.setdefault(host_school_id, 0)
    for part_method, part_pence in method_parts(amount_pence, method, proportions):
        split = share_by_method(part_method, part_pence, schools, host_school_id, needs_weights)
        for school_id, pence in split.items():
            totals[school_id] += pence
    return tuple(SchoolShare(school_id=key, amount_pence=totals[key]) for key in sorted(totals))


def recompute(event: SurplusAllocated) -> tuple[SchoolShare, ...]:
    """The shares the event's stored method, inputs and rules give; equal to ``event.shares`` when sound."""
    if event.rounding_rule is not RoundingRule.LARGEST_REMAINDER_THEN_SCHOOL_ID:
        raise ValueError(f"unknown rounding rule {event.rounding_rule}")
    if event.normalisation is not NormalisationRule.SHARE_OF_TOTAL_ACROSS_SCHOOLS:
        raise ValueError(f"unknown normalisation {event.normalisation}")
    return allocate(
        event.amount_pence,
        event.method,
        event.schools,
        event.host_school_id,
        needs_weights=event.needs_weights,
        proportions=event.proportions,
    )
