"""Carry-forward across two budget streams: what a year carries forward is what the next year brings in.

The two years are separate streams, so the application layer reads both and calls these pure
checks (seed 001, section 4: carry-forward balances must be recorded accurately).

- Setting next year's budget: its ``carry_forward_pence`` must equal the total carried forward by
  the previous year of the same provision, when that year is on the platform. A provision's first
  year on the platform may bring in any opening balance (it was recorded before the platform).
- Recording a carry-forward: only while next year's budget is not yet set, since that budget's
  carry-forward is fixed once set (``budget.set_once``).
"""

from __future__ import annotations

from collections.abc import Iterable

from ap_contracts.events.finance import BudgetSet, CarryForwardRecorded, FinanceEvent
from ap_finance.domain.commands import SetBudget
from ap_finance.domain.errors import CarryForwardDoesNotMatchPreviousYear, NextYearAlreadyBudgeted
from ap_finance.domain.financial_year import financial_year_of, first_day


def previous_financial_year(financial_year: str) -> str:
    start = first_day(financial_year)
    return financial_year_of(start.replace(year=start.year - 1))


def carried_forward_pence(history: Iterable[FinanceEvent]) -> int:
    """Total a year's stream carried into the next year."""
    return sum(event.amount_pence for event in history if isinstance(event, CarryForwardRecorded))


def check_opening_carry_forward(command: SetBudget, previous_year: Iterable[FinanceEvent]) -> None:
    """Rule carry_forward.matches_previous_year (see module docstring)."""
    history = list(previous_year)
    if not any(isinstance(event, BudgetSet) for event in history):
        return
    recorded = carried_forward_pence(history)
    if recorded != command.carry_forward_pence:
        raise CarryForwardDoesNotMatchPreviousYear(
            previous_financial_year(command.financial_year), recorded, command.carry_forward_pence
        )


def check_next_year_open_to_carry_forward(next_year: str, next_year_history: Iterable[FinanceEvent]) -> None:
    """Rule carry_forward.before_next_budget (see module docstring)."""
    if any(isinstance(event, BudgetSet) for event in next_year_history):
        raise NextYearAlreadyBudgeted(next_year)
