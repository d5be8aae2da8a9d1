"""The one rule across two streams: what a year carries forward is what the next year brings in.

Both checks read the other year's stream and then append to this one; a PostgreSQL advisory lock
on the boundary between the two years (provision, next year) makes "check, then append" atomic
against the opposite command, so a SetBudget and a RecordCarryForward racing each other cannot
both pass. The rules themselves are the domain's (``domain.carry_forward``).

The lock is held on a pooled connection while the command needs others from the same pool, so
at most half the pool may hold boundary locks at once (``BoundaryGate``): a burst of carry-forwards
can never take every connection and wait on itself.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from ap_contracts.events.base import DomainEvent
from ap_contracts.events.finance import FinanceEvent
from ap_finance.domain.carry_forward import (
    check_next_year_open_to_carry_forward,
    check_opening_carry_forward,
    previous_financial_year,
)
from ap_finance.domain.commands import RecordCarryForward, SetBudget
from ap_finance.domain.financial_year import budget_stream_id, next_financial_year
from ap_runtime.eventstore import EventStore


def finance_history(history: Sequence[DomainEvent]) -> list[FinanceEvent]:
    """A budget stream's events; anything else in it is a bug, so it raises."""
    events: list[FinanceEvent] = []
    for event in history:
        if not isinstance(event, FinanceEvent):
            raise TypeError(f"{event.event_type} does not belong in a budget stream")
        events.append(event)
    return events


def boundary_key(provision_id: str, into_year: str) -> str:
    return f"ap_finance.carry_forward:{provision_id}:{into_year}"


class BoundaryGate:
    """Bounds how many pooled connections may hold boundary locks at once (half the pool)."""

    def __init__(self, store: EventStore) -> None:
        self._store = store
        self._slots = asyncio.Semaphore(max(1, store.pool.get_max_size() // 2))

    @asynccontextmanager
    async def locked(self, provision_id: str, into_year: str) -> AsyncIterator[None]:
        """Hold the advisory lock of the boundary into ``into_year`` for this provision."""
        async with self._slots, _advisory_lock(self._store, boundary_key(provision_id, into_year)):
            yield


@asynccontextmanager
async def _advisory_lock(store: EventStore, key: str) -> AsyncIterator[None]:
    async with store.pool.acquire() as conn:
        await conn.execute("SELECT pg_advisory_lock(hashtextextended($1, 0))", key)
        try:
            yield
        finally:
            await conn.execute("SELECT pg_advisory_unlock(hashtextextended($1, 0))", key)


async def check_set_budget(store: EventStore, command: SetBudget) -> None:
    previous = previous_financial_year(command.financial_year)
    history = await store.load(budget_stream_id(command.provision_id, previous))
    check_opening_carry_forward(command, finance_history(history))


async def check_carry_forward(store: EventStore, command: RecordCarryForward) -> None:
    following = next_financial_year(command.financial_year)
    history = await store.load(budget_stream_id(command.provision_id, following))
    check_next_year_open_to_carry_forward(following, finance_history(history))


def boundary_of(command: SetBudget | RecordCarryForward) -> str:
    """The year the carry-forward flows into: the budget's own year, or the year after a carry-forward."""
    if isinstance(command, SetBudget):
        return command.financial_year
    return next_financial_year(command.financial_year)
