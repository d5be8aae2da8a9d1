"""Every part of each surplus allocation, for the reports (issue 12: only each school's total showed).

From the recorded ``SurplusAllocated`` events, through the domain's own breakdown
(``domain.allocation_breakdown``, the arithmetic the allocation was made with): the method, the amount,
a combination's proportions as exact fractions of the whole, the needs criteria weights, and each
school's share of each method's part, with the school's registered name.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from fractions import Fraction

from ap_contracts.events.finance import SurplusAllocated
from ap_finance.domain.allocation_breakdown import breakdown
from ap_finance.reports.models import AllocationMadeFigures, AllocationPartShare


def _proportions(parts: Iterable[tuple[str, str | None]]) -> str | None:
    shown = [f"{method} {Fraction(proportion)}" for method, proportion in parts if proportion is not None]
    return "; ".join(shown) or None


def allocation_detail(
    events: Iterable[SurplusAllocated], names: Mapping[str, str]
) -> tuple[tuple[AllocationMadeFigures, ...], tuple[AllocationPartShare, ...]]:
    """Each allocation (numbered from 1 in recorded order) and each school's share of each of its parts."""
    made: list[AllocationMadeFigures] = []
    shares: list[AllocationPartShare] = []
    for number, event in enumerate(events, start=1):
        detail = breakdown(event)
        weights = None if detail.needs_weights is None else "; ".join(
            f"{criterion} {weight}" for criterion, weight in detail.needs_weights.model_dump().items())
        made.append(AllocationMadeFigures(
            allocation=number, method=detail.method.value, amount_pence=detail.amount_pence,
            proportions=_proportions((p.method.value, p.proportion) for p in detail.parts),
            needs_weights=weights, rounding=detail.rounding))
        shares.extend(
            AllocationPartShare(allocation=number, method=part.method.value, proportion=part.proportion,
                                school_id=share.school_id, amount_pence=share.amount_pence,
                                school_name=names.get(share.school_id))
            for part in detail.parts for share in part.shares
        )
    return tuple(made), tuple(shares)
