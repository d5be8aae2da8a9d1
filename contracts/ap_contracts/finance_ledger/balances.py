"""Balances of the double-entry ledger: per line, category, funding source and year, and the surplus.

Rule served: budget = actual + committed + remaining, read from the entries (``entries``);
a closed year's surplus and where it went. In the contracts (finance's ``ledger`` re-exports it) so that
reporting reads the same balances.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import TypeVar

from ap_contracts.events.finance import (
    BudgetCategory,
    FundingSource,
)
from ap_contracts.finance_ledger.entries import LINE_ACCOUNTS, LedgerAccount, LedgerEntry, LineKey


@dataclass(frozen=True, slots=True)
class Balance:
    """Budget (credit shown positive) against actual, committed and remaining (debits)."""

    budget_pence: int = 0
    actual_pence: int = 0
    committed_pence: int = 0
    remaining_pence: int = 0

    def unexplained_pence(self) -> int:
        """budget - (actual + committed + remaining): zero when the identity holds."""
        return self.budget_pence - self.actual_pence - self.committed_pence - self.remaining_pence

    def plus(self, entry: LedgerEntry) -> Balance:
        match entry.account:
            case LedgerAccount.BUDGET:
                return replace(self, budget_pence=self.budget_pence - entry.amount_pence)
            case LedgerAccount.ACTUAL:
                return replace(self, actual_pence=self.actual_pence + entry.amount_pence)
            case LedgerAccount.COMMITTED:
                return replace(self, committed_pence=self.committed_pence + entry.amount_pence)
            case LedgerAccount.REMAINING:
                return replace(self, remaining_pence=self.remaining_pence + entry.amount_pence)
        return self


@dataclass(frozen=True, slots=True)
class SurplusPosition:
    surplus_pence: int = 0
    available_pence: int = 0
    allocated_pence: int = 0
    clawed_back_pence: int = 0
    carried_forward_pence: int = 0

    def used_pence(self) -> int:
        return self.allocated_pence + self.clawed_back_pence + self.carried_forward_pence


YearKey = tuple[str, str]
CategoryKey = tuple[str, str, BudgetCategory | None]
SourceKey = tuple[str, str, FundingSource]
KeyT = TypeVar("KeyT", bound=tuple[object, ...])


def balances_by_line(entries: Iterable[LedgerEntry]) -> dict[LineKey, Balance]:
    """Per provision, year, category (None: not yet given to a line) and funding source."""
    found: dict[LineKey, Balance] = {}
    for entry in entries:
        if entry.account in LINE_ACCOUNTS and entry.funding_source is not None:
            key: LineKey = (entry.provision_id, entry.financial_year, entry.category, entry.funding_source)
            found[key] = found.get(key, Balance()).plus(entry)
    return found


def _sum(balances: Iterable[Balance]) -> Balance:
    total = Balance()
    for b in balances:
        total = Balance(
            total.budget_pence + b.budget_pence,
            total.actual_pence + b.actual_pence,
            total.committed_pence + b.committed_pence,
            total.remaining_pence + b.remaining_pence,
        )
    return total


def balances_by_category(entries: Iterable[LedgerEntry]) -> dict[CategoryKey, Balance]:
    grouped: dict[CategoryKey, list[Balance]] = {}
    for (provision, year, category, _), balance in balances_by_line(entries).items():
        grouped.setdefault((provision, year, category), []).append(balance)
    return {key: _sum(parts) for key, parts in grouped.items()}


def balances_by_funding_source(entries: Iterable[LedgerEntry]) -> dict[SourceKey, Balance]:
    grouped: dict[SourceKey, list[Balance]] = {}
    for (provision, year, _, source), balance in balances_by_line(entries).items():
        grouped.setdefault((provision, year, source), []).append(balance)
    return {key: _sum(parts) for key, parts in grouped.items()}


def balances_in_total(entries: Iterable[LedgerEntry]) -> dict[YearKey, Balance]:
    grouped: dict[YearKey, list[Balance]] = {}
    for (provision, year, _, _), balance in balances_by_line(entries).items():
        grouped.setdefault((provision, year), []).append(balance)
    return {key: _sum(parts) for key, parts in grouped.items()}


_SURPLUS_FIELDS = {
    LedgerAccount.SURPLUS: "surplus_pence",
    LedgerAccount.SURPLUS_AVAILABLE: "available_pence",
    LedgerAccount.ALLOCATED_TO_SCHOOLS: "allocated_pence",
    LedgerAccount.CLAWED_BACK: "clawed_back_pence",
    LedgerAccount.CARRIED_FORWARD: "carried_forward_pence",
}


def surplus_positions(entries: Iterable[LedgerEntry]) -> dict[YearKey, SurplusPosition]:
    """Per provision and year that has been closed: the surplus and where it went."""
    found: dict[YearKey, dict[str, int]] = {}
    for entry in entries:
        name = _SURPLUS_FIELDS.get(entry.account)
        if name is None:
            continue
        totals = found.setdefault((entry.provision_id, entry.financial_year), {})
        # SURPLUS is a credit account: shown positive when there is a surplus.
        sign = -1 if entry.account is LedgerAccount.SURPLUS else 1
        totals[name] = totals.get(name, 0) + sign * entry.amount_pence
    return {key: SurplusPosition(**totals) for key, totals in found.items()}
