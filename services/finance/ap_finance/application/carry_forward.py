"""The one rule across two streams: what a year carries forward is what the next year brings in.

Both checks read the other year's stream and then append to this one; a lock on the boundary
between the two years (provision, next year: the ``BoundaryLocks`` port, PostgreSQL advisory locks
in ``adapters/postgres_ports.py``) makes "check, then append" atomic against the opposite command,
so a SetBudget and a RecordCarryForward racing each other cannot both pass. The rules themselves
are the domain's (``domain.carry_forward``).
"""

from __future__ import annotations

from collections.abc import Sequence

from ap_contracts.events.base import DomainEvent
from ap_contracts.events.finance import FinanceEvent
from ap_finance.domain.carry_forward import (
    check_next_year_open_to_carry_forward,
    check_opening_carry_forward,
    previous_financial_year,
)
from ap_finance.domain.commands import RecordCarryForward, SetBudget
from ap_finance.domain.financial_year import budget_stream_id, next_financial_year
from ap_runtime.eventstore.port import EventStorePort


def finance_history(history: Sequence[DomainEvent]) -> list[FinanceEvent]:
    """A budget stream's events; anything else in it is a bug, so it raises."""
    events: list[FinanceEvent] = []
    for event in history:
        if not isinstance(event, FinanceEvent):
            raise TypeError(f"{event.event_type} does not belong in a budget stream")
        events.append(event)
    return events


async def check_set_budget(store: EventStorePort, command: SetBudget) -> None:
    previous = previous_financial_year(command.financial_year)
    history = await store.load(budget_stream_id(command.provision_id, previous))
    check_opening_carry_forward(command, finance_history(history))


async def check_carry_forward(store: EventStorePort, command: RecordCarryForward) -> None:
    following = next_financial_year(command.financial_year)
    history = await store.load(budget_stream_id(command.provision_id, following))
    check_next_year_open_to_carry_forward(following, finance_history(history))


def boundary_of(command: SetBudget | RecordCarryForward) -> str:
    """The year the carry-forward flows into: the budget's own year, or the year after a carry-forward."""
    if isinstance(command, SetBudget):
        return command.financial_year
    return next_financial_year(command.financial_year)
