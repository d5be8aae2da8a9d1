"""The ledger read as balances by line, category, funding source and in total (sums of stored lines)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict

from ap_contracts.events.finance import BudgetCategory, FundingSource, SurplusAllocated
from ap_finance.application.views import (
    BalanceView,
    CategoryBalance,
    FundingSourceBalance,
    LedgerView,
    LineBalance,
    SchoolShareView,
    SurplusView,
)
from ap_finance.domain.allocation_breakdown import breakdown
from ap_finance.domain.ledger import Balance
from ap_finance.reports.figures import UNALLOCATED, allocation_figures
from ap_finance.reports.snapshot import LedgerSnapshot


def _sum(balances: Iterable[Balance]) -> dict[str, int]:
    listed = list(balances)
    return {
        "budget_pence": sum(b.budget_pence for b in listed),
        "actual_pence": sum(b.actual_pence for b in listed),
        "committed_pence": sum(b.committed_pence for b in listed),
        "remaining_pence": sum(b.remaining_pence for b in listed),
    }


def _category_name(category: BudgetCategory | None) -> str:
    return UNALLOCATED if category is None else category.value


def _surplus_view(snapshot: LedgerSnapshot) -> SurplusView | None:
    surplus = snapshot.surplus
    if surplus is None:
        return None
    return SurplusView(**asdict(surplus))


def ledger_view(snapshot: LedgerSnapshot, stream_version: int,
                allocated: Sequence[SurplusAllocated] = ()) -> LedgerView:
    """The balances, and each allocation in ``allocated`` (its recorded events) in full."""
    budget = snapshot.budget
    lines = sorted(snapshot.lines.items(),
                   key=lambda kv: (kv[0][2] is None, list(BudgetCategory).index(kv[0][2]) if kv[0][2] else 0,
                                   list(FundingSource).index(kv[0][3])))
    categories: dict[BudgetCategory | None, list[Balance]] = {}
    sources: dict[FundingSource, list[Balance]] = {}
    for (_, _, category, source), balance in lines:
        categories.setdefault(category, []).append(balance)
        sources.setdefault(source, []).append(balance)
    return LedgerView(
        **snapshot.parties(),
        financial_year=budget.financial_year,
        closed_on=budget.closed_on,
        stream_version=stream_version,
        ledger_version=budget.ledger_version,
        up_to_date=budget.ledger_version == stream_version,
        total=BalanceView(**_sum(balance for _, balance in lines)),
        by_category=tuple(CategoryBalance(category=_category_name(c), **_sum(b)) for c, b in categories.items()),
        by_funding_source=tuple(FundingSourceBalance(funding_source=s.value, **_sum(b)) for s, b in sources.items()),
        lines=tuple(
            LineBalance(category=_category_name(category), funding_source=source.value, **_sum([balance]))
            for (_, _, category, source), balance in lines
        ),
        surplus=_surplus_view(snapshot),
        allocations=tuple(SchoolShareView(school_id=s.school_id, amount_pence=s.amount_pence, school_name=s.school_name)
                          for s in allocation_figures(snapshot.entries, snapshot.names)),
        allocations_in_full=tuple(breakdown(event) for event in allocated),
    )
