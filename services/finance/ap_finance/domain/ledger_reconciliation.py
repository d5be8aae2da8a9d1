"""Reconciliation of the double-entry ledger: every identity re-checked from the entries alone.

Rule served: the ledger always reconciles (see ``reconcile``). Moved from ``ledger.py``, which
re-exports it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from ap_contracts.finance_ledger.balances import (
    Balance,
    KeyT,
    SurplusPosition,
    YearKey,
    balances_by_category,
    balances_by_line,
    balances_in_total,
    surplus_positions,
)
from ap_contracts.finance_ledger.entries import LINE_ACCOUNTS, LedgerAccount, LedgerEntry, LineKey


class Check(StrEnum):
    ENTRY_SHAPE = "entry_shape"
    TRANSACTION_BALANCED = "transaction_balanced"
    LINE_IDENTITY = "line_identity"
    CATEGORY_IDENTITY = "category_identity"
    TOTAL_IDENTITY = "total_identity"
    COMMITTED_NOT_NEGATIVE = "committed_not_negative"
    ACTUAL_NOT_NEGATIVE = "actual_not_negative"
    SURPLUS_IS_YEAR_BALANCE = "surplus_is_year_balance"
    SURPLUS_ACCOUNTED_FOR = "surplus_accounted_for"
    SURPLUS_NOT_OVERUSED = "surplus_not_overused"


@dataclass(frozen=True, slots=True)
class Difference:
    check: Check
    scope: str
    expected_pence: int
    found_pence: int


@dataclass(frozen=True, slots=True)
class ReconciliationReport:
    ok: bool
    differences: tuple[Difference, ...]


def _label(*parts: object) -> str:
    return " ".join("unallocated" if part is None else str(part) for part in parts)


def _shape_differences(entries: list[LedgerEntry]) -> list[Difference]:
    wrong: list[Difference] = []
    for entry in entries:
        on_line = entry.account in LINE_ACCOUNTS
        well_formed = (
            entry.funding_source is not None and entry.school_id is None
            if on_line
            else entry.category is None
            and entry.funding_source is None
            and (entry.school_id is None or entry.account is LedgerAccount.ALLOCATED_TO_SCHOOLS)
        )
        if not well_formed:
            wrong.append(Difference(Check.ENTRY_SHAPE, _label(entry), 0, entry.amount_pence))
    return wrong


def _transaction_differences(entries: list[LedgerEntry]) -> list[Difference]:
    totals: dict[int, int] = {}
    for entry in entries:
        totals[entry.transaction] = totals.get(entry.transaction, 0) + entry.amount_pence
    return [
        Difference(Check.TRANSACTION_BALANCED, f"transaction {transaction}", 0, total)
        for transaction, total in sorted(totals.items())
        if total != 0
    ]


def _identity_differences(check: Check, balances: Mapping[KeyT, Balance]) -> list[Difference]:
    return [
        Difference(
            check,
            _label(*key),
            balance.budget_pence,
            balance.actual_pence + balance.committed_pence + balance.remaining_pence,
        )
        for key, balance in balances.items()
        if balance.unexplained_pence() != 0
    ]


def _sign_differences(lines: Mapping[LineKey, Balance]) -> list[Difference]:
    wrong: list[Difference] = []
    for key, balance in lines.items():
        if balance.committed_pence < 0:
            wrong.append(Difference(Check.COMMITTED_NOT_NEGATIVE, _label(*key), 0, balance.committed_pence))
        if balance.actual_pence < 0:
            wrong.append(Difference(Check.ACTUAL_NOT_NEGATIVE, _label(*key), 0, balance.actual_pence))
    return wrong


def _surplus_differences(
    positions: Mapping[YearKey, SurplusPosition], totals: Mapping[YearKey, Balance]
) -> list[Difference]:
    wrong: list[Difference] = []
    for key, position in positions.items():
        remaining = totals.get(key, Balance()).remaining_pence
        if position.surplus_pence != remaining:
            wrong.append(Difference(Check.SURPLUS_IS_YEAR_BALANCE, _label(*key), remaining, position.surplus_pence))
        accounted = position.available_pence + position.used_pence()
        if accounted != position.surplus_pence:
            wrong.append(Difference(Check.SURPLUS_ACCOUNTED_FOR, _label(*key), position.surplus_pence, accounted))
        if position.used_pence() > max(position.surplus_pence, 0):
            wrong.append(
                Difference(
                    Check.SURPLUS_NOT_OVERUSED, _label(*key), max(position.surplus_pence, 0), position.used_pence()
                )
            )
    return wrong


def reconcile(entries: Iterable[LedgerEntry]) -> ReconciliationReport:
    """Check every ledger identity from the entries alone; ``ok`` only when nothing differs by a penny.

    Checks: entries are well formed; each transaction sums to zero; budget = actual + committed +
    remaining per line, per category and per provision-year; commitments and actual spend never
    negative; a closed year's surplus equals its remaining balance and is fully accounted for by
    what is still available plus what was allocated, clawed back or carried forward, and no more
    than a positive surplus was ever used.
    """
    listed = list(entries)
    lines = balances_by_line(listed)
    totals = balances_in_total(listed)
    differences = [
        *_shape_differences(listed),
        *_transaction_differences(listed),
        *_identity_differences(Check.LINE_IDENTITY, lines),
        *_identity_differences(Check.CATEGORY_IDENTITY, balances_by_category(listed)),
        *_identity_differences(Check.TOTAL_IDENTITY, totals),
        *_sign_differences(lines),
        *_surplus_differences(surplus_positions(listed), totals),
    ]
    return ReconciliationReport(ok=not differences, differences=tuple(differences))
