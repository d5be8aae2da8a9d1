"""Double-entry ledger of the behaviour budgets: accounts, entries, and posting each finance event.

The accounts, the signed entries and the identities every transaction keeps (budget = actual + committed
+ remaining, per line, category and in total; the year's surplus and where it went) are described once,
in finance's ``ap_finance.domain.ledger`` docstring, which re-exports this module.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum

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
