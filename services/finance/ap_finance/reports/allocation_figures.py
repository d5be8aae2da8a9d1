"""Every part of each surplus allocation, for the reports (issue 12: only each school's total showed).

From the recorded ``SurplusAllocated`` events, through the domain's own breakdown
(``domain.allocation_breakdown``, the arithmetic the allocation was made with): the method, the amount,
each method's part with its proportion of the whole as an exact fraction, the needs criteria weights and
each school's needs score, and each school's share of each method's part, with the school's registered name.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction

from ap_contracts.events.finance import SurplusAllocated
from ap_finance.domain.allocation_breakdown import AllocationBreakdown, breakdown
from ap_finance.reports.models import (
    AllocationMadeFigures,
    AllocationNeedsScore,
    AllocationPartFigures,
    AllocationPartShare,
)


@dataclass(frozen=True, slots=True)
class AllocationDetail:
    """The allocations of a budget in full, as flat rows (one figure per row in the CSV)."""

    made: tuple[AllocationMadeFigures, ...] = ()
    part_amounts: tuple[AllocationPartFigures, ...] = ()
    part_shares: tuple[AllocationPartShare, ...] = ()
    needs_scores: tuple[AllocationNeedsScore, ...] = ()


def _proportions(parts: Iterable[tuple[str, str | None]]) -> str | None:
    shown = [f"{method} {Fraction(proportion)}" for method, proportion in parts if proportion is not None]
    return "; ".join(shown) or None


def _made(number: int, detail: AllocationBreakdown) -> AllocationMadeFigures:
    weights = None if detail.needs_weights is None else "; ".join(
        f"{criterion} {weight}" for criterion, weight in detail.needs_weights.model_dump().items())
    return AllocationMadeFigures(
        allocation=number, method=detail.method.value, amount_pence=detail.amount_pence,
        proportions=_proportions((p.method.value, p.proportion) for p in detail.parts),
        needs_weights=weights, rounding=detail.rounding)


def allocation_detail(events: Iterable[SurplusAllocated], names: Mapping[str, str]) -> AllocationDetail:
    """Each allocation (numbered from 1 in recorded order): its method and amount, each method's part, each
    school's share of each part and each school's needs score."""
    made: list[AllocationMadeFigures] = []
    amounts: list[AllocationPartFigures] = []
    shares: list[AllocationPartShare] = []
    scores: list[AllocationNeedsScore] = []
    for number, event in enumerate(events, start=1):
        detail = breakdown(event)
        made.append(_made(number, detail))
        amounts.extend(
            AllocationPartFigures(allocation=number, method=part.method.value, proportion=part.proportion,
                                  amount_pence=part.amount_pence)
            for part in detail.parts)
        shares.extend(
            AllocationPartShare(allocation=number, method=part.method.value, proportion=part.proportion,
                                school_id=share.school_id, amount_pence=share.amount_pence,
                                school_name=names.get(share.school_id))
            for part in detail.parts for share in part.shares
        )
        scores.extend(
            AllocationNeedsScore(allocation=number, school_id=score.school_id, score=score.score,
                                 school_name=names.get(score.school_id))
            for score in detail.needs_scores)
    return AllocationDetail(tuple(made), tuple(amounts), tuple(shares), tuple(scores))
