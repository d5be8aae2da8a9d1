"""The finance decider: ``decide(command, state) -> events`` or a named ``FinanceRuleViolation``.

Pure: no clock, no I/O. A rejected command raises and so produces no event. The rules live in
``budgeting``, ``spending``, ``signatures`` and ``year_end``; this module only routes.
"""

from __future__ import annotations

from collections.abc import Iterable

from ap_contracts.events.finance import FinanceEvent
from ap_finance.domain.budgeting import close_year, make_virement, set_budget, set_budget_line
from ap_finance.domain.commands import (
    AddItemSignature,
    AllocateSurplus,
    CloseYear,
    Command,
    MakeClawback,
    MakeVirement,
    RaiseCommitment,
    RecordCarryForward,
    RecordSpend,
    ReleaseCommitment,
    SetBudget,
    SetBudgetLine,
)
from ap_finance.domain.evolve import fold
from ap_finance.domain.signatures import add_item_signature
from ap_finance.domain.spending import raise_commitment, record_spend, release_commitment
from ap_finance.domain.state import BudgetState
from ap_finance.domain.year_end import allocate_surplus, make_clawback, record_carry_forward


def decide(command: Command, state: BudgetState) -> list[FinanceEvent]:
    """The events a command produces against the budget's current state (empty state for a new stream)."""
    match command:
        case SetBudget():
            return set_budget(command, state)
        case SetBudgetLine():
            return set_budget_line(command, state)
        case RecordSpend():
            return record_spend(command, state)
        case RaiseCommitment():
            return raise_commitment(command, state)
        case ReleaseCommitment():
            return release_commitment(command, state)
        case AddItemSignature():
            return add_item_signature(command, state)
        case MakeVirement():
            return make_virement(command, state)
        case CloseYear():
            return close_year(command, state)
        case AllocateSurplus():
            return allocate_surplus(command, state)
        case MakeClawback():
            return make_clawback(command, state)
        case RecordCarryForward():
            return record_carry_forward(command, state)
    raise TypeError(f"no decision for {type(command).__name__}")


def decide_on_history(history: Iterable[FinanceEvent], command: Command) -> list[FinanceEvent]:
    """Given the stream's past events, when the command arrives, then these events (or a rule violation)."""
    return decide(command, fold(history))
