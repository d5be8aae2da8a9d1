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
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import TypeVar

from ap_contracts.events.finance import (
    BudgetCategory,
    BudgetLineSet,
    BudgetSet,
    CarryForwardRecorded,
    ClawbackMade,
    CommitmentRaised,
    CommitmentReleased,
    FinanceEvent,
    FundingSource,
    SpendRecorded,
    SurplusAllocated,
    SurplusDetermined,
    VirementMade,
)


class LedgerAccount(StrEnum):
    BUDGET = "budget"
    REMAINING = "remaining"
    COMMITTED = "committed"
    ACTUAL = "actual"
    SURPLUS = "surplus"
    SURPLUS_AVAILABLE = "surplus_available"
    ALLOCATED_TO_SCHOOLS = "allocated_to_schools"
    CLAWED_BACK = "clawed_back"
    CARRIED_FORWARD = "carried_forward"


LINE_ACCOUNTS = frozenset(
    {LedgerAccount.BUDGET, LedgerAccount.REMAINING, LedgerAccount.COMMITTED, LedgerAccount.ACTUAL}
)
SURPLUS_USES = frozenset({LedgerAccount.ALLOCATED_TO_SCHOOLS, LedgerAccount.CLAWED_BACK, LedgerAccount.CARRIED_FORWARD})


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    transaction: int
    event_type: str
    provision_id: str
    financial_year: str
    account: LedgerAccount
    category: BudgetCategory | None
    funding_source: FundingSource | None
    amount_pence: int
    school_id: str | None = None


LineKey = tuple[str, str, BudgetCategory | None, FundingSource]


@dataclass(frozen=True, slots=True)
class LedgerBook:
    """What posting needs to remember between events: each line's current budget."""

    line_budget_pence: Mapping[LineKey, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class _Poster:
    """Builds the entries of one event's transaction."""

    transaction: int
    event: FinanceEvent

    def entry(
        self,
        account: LedgerAccount,
        pence: int,
        category: BudgetCategory | None = None,
        source: FundingSource | None = None,
        school_id: str | None = None,
    ) -> LedgerEntry:
        return LedgerEntry(
            transaction=self.transaction,
            event_type=self.event.event_type,
            provision_id=self.event.provision_id,
            financial_year=self.event.financial_year,
            account=account,
            category=category,
            funding_source=source,
            amount_pence=pence,
            school_id=school_id,
        )

    def move_budget(
        self,
        source: FundingSource,
        pence: int,
        from_category: BudgetCategory | None,
        to_category: BudgetCategory | None,
    ) -> list[LedgerEntry]:
        """Move budget, and with it remaining, from one line to another of the same funding source."""
        return [
            self.entry(LedgerAccount.BUDGET, pence, from_category, source),
            self.entry(LedgerAccount.REMAINING, -pence, from_category, source),
            self.entry(LedgerAccount.BUDGET, -pence, to_category, source),
            self.entry(LedgerAccount.REMAINING, pence, to_category, source),
        ]

    def within_line(
        self, debit: LedgerAccount, credit: LedgerAccount, event: SpendRecorded | CommitmentRaised | CommitmentReleased
    ) -> list[LedgerEntry]:
        return [
            self.entry(debit, event.amount_pence, event.category, event.funding_source),
            self.entry(credit, -event.amount_pence, event.category, event.funding_source),
        ]

    def use_surplus(self, account: LedgerAccount, pence: int, school_id: str | None = None) -> list[LedgerEntry]:
        return [self.entry(account, pence, school_id=school_id), self.entry(LedgerAccount.SURPLUS_AVAILABLE, -pence)]


def _funding(poster: _Poster, event: BudgetSet) -> list[LedgerEntry]:
    amounts = {
        FundingSource.DSG_ALLOCATION: event.dsg_allocation_pence,
        FundingSource.TOP_UP: event.top_up_pence,
        FundingSource.CARRY_FORWARD: event.carry_forward_pence,
    }
    entries: list[LedgerEntry] = []
    for source, pence in amounts.items():
        if pence:
            entries.append(poster.entry(LedgerAccount.BUDGET, -pence, None, source))
            entries.append(poster.entry(LedgerAccount.REMAINING, pence, None, source))
    return entries


def _line_set(poster: _Poster, event: BudgetLineSet, book: LedgerBook) -> tuple[list[LedgerEntry], LedgerBook]:
    key: LineKey = (event.provision_id, event.financial_year, event.category, event.funding_source)
    change = event.amount_pence - book.line_budget_pence.get(key, 0)
    lines = {**book.line_budget_pence, key: event.amount_pence}
    entries = poster.move_budget(event.funding_source, change, None, event.category) if change else []
    return entries, replace(book, line_budget_pence=lines)


def _virement(poster: _Poster, event: VirementMade, book: LedgerBook) -> tuple[list[LedgerEntry], LedgerBook]:
    lines = dict(book.line_budget_pence)
    for category, change in ((event.from_category, -event.amount_pence), (event.to_category, event.amount_pence)):
        key: LineKey = (event.provision_id, event.financial_year, category, event.funding_source)
        lines[key] = lines.get(key, 0) + change
    entries = poster.move_budget(event.funding_source, event.amount_pence, event.from_category, event.to_category)
    return entries, replace(book, line_budget_pence=lines)


def post(event: FinanceEvent, book: LedgerBook, transaction: int) -> tuple[list[LedgerEntry], LedgerBook]:
    """The entries of one event (numbered ``transaction``) and the book after it; pure."""
    poster = _Poster(transaction, event)
    match event:
        case BudgetSet():
            return _funding(poster, event), book
        case BudgetLineSet():
            return _line_set(poster, event, book)
        case VirementMade():
            return _virement(poster, event, book)
        case SpendRecorded():
            # Spend settling a commitment is paid out of the commitment, otherwise out of remaining.
            paid_from = LedgerAccount.REMAINING if event.commitment_id is None else LedgerAccount.COMMITTED
            return poster.within_line(LedgerAccount.ACTUAL, paid_from, event), book
        case CommitmentRaised():
            return poster.within_line(LedgerAccount.COMMITTED, LedgerAccount.REMAINING, event), book
        case CommitmentReleased():
            return poster.within_line(LedgerAccount.REMAINING, LedgerAccount.COMMITTED, event), book
        case SurplusDetermined():
            surplus = event.surplus_pence
            return [
                poster.entry(LedgerAccount.SURPLUS_AVAILABLE, surplus),
                poster.entry(LedgerAccount.SURPLUS, -surplus),
            ], book
        case SurplusAllocated():
            return [
                entry
                for share in event.shares
                if share.amount_pence
                for entry in poster.use_surplus(LedgerAccount.ALLOCATED_TO_SCHOOLS, share.amount_pence, share.school_id)
            ], book
        case ClawbackMade():
            return poster.use_surplus(LedgerAccount.CLAWED_BACK, event.amount_pence), book
        case CarryForwardRecorded():
            return poster.use_surplus(LedgerAccount.CARRIED_FORWARD, event.amount_pence), book
    return [], book  # signatures and the closing of the year move no money


def derive_entries(events: Iterable[FinanceEvent]) -> list[LedgerEntry]:
    """All entries of a sequence of finance events (any number of budgets), numbered by position."""
    book = LedgerBook()
    entries: list[LedgerEntry] = []
    for transaction, event in enumerate(events):
        posted, book = post(event, book, transaction)
        entries.extend(posted)
    return entries


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
