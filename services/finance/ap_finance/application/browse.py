"""Browsing budgets (issue 12): the caller's budgets, one budget, its lines, items, commitments, spends,
virements and overspends, and the items awaiting the caller's signature. Lists are paged (offset, limit).

Rule served: a caller sees only budgets the access policy lets it read, judged on stored facts (the budget's
host school, Partnership and provision from its BudgetSet) and the verified token. One budget's reads are
checked and audited like the ledger (``finance.read_ledger``); the list of budgets shows only those the same
check allows (decided without an audit row per budget: a list of budget ids holds no pupil data). "Awaiting
my signature" lists items whose awaited signature is the caller's organisation's, on budgets where the policy
lets the caller sign (``finance.sign_item``), and not already signed by the caller.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Generic, Protocol, TypeVar
from uuid import UUID

from ap_contracts.envelope import OrgKind, StrictModel
from ap_contracts.events.finance import BudgetSet, SigningOrganisation
from ap_finance.application.authorisation import Authoriser, budget_context
from ap_finance.application.browse_view import (
    BudgetBook,
    BudgetSummary,
    ItemRow,
    awaiting_items,
    budget_book,
    summary,
)
from ap_finance.application.carry_forward import finance_history
from ap_finance.application.ports import BudgetLookups
from ap_finance.domain.allocation_breakdown import AllocationBreakdown, breakdown
from ap_finance.domain.declarations import READ_LEDGER
from ap_finance.domain.errors import BudgetNotSet
from ap_finance.domain.financial_year import budget_stream_id
from ap_runtime.access import Principal
from ap_runtime.access.policy import Policy, decide
from ap_runtime.eventstore.port import EventStorePort

T = TypeVar("T")
MAX_PAGE = 200
SIGN_ITEM = "finance.sign_item"
_SIGNS_FOR = {OrgKind.PARTNERSHIP: SigningOrganisation.PARTNERSHIP,
              OrgKind.HOST_SCHOOL: SigningOrganisation.HOST_SCHOOL}


class Page(StrictModel, Generic[T]):
    items: list[T]
    total: int
    offset: int
    limit: int
    next_offset: int | None


def page(rows: Sequence[T], offset: int, limit: int) -> Page[T]:
    chosen = list(rows[offset:offset + limit])
    following = offset + limit
    return Page[T](items=chosen, total=len(rows), offset=offset, limit=limit,
                   next_offset=following if following < len(rows) else None)


class AwaitingRow(ItemRow):
    """An item awaiting the caller's signature, with the budget it belongs to."""

    provision_id: str
    financial_year: str


class BudgetIndex(Protocol):
    async def budget_sets(self) -> tuple[BudgetSet, ...]:
        """Every budget's BudgetSet, by provision and year."""
        ...


def allocation_rows(book: BudgetBook) -> list[AllocationBreakdown]:
    """Each surplus allocation in full: method, proportions, parts, criteria, each school's share of each part."""
    return [breakdown(event) for event in book.allocations.values()]


class FinanceBrowse:
    def __init__(self, store: EventStorePort, budgets: BudgetLookups, index: BudgetIndex, authoriser: Authoriser,
                 policy: Callable[[], Policy]) -> None:
        self._store = store
        self._budgets = budgets
        self._index = index
        self._authoriser = authoriser
        self._policy = policy

    async def _book(self, principal: Principal, provision_id: str, year: str, purpose: str | None,
                    correlation_id: UUID | None) -> BudgetBook:
        budget = await self._budgets.budget_set(provision_id, year)
        await self._authoriser.check(principal, READ_LEDGER, budget_context(provision_id, budget), purpose=purpose,
                                     correlation_id=correlation_id)
        if budget is None:
            raise BudgetNotSet()
        return budget_book(finance_history(await self._store.load(budget_stream_id(provision_id, year))))

    def _may(self, principal: Principal, action: str, budget: BudgetSet) -> bool:
        return decide(principal, action, budget_context(budget.provision_id, budget), policy=self._policy()).allowed

    async def budgets(self, principal: Principal, offset: int, limit: int) -> Page[BudgetSummary]:
        visible = [b for b in await self._index.budget_sets() if self._may(principal, READ_LEDGER, b)]
        rows: list[BudgetSummary] = []
        for budget in visible[offset:offset + limit]:
            history = await self._store.load(budget_stream_id(budget.provision_id, budget.financial_year))
            rows.append(summary(budget_book(finance_history(history))))
        following = offset + limit
        return Page[BudgetSummary](items=rows, total=len(visible), offset=offset, limit=limit,
                                   next_offset=following if following < len(visible) else None)

    async def budget(self, principal: Principal, provision_id: str, year: str, *, purpose: str | None = None,
                     correlation_id: UUID | None = None) -> BudgetSummary:
        return summary(await self._book(principal, provision_id, year, purpose, correlation_id))

    async def listing(self, rows: Callable[[BudgetBook], Sequence[T]], principal: Principal, provision_id: str,
                      year: str, offset: int, limit: int, *, purpose: str | None = None,
                      correlation_id: UUID | None = None) -> Page[T]:
        """One page of one of a budget's lists (``rows``: its lines, items, commitments, spends, virements,
        overspends or allocations), once the caller may read the budget (``finance.read_ledger``, audited)."""
        return page(rows(await self._book(principal, provision_id, year, purpose, correlation_id)), offset, limit)

    async def awaiting_my_signature(self, principal: Principal, offset: int, limit: int) -> Page[AwaitingRow]:
        """Items whose awaited signature the caller's organisation gives, on budgets the caller may sign for."""
        mine = _SIGNS_FOR.get(principal.org_kind)
        rows: list[AwaitingRow] = []
        if mine is not None:
            for budget in await self._index.budget_sets():
                if not self._may(principal, SIGN_ITEM, budget):
                    continue
                history = await self._store.load(budget_stream_id(budget.provision_id, budget.financial_year))
                rows += [
                    AwaitingRow(**item.model_dump(), provision_id=budget.provision_id,
                                financial_year=budget.financial_year)
                    for item in awaiting_items(budget_book(finance_history(history)))
                    if any(a.signing_organisation is mine and a.organisation_id == principal.organisation_id
                           for a in item.signatures_awaited)
                    and all(g.user_id != principal.user_id for g in item.signatures_given)
                ]
        return page(rows, offset, limit)
