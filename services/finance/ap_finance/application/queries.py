"""Finance reads: ledger balances, on-demand reconciliation and the three reports.

Each read is authorised on the budget (READ_LEDGER or READ_REPORTS) before anything is loaded, so
a caller only ever sees the budgets of its own host school, Partnership or provision (the LA's
finance team sees all). Figures come from the ledger read model; nothing here holds pupil data.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from ap_contracts.events.finance import SurplusAllocated
from ap_finance.application.authorisation import Authoriser, budget_context
from ap_finance.application.carry_forward import finance_history
from ap_finance.application.ledger_view import ledger_view
from ap_finance.application.ports import BudgetLookups, Clock, LedgerReadModel
from ap_finance.application.reconciliation import entry_differences, stream_differences
from ap_finance.application.value_for_money import ReintegrationReads, value_for_money
from ap_finance.application.views import LedgerView, ReconciliationView
from ap_finance.domain.errors import BudgetNotSet
from ap_finance.domain.evolve import fold
from ap_finance.domain.financial_year import budget_stream_id
from ap_finance.reports.builders import governing_body_summary, quarterly_return, termly_monitoring
from ap_finance.reports.models import GoverningBodySummary, QuarterlyReturn, TermlyMonitoring
from ap_finance.reports.periods import Term
from ap_finance.reports.snapshot import LedgerSnapshot
from ap_runtime.access import Principal
from ap_runtime.eventstore.port import EventStorePort
from ap_runtime.school_days import NO_CALENDARS


class LedgerNotYetProjected(LookupError):
    """The budget exists in the event store but the ledger has not projected it yet: try again shortly."""


class NothingRecordedBy(LookupError):
    """A report asked for as recorded by a moment before any event of the budget had been recorded."""


def _utc_now() -> datetime:
    return datetime.now(UTC)


class FinanceQueries:
    """The finance reads, on ports: event store, budget lookups, the ledger read model and a clock."""

    def __init__(self, store: EventStorePort, budgets: BudgetLookups, ledger: LedgerReadModel,
                 authoriser: Authoriser, clock: Clock = _utc_now,
                 reintegrations: ReintegrationReads | None = None) -> None:
        self._store = store
        self._budgets = budgets
        self._ledger = ledger
        self._authoriser = authoriser
        self._clock = clock
        self._reintegrations = reintegrations

    async def _snapshot(self, principal: Principal, action: str, provision_id: str, year: str,
                        purpose: str | None, correlation_id: UUID | None,
                        recorded_by: datetime | None = None) -> LedgerSnapshot:
        budget = await self._budgets.budget_set(provision_id, year)
        await self._authoriser.check(principal, action, budget_context(provision_id, budget), purpose=purpose,
                                     correlation_id=correlation_id)
        if budget is None:
            raise BudgetNotSet()
        snapshot = await self._ledger.snapshot(provision_id, year, recorded_by)
        if snapshot is None and recorded_by is not None:
            raise NothingRecordedBy(f"no event of the budget of {provision_id} {year} had been recorded by"
                                    f" {recorded_by.isoformat()} (or the ledger has not projected it yet)")
        if snapshot is None:
            raise LedgerNotYetProjected(f"the ledger of {provision_id} {year} is not projected yet")
        return snapshot

    async def ledger(self, principal: Principal, provision_id: str, year: str, *, purpose: str | None = None,
                     correlation_id: UUID | None = None) -> LedgerView:
        snapshot = await self._snapshot(principal, "finance.read_ledger", provision_id, year, purpose, correlation_id)
        return ledger_view(snapshot, await self._budgets.stream_version(provision_id, year),
                           await self._allocated(snapshot))

    async def reconciliation(self, principal: Principal, provision_id: str, year: str, *,
                             purpose: str | None = None, correlation_id: UUID | None = None) -> ReconciliationView:
        """Reconcile now: entries, stored balances, and (when caught up) the event stream's own fold."""
        snapshot = await self._snapshot(principal, "finance.read_ledger", provision_id, year, purpose, correlation_id)
        history = finance_history(await self._store.load(budget_stream_id(provision_id, year)))
        differences = entry_differences(snapshot.entries, snapshot.lines, snapshot.surplus, provision_id, year)
        caught_up = snapshot.budget.ledger_version == len(history)
        if caught_up:
            differences += stream_differences(fold(history), snapshot.lines, snapshot.surplus, provision_id, year)
        return ReconciliationView(
            provision_id=provision_id,
            financial_year=year,
            ok=not differences,
            stream_version=len(history),
            ledger_version=snapshot.budget.ledger_version,
            compared_with_event_stream=caught_up,
            transactions=len({entry.transaction for entry in snapshot.entries}),
            entries=len(snapshot.entries),
            differences=tuple(differences),
        )

    async def quarterly_return(self, principal: Principal, provision_id: str, year: str, quarter: int, *,
                               as_at: date | None = None, recorded_by: datetime | None = None,
                               purpose: str | None = None, correlation_id: UUID | None = None) -> QuarterlyReturn:
        """The quarterly return (seed 001, appendix 5); with ``recorded_by``, built only from the events
        recorded by that moment and dated by it, so asking again for the same quarter and moment gives the
        same bytes (issue 15, point in time)."""
        snapshot = await self._snapshot(principal, "finance.read_reports", provision_id, year, purpose, correlation_id,
                                        recorded_by)
        now = self._clock() if recorded_by is None else recorded_by
        return quarterly_return(snapshot, quarter, now.date(), now, as_at, await self._allocated(snapshot))

    async def value_for_money(self, principal: Principal, provision_id: str, year: str, *,
                              as_at: date | None = None, purpose: str | None = None,
                              correlation_id: UUID | None = None) -> dict[str, Any]:
        """Cost per successful reintegration beside cost per placement and per pupil-day (READ_REPORTS)."""
        snapshot = await self._snapshot(principal, "finance.read_reports", provision_id, year, purpose, correlation_id)
        placements, calendars = (await self._reintegrations(provision_id) if self._reintegrations
                                 else ((), NO_CALENDARS))
        return value_for_money(snapshot, placements, calendars, as_at or self._clock().date())

    async def _allocated(self, snapshot: LedgerSnapshot) -> list[SurplusAllocated]:
        """The budget's recorded allocations up to the event the snapshot's figures include (so the parts
        shown and the ledger's shares are of the same events)."""
        budget = snapshot.budget
        history = finance_history(await self._store.load(budget_stream_id(budget.provision_id, budget.financial_year)))
        return [event for event in history[:budget.ledger_version] if isinstance(event, SurplusAllocated)]

    async def termly_monitoring(self, principal: Principal, provision_id: str, year: str, term: Term, *,
                                as_at: date | None = None, purpose: str | None = None,
                                correlation_id: UUID | None = None) -> TermlyMonitoring:
        snapshot = await self._snapshot(principal, "finance.read_reports", provision_id, year, purpose, correlation_id)
        now = self._clock()
        return termly_monitoring(snapshot, term, now.date(), now, as_at, await self._allocated(snapshot))

    async def governing_body_summary(self, principal: Principal, provision_id: str, year: str, *,
                                     as_at: date | None = None, recorded_by: datetime | None = None,
                                     purpose: str | None = None,
                                     correlation_id: UUID | None = None) -> GoverningBodySummary:
        """The governors' summary; with ``recorded_by``, as recorded by that moment (see ``quarterly_return``)."""
        snapshot = await self._snapshot(principal, "finance.read_reports", provision_id, year, purpose, correlation_id,
                                        recorded_by)
        now = self._clock() if recorded_by is None else recorded_by
        return governing_body_summary(snapshot, now.date(), now, as_at, await self._allocated(snapshot))
