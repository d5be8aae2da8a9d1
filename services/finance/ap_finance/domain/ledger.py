"""Double-entry ledger of the behaviour budgets, derived from finance events, and its reconciliation.

Each event becomes one transaction of signed entries (debit positive, credit negative) that sum to
zero. Entries are kept per provision, financial year, category and funding source. Accounts of a
line (one category funded from one source; category None holds funding not yet given to a line):

- BUDGET (credit): budget given to the line; REMAINING, COMMITTED, ACTUAL (debits): where it is now.

Every transaction also balances inside each line it touches, so for each line, each category, and
in total: budget = actual + committed + remaining. Year-level accounts (no category, no source):
SURPLUS (credit) is fixed at close and equals the year's remaining; SURPLUS_AVAILABLE,
ALLOCATED_TO_SCHOOLS, CLAWED_BACK and CARRIED_FORWARD (debits) show where it went.

``reconcile`` re-checks every one of those identities from the entries alone.

The ledger lives in three modules along its themes (issue 10, size): ``ap_contracts.finance_ledger.entries``
(accounts, entries, posting) and ``ap_contracts.finance_ledger.balances`` (balances and surplus positions), in
the contracts so that reporting reuses them, and ``ledger_reconciliation`` (the checks). This module re-exports
them, so ``from ap_finance.domain.ledger import ...`` keeps working.
"""

from __future__ import annotations

from ap_contracts.finance_ledger.balances import (
    Balance,
    CategoryKey,
    SourceKey,
    SurplusPosition,
    YearKey,
    balances_by_category,
    balances_by_funding_source,
    balances_by_line,
    balances_in_total,
    surplus_positions,
)
from ap_contracts.finance_ledger.entries import (
    LINE_ACCOUNTS,
    SURPLUS_USES,
    LedgerAccount,
    LedgerBook,
    LedgerEntry,
    LineKey,
    derive_entries,
    post,
)
from ap_finance.domain.ledger_reconciliation import Check, Difference, ReconciliationReport, reconcile

__all__ = [
    "LINE_ACCOUNTS",
    "SURPLUS_USES",
    "Balance",
    "CategoryKey",
    "Check",
    "Difference",
    "LedgerAccount",
    "LedgerBook",
    "LedgerEntry",
    "LineKey",
    "ReconciliationReport",
    "SourceKey",
    "SurplusPosition",
    "YearKey",
    "balances_by_category",
    "balances_by_funding_source",
    "balances_by_line",
    "balances_in_total",
    "derive_entries",
    "post",
    "reconcile",
    "surplus_positions",
]
