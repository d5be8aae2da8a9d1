"""What the ledger and reconciliation reads return (JSON over HTTP; integer pence)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict

from ap_finance.domain.allocation_breakdown import AllocationBreakdown


class View(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class BalanceView(View):
    budget_pence: int
    actual_pence: int
    committed_pence: int
    remaining_pence: int


class CategoryBalance(BalanceView):
    category: str


class FundingSourceBalance(BalanceView):
    funding_source: str


class LineBalance(BalanceView):
    category: str
    funding_source: str


class SurplusView(View):
    surplus_pence: int
    available_pence: int
    allocated_pence: int
    clawed_back_pence: int
    carried_forward_pence: int


class SchoolShareView(View):
    school_id: str
    amount_pence: int
    school_name: str | None = None  # from the organisation directory; None when the register has no name


class LedgerView(View):
    """Balances of one budget from the ledger read model, and how far it has caught up with the stream."""

    provision_id: str
    financial_year: str
    host_school_id: str
    partnership_id: str
    # Display names from the organisation directory (issue 12); None when the register has no name.
    provision_name: str | None = None
    host_school_name: str | None = None
    partnership_name: str | None = None
    closed_on: date | None
    stream_version: int
    ledger_version: int
    up_to_date: bool
    total: BalanceView
    by_category: tuple[CategoryBalance, ...]
    by_funding_source: tuple[FundingSourceBalance, ...]
    lines: tuple[LineBalance, ...]
    surplus: SurplusView | None
    allocations: tuple[SchoolShareView, ...]
    # Each surplus allocation in full, from its recorded event up to ledger_version (issue 12): the method,
    # each part and its proportion (exact fraction), the needs weights and scores, each school's share of
    # each part, the totals and the rounding rule.
    allocations_in_full: tuple[AllocationBreakdown, ...] = ()


class DifferenceView(View):
    check: str
    scope: str
    expected_pence: int
    found_pence: int


class ReconciliationView(View):
    """``ok`` only when every ledger identity holds to the penny, the stored balances equal the entries,
    and (when the ledger has caught up) the ledger equals the domain's fold of the event stream."""

    provision_id: str
    financial_year: str
    ok: bool
    stream_version: int
    ledger_version: int
    compared_with_event_stream: bool
    transactions: int
    entries: int
    differences: tuple[DifferenceView, ...]
