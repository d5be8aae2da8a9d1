"""Checks shared by several commands; each raises the named rule it serves."""

from __future__ import annotations

from datetime import date
from typing import TypedDict
from uuid import UUID

from ap_contracts.events.finance import BudgetSet
from ap_contracts.money import format_pounds
from ap_finance.domain.commands import FinanceCommand
from ap_finance.domain.errors import (
    BudgetNotSet,
    CommandForAnotherBudget,
    DateOutsideFinancialYear,
    FinancialYearClosed,
    IdentifierAlreadyUsed,
    YearNotClosed,
)
from ap_finance.domain.financial_year import budget_stream_id, contains
from ap_finance.domain.state import BudgetState


class Scope(TypedDict):
    """The fields every finance event repeats to name its budget."""

    budget_id: UUID
    provision_id: str
    financial_year: str


def scope(budget: BudgetSet) -> Scope:
    return Scope(budget_id=budget.budget_id, provision_id=budget.provision_id, financial_year=budget.financial_year)


def require_budget(state: BudgetState, command: FinanceCommand) -> BudgetSet:
    """Rule budget.exists: every command but SetBudget needs the year's budget to exist."""
    if state.budget is None:
        raise BudgetNotSet()
    expected = budget_stream_id(state.budget.provision_id, state.budget.financial_year)
    given = budget_stream_id(command.provision_id, command.financial_year)
    if expected != given:
        raise CommandForAnotherBudget(expected, given)
    return state.budget


def require_open(state: BudgetState, budget: BudgetSet, action: str) -> None:
    """Rule financial_year.closed_to_entries: nothing is spent, committed or re-budgeted in a closed year."""
    if state.closed:
        raise FinancialYearClosed(budget.financial_year, action)


def require_closed(state: BudgetState, budget: BudgetSet, action: str) -> None:
    """Rule financial_year.year_end_after_close: the surplus is only known, and used, once the year is closed."""
    if not state.closed:
        raise YearNotClosed(budget.financial_year, action)


def require_in_year(budget: BudgetSet, day: date) -> None:
    """Rule financial_year.date_in_year: spend and commitments belong to the financial year they are dated in."""
    if not contains(budget.financial_year, day):
        raise DateOutsideFinancialYear(day.isoformat(), budget.financial_year)


def require_unused(state: BudgetState, identifier: UUID) -> None:
    """Rule budget.item_id_unique: an id names one item of the budget only. A repeated spend or commitment
    id (an invoice entered twice) is answered with what was recorded under it and its date."""
    if identifier not in state.used_ids:
        return
    earlier = next((p for p in state.purchases if p.item_id == identifier), None)
    if earlier is None:
        raise IdentifierAlreadyUsed(identifier)
    awaiting = " (awaiting signatures)" if identifier in state.pending else ""
    what = f"{earlier.kind.value}{awaiting} of {format_pounds(earlier.amount_pence)} to {earlier.supplier}"
    raise IdentifierAlreadyUsed(identifier, what, earlier.item_date)
